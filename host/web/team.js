// Team (ADMIN and up): the organization's users and roles, its API keys (a new key is shown once)
// and the audit log. Nobody is offered a role above their own, as the host refuses that.
import { state, call, get, el, field, notice, act, confirmed, when, heading, load, table } from './api.js';

const ROLES = ['SUPER_ADMIN', 'ADMIN', 'USER', 'GUEST'];
const grantable = () => ROLES.slice(Math.max(0, ROLES.indexOf(state.me.role)));

export async function render(section) {
  heading(section, 'Team');
  const org = encodeURIComponent(state.orgId);
  const usersPath = '/api/orgs/' + org + '/users';
  const [users, keys, audit] = await Promise.all([
    load(section, 'Users', () => get(usersPath, { unscoped: true })),
    load(section, 'API keys', () => get('/api/keys')),
    load(section, 'Audit log', () => get('/api/audit?limit=50')),
  ]);
  const again = (message) => async () => { notice(message, 'ok'); await render(section); };
  const emailOf = new Map((users || []).map((u) => [u.id, u.email]));
  const roleOf = new Map((users || []).map((u) => [u.id, u.role]));
  // Keys of a role above the caller's are refused by the host: not offered.
  const mayRevoke = (k) => !roleOf.has(k.userId) || grantable().includes(roleOf.get(k.userId));

  // Users and roles
  const usersBox = el('div', { id: 'users' }, el('h3', {}, 'Users'));
  if (users) {
    usersBox.append(table(['Email', 'Role', ''], users.map((u) => {
      const mayTouch = grantable().includes(u.role) && u.id !== state.me.userId;
      const role = el('select', { ariaLabel: 'Role of ' + u.email, disabled: !mayTouch },
        (mayTouch ? grantable() : [u.role]).map((r) => el('option', { value: r, selected: r === u.role }, r)));
      const actions = mayTouch ? [
        el('button', { type: 'button', className: 'save-role', onclick: (ev) => act(ev.currentTarget, async () => {
          await call('PATCH', usersPath + '/' + encodeURIComponent(u.id), { json: { role: role.value }, unscoped: true });
          await again(u.email + ' is now ' + role.value + '.')();
        }) }, 'Save role'),
        ' ',
        el('button', { type: 'button', className: 'remove-user danger', onclick: confirmed('Remove ' + u.email + ' and revoke their keys?', async () => {
          await call('DELETE', usersPath + '/' + encodeURIComponent(u.id), { unscoped: true });
          await again('Removed ' + u.email + '.')();
        }) }, 'Remove')] : [el('span', { className: 'muted' }, u.id === state.me.userId ? 'you' : '')];
      return el('tr', { dataset: { userId: u.id } }, el('td', {}, u.email), el('td', {}, role), el('td', {}, actions));
    })));
    const email = el('input', { type: 'email', required: true, autocomplete: 'off' });
    const role = el('select', {}, grantable().map((r) => el('option', { value: r, selected: r === 'USER' }, r)));
    const add = el('button', { type: 'submit', className: 'primary' }, 'Add user');
    const form = el('form', { className: 'inline-form', id: 'add-user' }, field('Email', email), field('Role', role), add);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(add, async () => {
        await call('POST', usersPath, { json: { email: email.value.trim(), role: role.value }, unscoped: true });
        await again('Added ' + email.value.trim() + '.')();
      });
    });
    usersBox.append(form);
  }

  // API keys
  const keysBox = el('div', { id: 'keys' }, el('h3', {}, 'API keys'));
  const newKey = el('div', { id: 'new-key', hidden: true, ariaLive: 'polite' });
  if (keys) {
    keysBox.append(table(['Key', 'User', 'Created', 'Last used', ''], keys.map((k) => el('tr', { dataset: { keyId: k.id } },
      el('td', {}, el('code', {}, k.prefix + '…')), el('td', {}, emailOf.get(k.userId) || k.userId),
      el('td', {}, when(k.createdAt)), el('td', {}, when(k.lastUsedAt)),
      el('td', {}, k.revokedAt ? 'revoked ' + when(k.revokedAt) : !mayRevoke(k) ? '' : el('button', { type: 'button', className: 'revoke-key danger', onclick: confirmed('Revoke key ' + k.prefix + '…? Whoever uses it is refused at once.', async () => {
        await call('DELETE', '/api/keys/' + encodeURIComponent(k.id));
        await again('Revoked ' + k.prefix + '….')();
      }) }, 'Revoke'))))));
    const owner = el('select', {}, (users || []).filter((u) => grantable().includes(u.role)).map((u) => el('option', { value: u.id }, u.email + ' (' + u.role + ')')));
    const create = el('button', { type: 'submit', id: 'create-key', className: 'primary' }, 'Create key');
    const form = el('form', { className: 'inline-form' }, field('For user', owner), create);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(create, async () => {
        const body = { userId: owner.value };
        if (state.me.role === 'SUPER_ADMIN') body.organizationId = state.orgId;
        const created = (await call('POST', '/api/keys', { json: body })).body;
        // Shown this once: the host keeps only its hash.
        newKey.replaceChildren(el('p', {}, 'The new key, shown this once — copy it now:'), el('code', { className: 'secret' }, created.key));
        newKey.hidden = false;
        newKey.scrollIntoView({ block: 'nearest' });
      });
    });
    keysBox.append(form, newKey);
  }

  // Audit log
  const auditBox = el('div', { id: 'audit' }, el('h3', {}, 'Audit log'));
  if (audit) {
    auditBox.append(audit.length ? table(['When', 'Who', 'What', 'Target', 'From'], audit.map((a) => el('tr', {},
      el('td', {}, when(a.at)), el('td', {}, emailOf.get(a.actorUserId) || a.actorUserId || 'system'), el('td', {}, a.action),
      el('td', {}, a.targetType + (a.targetId ? ' ' + a.targetId : '')), el('td', {}, a.remoteAddr || ''))), 'audit')
      : el('p', { className: 'muted' }, 'Nothing audited yet.'));
  }
  section.append(usersBox, keysBox, auditBox);
}
