// Errors: the organization's open platform errors (the error log), needs-review items, the
// accounts a platform throttles or that need reconnecting — each with what to do next.
import { get, call, act, can, el, when, heading, load, platformName, forbidden } from './api.js';

const adviceFor = {
  oauth: 'Connecting failed at the platform: check the app settings the reason names, then connect again.',
  token: 'Reconnect the account under Accounts (or refresh its token), then post again.',
  rate_limit: 'The platform throttles this account: the host retries after its reset; post less often.',
  api: 'The platform failed or refused a call: the host retries what it can; check the reason.',
};

export async function render(section) {
  heading(section, 'Errors');
  if (!can('viewConnections')) { forbidden(section, 'The errors view'); return; }
  const [errors, health, posts] = await Promise.all([
    load(section, 'Errors', () => get('/api/social-media/errors?resolved=false')),
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
    const title = e.errorType.replace('_', ' ') + ' error' + (e.count > 1 ? ' (' + e.count + ' times)' : '');
    const li = item(e.errorType, e.platform, title, e.message, adviceFor[e.errorType] || adviceFor.api, e.timestamp);
    if (can('manageTokens')) {
      const button = el('button', { type: 'button', className: 'secondary' }, 'Resolve');
      button.addEventListener('click', () => act(button, async () => {
        await call('POST', '/api/social-media/errors/' + encodeURIComponent(e.id) + '/resolve');
        li.remove();
      }));
      li.append(button);
    }
    items.push(li);
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
