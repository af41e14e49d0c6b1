// Analytics: the product's figures for a chosen range (reach, engagement, engagement rate, top
// posts) per platform and in total, drawn as SVG built with DOM calls (no library); plus active
// connections, posts today and each platform's API health.
import { get, can, el, field, act, heading, load, platformName, table, forbidden } from './api.js';

const SVG = 'http://www.w3.org/2000/svg';
const number = (n) => (typeof n === 'number' ? n.toLocaleString() : '—');
const isoDay = (d) => d.toISOString().slice(0, 10);

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

let range = null;  // kept while the tab lives

export async function render(section) {
  heading(section, 'Analytics');
  const today = new Date();
  range = range || { start: isoDay(new Date(today.getTime() - 27 * 86400000)), end: isoDay(today) };
  const start = el('input', { type: 'date', id: 'analytics-start', value: range.start });
  const end = el('input', { type: 'date', id: 'analytics-end', value: range.end });
  const button = el('button', { type: 'submit', id: 'analytics-load', className: 'primary' }, 'Show');
  const out = el('div', { className: 'analytics-out' });
  const form = el('form', { className: 'range' }, field('From', start), field('To', end), button);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    range = { start: start.value, end: end.value };
    act(button, () => figures(out, range));
  });
  if (!can('viewAnalytics')) { forbidden(section, 'Analytics'); return; }
  const overview = el('div', { className: 'overview' });
  section.append(form, out, el('h3', {}, 'Accounts and platform health'), overview);
  await Promise.all([act(button, () => figures(out, range)), health(overview)]);
}

async function figures(out, { start, end }) {
  out.replaceChildren();
  let answer;
  try {
    answer = await get('/api/social-media/analytics?start=' + encodeURIComponent(start) + '&end=' + encodeURIComponent(end));
  } catch (e) {
    if (e.status === 403) { forbidden(out, 'Analytics'); return; }
    throw e;
  }
  const platforms = Object.entries(answer).filter(([k, v]) => v && typeof v === 'object' && !Array.isArray(v) && k !== 'totals');
  const t = answer.totals || {};
  out.append(el('dl', { id: 'analytics-totals', className: 'totals' },
    tile('Reach', number(t.totalReach)), tile('Engagement', number(t.totalEngagement)),
    tile('Engagement rate', typeof t.engagementRate === 'number' ? t.engagementRate + ' %' : '—'),
    // Other account figures the platforms gave (followers …).
    Object.entries(t.metrics || {}).filter(([name, v]) => typeof v === 'number' && !['reach', 'engagement'].includes(name))
      .slice(0, 4).map(([name, v]) => tile(name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()), number(v)))));
  out.append(el('h3', {}, 'Per platform'), barChart(platforms));
  if (Array.isArray(t.daily) && t.daily.length) out.append(el('h3', {}, 'Over time'), lineChart(t.daily));
  out.append(table(['Platform', 'Reach', 'Engagement', 'Rate'], platforms.map(([id, p]) => el('tr', {},
    el('td', {}, platformName(id)), el('td', {}, number(p.totalReach)), el('td', {}, number(p.totalEngagement)),
    el('td', {}, typeof p.engagementRate === 'number' ? p.engagementRate + ' %' : '—')))));
  const top = (t.topPosts || []).slice(0, 10);
  out.append(el('h3', {}, 'Top posts'), top.length ? table(['Platform', 'Post', 'Engagement'], top.map((p) => el('tr', {},
    el('td', {}, platformName(p.platform)),
    el('td', {}, p.url ? el('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer' }, p.postId) : p.postId),
    el('td', {}, number(p.engagement))))) : el('p', { className: 'muted' }, 'No post figures in this range.'));
  // Per account, the figures its platform would not give, grouped by reason.
  const unavailable = platforms.flatMap(([id, p]) => (p.accounts || []).flatMap((a) => {
    const who = platformName(id) + ' — ' + (a.accountName || a.accountId) + ': ';
    const byReason = new Map();
    for (const u of a.unavailable || []) byReason.set(u.reason, [...(byReason.get(u.reason) || []), u.name]);
    return [...[...byReason].map(([reason, names]) => who + names.join(', ') + ' (' + reason + ')'), ...(a.error ? [who + a.error] : [])];
  }));
  if (unavailable.length) out.append(el('h4', {}, 'Not available'), el('ul', { className: 'muted' }, unavailable.map((u) => el('li', {}, u))));
}

function tile(name, value) {
  return el('div', { className: 'tile' }, el('dt', {}, name), el('dd', {}, value));
}

