// A post's per-target results, as compose and the calendar show them. Status names are the
// API's target statuses: queued, publishing, published, failed, needs_review, cancelled, deleted.
import { el, platformName, statusBadge, when } from './api.js';

const WORKING = new Set(['queued', 'publishing']);

/// True once no target will move by itself any more (or the post waits for its time).
export function settled(post) {
  if (post.status === 'scheduled') return true;
  return (post.results || []).every((r) => !WORKING.has(r.status));
}

/// What to do about a failure of this kind (the plugin ABI's error kinds).
export function advice(kind) {
  switch (kind) {
    case 'auth_expired':
    case 'auth_invalid': return 'Reconnect the account under Accounts, then post again.';
    case 'invalid_input': return 'Change the content or media so that the platform accepts it, then post again.';
    case 'rate_limited': return 'The platform throttles this account: the host retries after its reset; post less often.';
    case 'transient': return 'The platform or the network failed for a while: the host retries; if it keeps failing, post again later.';
    case 'permanent': return 'The platform refused it for good: change what the reason names, then post again.';
    case 'not_supported': return 'The platform cannot do this: leave that option or account out.';
    case 'outcome_unknown': return 'It may have gone out: look at the account before posting again.';
    case 'plugin_fault': return 'The platform plugin misbehaved: tell the operator (the request id is in the log).';
    default: return 'Check the reason, then post again.';
  }
}

export function nextStep(r) {
  switch (r.status) {
    case 'failed':
      return advice(r.errorKind);
    case 'needs_review':
      return 'The platform did not confirm whether it went out: look at the account on ' + platformName(r.platform) +
        ', then mark it published, retry or failed from the calendar.';
    case 'queued':
      return r.nextAttemptAt ? 'Goes out ' + when(r.nextAttemptAt) + '.' : '';
    default:
      return '';
  }
}

export function resultList(post, connections = []) {
  const name = (r) => {
    const c = connections.find((x) => x.id === r.connectionId);
    return platformName(r.platform) + ' — ' + (c ? c.accountName || c.accountId : r.accountId || r.connectionId);
  };
  return el('ul', { className: 'results' }, (post.results || []).map((r) => el('li', {
    className: 'result', dataset: { connectionId: r.connectionId, status: r.status, targetId: r.targetId },
  },
  el('span', { className: 'result-name' }, name(r)), ' ', statusBadge(r.status),
  r.status === 'published' && r.url ? [' ', el('a', { className: 'post-link', href: r.url, target: '_blank', rel: 'noopener noreferrer' }, 'View post')] : null,
  r.error ? el('p', { className: 'reason' }, r.error) : null,
  nextStep(r) ? el('p', { className: 'muted next-step' }, nextStep(r)) : null)));
}
