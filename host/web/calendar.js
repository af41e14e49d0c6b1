// Calendar and queue: posts by day over a week, everything still queued, and one post's detail
// (targets, history) with cancel, reschedule and delete where the post's state allows them.
import { call, get, can, el, field, notice, act, confirmed, when, heading, load, statusBadge, table, platformName, forbidden } from './api.js';
import { resultList } from './results.js';

const DAY = 24 * 60 * 60 * 1000;
let weekOffset = 0;  // weeks from this one; kept while the tab lives
let openPostId = null;
let connections = [];  // for the accounts' names in a post's targets

function mondayOf(offset) {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7) + 7 * offset);
  return d;
}

const dayKey = (d) => d.getFullYear() + '-' + (d.getMonth() + 1) + '-' + d.getDate();
const timeOf = (p) => new Date(p.scheduledTime || p.createdAt);
const snippet = (text) => (text || '(media only)').replace(/\s+/g, ' ').slice(0, 60);

export async function render(section) {
  heading(section, 'Calendar and queue');
  if (!can('viewConnections')) { forbidden(section, 'The calendar'); return; }
  const [posts, known] = await Promise.all([
    load(section, 'Posts', () => get('/api/social-media/posts?limit=200')),
    get('/api/social-media/connections').catch(() => []),
  ]);
  if (!posts) return;
  connections = known;
  const start = mondayOf(weekOffset);
  const days = Array.from({ length: 7 }, (_, i) => new Date(start.getTime() + i * DAY));
  const byDay = new Map(days.map((d) => [dayKey(d), []]));
  for (const p of posts) {
    const list = byDay.get(dayKey(timeOf(p)));
    if (list) list.push(p);
  }
  const label = days[0].toLocaleDateString(undefined, { day: 'numeric', month: 'short' }) + ' – ' +
    days[6].toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  const move = (by) => () => { weekOffset += by; render(section); };
  section.append(el('div', { className: 'week-bar' },
    el('button', { type: 'button', id: 'week-prev', onclick: move(-1) }, '← Previous week'),
    el('h3', { id: 'week-label', ariaLive: 'polite' }, label),
    el('button', { type: 'button', id: 'week-next', onclick: move(1) }, 'Next week →')));
  const today = dayKey(new Date());
  section.append(el('ol', { className: 'week', ariaLabel: 'Week of ' + label }, days.map((d) => el('li', { className: 'day' + (dayKey(d) === today ? ' today' : '') },
    el('h4', {}, d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })),
    el('ul', {}, byDay.get(dayKey(d)).sort((a, b) => timeOf(a) - timeOf(b)).map((p) => el('li', {}, postButton(section, p))))))));
  const queued = posts.filter((p) => p.status === 'scheduled' || p.status === 'publishing').sort((a, b) => timeOf(a) - timeOf(b));
  section.append(el('h3', {}, 'Queue'),
    queued.length ? el('ul', { className: 'queue' }, queued.map((p) => el('li', {}, postButton(section, p, true))))
      : el('p', { className: 'muted' }, 'Nothing is queued.'));
  const detail = el('div', { id: 'post-detail', hidden: true, tabIndex: -1 });
  section.append(detail);
  if (openPostId) await openPost(section, openPostId, false);
}