/// Reach and engagement per platform, each bar scaled to the largest of its kind.
function barChart(platforms) {
  const rowHeight = 62;
  const width = 640;
  const labelWidth = 0;  // each platform's name stands above its bars
  const height = Math.max(1, platforms.length) * rowHeight + 24;
  const chart = svg('svg', { id: 'analytics-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart' });
  chart.append(svg('title', {}, 'Reach and engagement per platform'));
  const maxReach = Math.max(1, ...platforms.map(([, p]) => p.totalReach || 0));
  const maxEngagement = Math.max(1, ...platforms.map(([, p]) => p.totalEngagement || 0));
  const span = width - labelWidth - 90;
  chart.append(svg('line', { x1: labelWidth, x2: labelWidth, y1: 0, y2: height - 8, class: 'axis' }));
  platforms.forEach(([id, p], i) => {
    const y = 8 + i * rowHeight;
    chart.append(svg('text', { x: 0, y: y + 12, class: 'label' }, platformName(id)));
    const bars = [['reach', p.totalReach || 0, maxReach, y + 18], ['engagement', p.totalEngagement || 0, maxEngagement, y + 36]];
    for (const [kind, value, max, top] of bars) {
      const w = Math.max(2, (span * value) / max);
      chart.append(svg('rect', { x: labelWidth, y: top, width: w, height: 15, class: 'bar-' + kind, rx: 2 }));
      chart.append(svg('text', { x: labelWidth + w + 6, y: top + 12, class: 'value' }, value.toLocaleString() + ' ' + kind));
    }
  });
  if (!platforms.length) chart.append(svg('text', { x: 0, y: 20, class: 'label' }, 'No connected account has figures in this range.'));
  return chart;
}

/// The figures of each day (engagement, posts, and reach where the answer has it), each series on
/// its own scale, its largest value named in the legend.
function lineChart(daily) {
  const width = 640;
  const height = 200;
  const pad = { left: 10, right: 10, top: 24, bottom: 30 };
  const chart = svg('svg', { id: 'analytics-daily', viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart' });
  chart.append(svg('title', {}, 'Figures per day'));
  const x = (i) => pad.left + ((width - pad.left - pad.right) * i) / Math.max(1, daily.length - 1);
  const series = ['engagement', 'posts', 'reach'].filter((key) => daily.some((d) => typeof d[key] === 'number'));
  let legendX = pad.left;
  for (const key of series) {
    const max = Math.max(0, ...daily.map((d) => d[key] || 0));
    const y = (v) => height - pad.bottom - ((height - pad.top - pad.bottom) * v) / Math.max(1, max);
    const points = daily.map((d, i) => `${x(i).toFixed(1)},${y(d[key] || 0).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { points, class: 'line-' + key, fill: 'none' }));
    const legend = '— ' + key + ' (up to ' + max.toLocaleString() + ')';
    chart.append(svg('text', { x: legendX, y: 14, class: 'legend-' + key }, legend));
    legendX += legend.length * 7 + 16;
  }
  chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom, class: 'axis' }));
  const step = Math.max(1, Math.ceil(daily.length / 7));
  daily.forEach((d, i) => {
    if (i % step === 0) chart.append(svg('text', { x: x(i), y: height - 10, class: 'value', 'text-anchor': i === 0 ? 'start' : 'middle' }, String(d.day).slice(5)));
  });
  return chart;
}

async function health(box) {
  if (!can('viewConnections')) { forbidden(box, 'Platform health'); return; }
  const [items, posts] = await Promise.all([
    load(box, 'Platform health', () => get('/api/social-media/health')),
    load(box, 'Posts', () => get('/api/social-media/posts?limit=200')),
  ]);
  if (!items) return;
  const today = new Date().toDateString();
  const postsToday = (posts || []).filter((p) => new Date(p.scheduledTime || p.createdAt).toDateString() === today).length;
  const byPlatform = new Map();
  for (const h of items) {
    const entry = byPlatform.get(h.platform) || { total: 0, healthy: 0, problems: [] };
    entry.total += 1;
    if (h.status === 'healthy') entry.healthy += 1; else entry.problems.push((h.accountName || h.accountId) + ': ' + h.status.replace('_', ' '));
    byPlatform.set(h.platform, entry);
  }
  box.append(el('dl', { className: 'totals' },
    tile('Active connections', String(items.filter((h) => h.status === 'healthy').length)),
    tile('Posts today', String(postsToday))),
  table(['Platform', 'Accounts', 'Healthy', 'Problems'], [...byPlatform].map(([id, e]) => el('tr', {},
    el('td', {}, platformName(id)), el('td', {}, String(e.total)), el('td', {}, String(e.healthy)), el('td', {}, e.problems.join('; ') || '—')))));
}
