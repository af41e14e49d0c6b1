// Accounts: a card per enabled platform with its connected accounts and their health, and the
// controls the caller's role may use (Connect: connectAccounts; Refresh and Disconnect:
// manageTokens, as host/auth/Roles.cpp grants them).
import { state, call, get, can, el, field, notice, act, confirmed, when, heading, load, forbidden, platformName } from './api.js';

export async function render(section) {
  heading(section, 'Accounts');
  let connections = [];
  let health = [];
  if (can('viewConnections')) {
    [connections, health] = await Promise.all([
      load(section, 'Connected accounts', () => get('/api/social-media/connections')),
      load(section, 'Account health', () => get('/api/social-media/health')),
    ]);
  } else {
    forbidden(section, 'Seeing connected accounts');
  }
  const healthById = new Map((health || []).map((h) => [h.connectionId, h]));
  const cards = el('div', { className: 'cards' });
  // Platforms with accounts first, then those one can connect, then those not set up.
  const mineOf = (p) => (connections || []).filter((c) => c.platform === p.id);
  const rank = (p) => (mineOf(p).length ? 0 : p.configured ? 1 : 2);
  for (const p of [...state.platforms].sort((a, b) => rank(a) - rank(b))) cards.append(card(section, p, mineOf(p), healthById));
  if (!state.platforms.length) cards.append(el('p', {}, 'No platform plugin is enabled on this host.'));
  section.append(cards);
}

function card(section, p, connections, healthById) {
  const box = el('article', { className: 'card platform-card', dataset: { platform: p.id } },
    el('h3', {}, el('span', { className: 'platform-icon', ariaHidden: 'true' }, p.name.slice(0, 1)), platformName(p.id)),
    p.name !== platformName(p.id) ? el('p', { className: 'muted kind' }, p.name.slice(platformName(p.id).length).trim().replace(/^\(|\)$/g, '')) : null);
  const list = el('ul', { className: 'accounts' });
  for (const c of connections) list.append(account(section, p, c, healthById.get(c.id)));
  if (connections.length) box.append(list);
  else if (can('viewConnections')) box.append(el('p', { className: 'muted' }, 'No account connected.'));
  if (can('connectAccounts')) box.append(connectControl(section, p));
  return box;
}

function account(section, p, c, h) {
  const status = (h && h.status) || c.status;
  const reason = h && h.lastError;
  const facts = el('dl', { className: 'facts' },
    fact('Token expires', when((h && h.tokenExpiresAt) || c.expiresAt)),
    fact('Last success', when(h && h.lastSuccessfulCall)),
    fact('Errors', String((h && h.errorCount) || 0)),
    h && h.rateLimitedUntil ? fact('Rate-limited until', when(h.rateLimitedUntil)) : null);
  const item = el('li', { className: 'account', dataset: { connectionId: c.id } },
    el('div', { className: 'account-head' },
      el('strong', {}, c.accountName || c.accountId),
      el('span', { className: 'status status-' + status }, status.replace('_', ' ')),
      reason ? el('span', { className: 'reason' }, reason) : null),
    facts);
  const actions = el('div', { className: 'actions' });
  const broken = status === 'expired' || status === 'invalid';
  if (broken && can('connectAccounts') && p.connect === 'oauth' && p.configured) {
    actions.append(el('button', { type: 'button', className: 'reconnect primary', onclick: (ev) => startOAuth(ev.currentTarget, p) }, 'Reconnect'));
  }
  if (can('manageTokens') && c.canRefresh) {
    actions.append(el('button', {
      type: 'button', className: 'refresh',
      onclick: (ev) => act(ev.currentTarget, async () => {
        await call('POST', '/api/social-media/connections/' + encodeURIComponent(c.id) + '/refresh');
        notice('Token of ' + (c.accountName || c.accountId) + ' refreshed.', 'ok');
        await render(section);
      }),
    }, 'Refresh'));
  }
  if (can('manageTokens')) {
    actions.append(el('button', {
      type: 'button', className: 'disconnect danger',
      onclick: confirmed('Disconnect ' + (c.accountName || c.accountId) + ' from ' + platformName(p.id) + '?', async () => {
        await call('DELETE', '/api/social-media/connections/' + encodeURIComponent(c.id));
        notice('Disconnected ' + (c.accountName || c.accountId) + '.', 'ok');
        await render(section);
      }),
    }, 'Disconnect'));
  }
  if (actions.childElementCount) item.append(actions);
  return item;
}