function postButton(section, p, withDate = false) {
  const at = timeOf(p);
  return el('button', {
    type: 'button', className: 'calendar-post status-' + p.status, dataset: { postId: p.id, status: p.status },
    onclick: () => openPost(section, p.id, true),
  }, el('span', { className: 'time' }, withDate ? at.toLocaleString() : at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
  ' ', el('span', { className: 'text' }, snippet(p.content)), ' ', statusBadge(p.status));
}

async function openPost(section, id, focus) {
  const detail = section.querySelector('#post-detail');
  let post;
  try {
    post = await get('/api/social-media/posts/' + encodeURIComponent(id));
  } catch (e) {
    openPostId = null;
    if (e.status !== 401) notice(e.message, 'error');
    return;
  }
  openPostId = id;
  const reload = async (message) => { notice(message, 'ok'); await render(section); };
  const actions = el('div', { className: 'actions' });
  const working = (post.results || []).some((r) => r.status === 'queued');
  const live = (post.results || []).some((r) => r.status === 'published');
  if (can('post') && post.status === 'scheduled') {
    const local = new Date(post.scheduledTime);
    local.setMinutes(local.getMinutes() - local.getTimezoneOffset());
    const at = el('input', { type: 'datetime-local', id: 'reschedule-at', value: local.toISOString().slice(0, 16) });
    actions.append(field('New time (your time zone)', at),
      el('button', {
        type: 'button', className: 'reschedule-post', onclick: (ev) => act(ev.currentTarget, async () => {
          if (!at.value) throw new Error('Pick the new date and time.');
          await call('PATCH', '/api/social-media/posts/' + encodeURIComponent(id), { json: { scheduledTime: new Date(at.value).toISOString() } });
          await reload('Rescheduled to ' + new Date(at.value).toLocaleString() + '.');
        }),
      }, 'Reschedule'));
  }
  if (can('post') && working) {
    actions.append(el('button', {
      type: 'button', className: 'cancel-post danger', onclick: confirmed('Cancel this post? Targets still queued will not go out.', async () => {
        await call('DELETE', '/api/social-media/posts/' + encodeURIComponent(id));
        await reload('Cancelled.');
      }),
    }, 'Cancel post'));
  }
  if (can('post') && live) {
    actions.append(el('button', {
      type: 'button', className: 'delete-post danger', onclick: confirmed('Delete this post at every platform it went out to?', async () => {
        const answer = (await call('DELETE', '/api/social-media/posts/' + encodeURIComponent(id))).body;
        const left = (answer && answer.notDeleted) || [];
        if (left.length) notice('Not deleted everywhere: ' + left.map((x) => platformName(x.platform) + ': ' + x.error).join('; ') + '. Delete again to retry those.', 'error');
        else await reload('Deleted.');
      }),
    }, 'Delete post'));
  }
  const results = resultList(post, connections);
  if (can('post')) {
    for (const r of post.results || []) {
      if (r.status !== 'needs_review') continue;
      const item = results.querySelector('.result[data-target-id="' + CSS.escape(r.targetId) + '"]');
      const resolve = (outcome, text) => el('button', {
        type: 'button', className: 'resolve', dataset: { outcome }, onclick: (ev) => act(ev.currentTarget, async () => {
          await call('POST', '/api/social-media/posts/' + encodeURIComponent(id) + '/targets/' + encodeURIComponent(r.targetId) + '/resolve', { json: { outcome } });
          await reload('Marked ' + outcome + '.');
        }),
      }, text);
      item.append(el('div', { className: 'actions' }, resolve('published', 'It is live'), resolve('retry', 'Send again'), resolve('failed', 'Mark failed')));
    }
  }
  const history = (post.history || []).map((h) => el('tr', {},
    el('td', {}, when(h.at)), el('td', {}, h.platform ? platformName(h.platform) : '—'), el('td', {}, h.event),
    el('td', { className: 'detail' }, h.detail && (h.detail.error || h.detail.reason || h.detail.message) ? h.detail.error || h.detail.reason || h.detail.message : '')));
  detail.replaceChildren(
    el('div', { className: 'detail-head' }, el('h3', {}, 'Post'), el('button', { type: 'button', className: 'close-detail', onclick: () => { openPostId = null; detail.hidden = true; } }, 'Close')),
    el('p', {}, statusBadge(post.status), ' ', post.scheduledTime ? 'scheduled for ' + when(post.scheduledTime) : 'created ' + when(post.createdAt)),
    el('blockquote', { className: 'post-content' }, post.content || '(media only)'),
    actions.childElementCount ? actions : '',
    el('h4', {}, 'Targets'), results,
    ...(history.length ? [el('h4', {}, 'History'), table(['When', 'Platform', 'Event', 'Detail'], history, 'history')] : []));
  detail.hidden = false;
  if (focus) detail.focus();
}
