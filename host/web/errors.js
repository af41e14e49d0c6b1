// Errors: the organization's recent failures, retries, rate limits and needs-review items, the
// accounts a platform throttles or that need reconnecting — each with what to do next.
import { get, can, el, when, heading, load, platformName, forbidden } from './api.js';
import { advice } from './results.js';

const text = (detail) => (detail && (detail.error || detail.message || detail.reason)) || '';

export async function render(section) {
  heading(section, 'Errors');
  if (!can('viewConnections')) { forbidden(section, 'The errors view'); return; }
  const [errors, health, posts] = await Promise.all([
    load(section, 'Errors', () => get('/api/social-media/errors')),
    load(section, 'Account health', () => get('/api/social-media/health')),
    load(section, 'Posts', () => get('/api/social-media/posts?limit=200')),
  ]);
  if (!errors && !health) return;
  const items = [];
  for (const h of health || []) {
    if (h.status === 'healthy') continue;
    const next = h.status === 'rate_limited'
      ? 'Posts to this account wait until ' + when(h.rateLimitedUntil) + ' and then go out by themselves.'
      : 'Reconnect ' + (h.accountName || h.accountId) + ' under Accounts.';
    items.push(item('account', h.platform, (h.accountName || h.accountId) + ': ' + h.status.replace('_', ' '), h.lastError, next, h.lastErrorAt));
  }
  for (const p of posts || []) {
    for (const r of p.results || []) {
      if (r.status !== 'needs_review') continue;
      items.push(item('needs_review', r.platform, 'Needs review: "' + (p.content || '').slice(0, 60) + '"', r.error,
        'Look at the account on ' + platformName(r.platform) + ' to see whether it went out, then resolve it in the calendar.', p.createdAt, p.id));
    }
  }
  for (const e of errors || []) {
    const detail = e.detail || {};
    const next = e.event === 'rate_limited' ? 'Waits for the platform: retried at ' + when(detail.retryAt) + '.'
      : e.event === 'retry' ? 'Retried by itself at ' + when(detail.retryAt) + '.'
        : e.event === 'needs_review' ? 'Check the account at the platform, then resolve the post in the calendar.'
          : advice(detail.kind);
    items.push(item(e.event, e.platform, e.event.replace('_', ' '), text(detail), next, e.at, e.postId));
  }
  section.append(items.length ? el('ul', { className: 'error-list' }, items) : el('p', { className: 'muted' }, 'No recent errors. All is well.'));
}

function item(kind, platform, title, reason, next, at, postId) {
  return el('li', { className: 'error-item', dataset: { kind, postId } },
    el('div', { className: 'error-head' }, el('strong', {}, platform ? platformName(platform) + ': ' : ''), title,
      at ? el('span', { className: 'muted when' }, ' · ' + when(at)) : null),
    reason ? el('p', { className: 'reason' }, reason) : null,
    el('p', { className: 'next-step' }, 'Next: ' + next),
    postId ? el('a', { href: '#/calendar', className: 'muted' }, 'Open the calendar') : null);
}