function fact(name, value) {
  return el('div', {}, el('dt', {}, name), el('dd', {}, value));
}

function startOAuth(button, p, instance) {
  return act(button, async () => {
    const query = instance ? '?instance=' + encodeURIComponent(instance) : '';
    const answer = await call('GET', '/api/social-media/connect/' + encodeURIComponent(p.id) + query);
    window.location.assign(answer.body.authorizeUrl);
  });
}

function connectControl(section, p) {
  if (p.connect === 'oauth') {
    if (!p.configured) {
      return el('p', { className: 'muted' }, 'Not set up on this host yet: the operator adds ' + platformName(p.id) +
        '\'s app (' + p.id.toUpperCase() + '_CLIENT_ID and _CLIENT_SECRET).');
    }
    return el('button', { type: 'button', className: 'connect primary', onclick: (ev) => startOAuth(ev.currentTarget, p) }, 'Connect ' + platformName(p.id));
  }
  if (p.connect === 'credential') return credentialForm(section, p);
  if (p.connect === 'instance') return instanceForm(p);
  return el('p', { className: 'muted' }, platformName(p.id) + ' accounts cannot be connected from here.');
}

// Platforms with many servers (Mastodon): the user names theirs; the host registers its app there.
function instanceForm(p) {
  const server = el('input', { type: 'url', required: true, placeholder: 'https://mastodon.social', id: 'instance-' + p.id });
  const submit = el('button', { type: 'submit', className: 'connect primary' }, 'Connect ' + platformName(p.id));
  const form = el('form', { className: 'credential' }, field('Your server', server), submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    startOAuth(submit, p, server.value.trim());
  });
  return form;
}

// What a credential platform's form asks for: a Telegram bot's token and the chats it may post to
// (a bot cannot list them); a Bluesky account's app password and handle.
const credentialLabels = {
  bluesky: { secret: 'App password (Settings → Privacy and security → App passwords)', accounts: 'Handle, one per line (alice.bsky.social)' },
};
const botLabels = { secret: 'Bot token', accounts: 'Chats to post to, one per line (@channel or -100… id)' };

// Platforms without OAuth (a Telegram bot, a Bluesky app password): the credential, and the
// accounts it is for.
function credentialForm(section, p) {
  const labels = credentialLabels[p.id] || botLabels;
  const secret = el('input', { type: 'password', autocomplete: 'off', required: !p.defaultCredential, id: 'cred-' + p.id + '-token' });
  const chats = el('textarea', { rows: 3, required: true, id: 'cred-' + p.id + '-chats' });
  const submit = el('button', { type: 'submit', className: 'connect primary' }, 'Connect ' + platformName(p.id));
  const form = el('form', { className: 'credential' },
    field(p.defaultCredential ? labels.secret + ' (optional: this host has a default)' : labels.secret, secret),
    field(labels.accounts, chats),
    submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = { accounts: chats.value.split('\n').map((s) => s.trim()).filter(Boolean) };
    if (secret.value.trim()) body.credential = secret.value.trim();
    act(submit, async () => {
      const r = (await call('POST', '/api/social-media/connect/' + encodeURIComponent(p.id), { json: body })).body;
      const refused = (r.refused || []).map((x) => x.account + ': ' + x.reason).join('; ');
      notice('Connected ' + r.connected + ' account(s) on ' + platformName(p.id) + '.' + (refused ? ' Not connected: ' + refused : ''), refused ? 'error' : 'ok');
      await render(section);
    });
  });
  return form;
}
