// The REST client and the small helpers every view shares: the key (this tab's sessionStorage
// only), the signed-in caller, the organization a SUPER_ADMIN acts in, DOM building, notices.
const KEY = 'marketsage.key';

export const state = { me: null, orgId: null, platforms: [] };

export const key = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

/// Whether the signed-in caller may do `permission`: GET /api/me lists them, from the host's one
/// role matrix (host/auth/Roles.cpp), so the page never offers what the host would refuse.
export function can(permission) {
  return Boolean(state.me && Array.isArray(state.me.permissions) && state.me.permissions.includes(permission));
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/// Called once when the key is refused (401): the app shows the key field again.
let unauthorized = () => {};
export function onUnauthorized(handler) { unauthorized = handler; }

/// `path` with ?organizationId= when a SUPER_ADMIN acts in another organization.
export function scoped(path) {
  if (!state.orgId || !state.me || state.orgId === state.me.organizationId) return path;
  return path + (path.includes('?') ? '&' : '?') + 'organizationId=' + encodeURIComponent(state.orgId);
}

export function authHeaders(extra = {}) {
  return { Authorization: 'Bearer ' + key.get(), ...extra };
}

export function problemText(status, body) {
  if (!body) return 'HTTP ' + status;
  const refused = Array.isArray(body.refused) && body.refused.length
    ? ' (' + body.refused.map((x) => x.account + ': ' + x.reason).join('; ') + ')' : '';
  return (body.detail || body.title || 'HTTP ' + status) + refused;
}

/// One API call. Resolves {status, body, headers}; throws ApiError for any status >= 400.
export async function call(method, path, { json, headers = {}, unscoped = false } = {}) {
  const all = authHeaders({ Accept: 'application/json', ...headers });
  if (json !== undefined) all['Content-Type'] = 'application/json';
  const response = await fetch(unscoped ? path : scoped(path), {
    method, headers: all, body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = response.status === 204 ? '' : await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(401, 'This API key was not accepted (wrong, or revoked): paste a valid one.', body);
  }
  if (!response.ok) throw new ApiError(response.status, problemText(response.status, body), body);
  return { status: response.status, body, headers: response.headers };
}

export const get = async (path, options) => (await call('GET', path, options)).body;

// ---- DOM helpers ------------------------------------------------------------------------------

/// el('button', {className: 'x', type: 'button', dataset: {id: 1}, onclick}, 'text', child…)
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name in node && name !== 'list' && name !== 'form') node[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

let uid = 0;
/// A labelled control: <label for=id>text</label> + the control.
export function field(text, control) {
  if (!control.id) control.id = 'f' + ++uid;
  return el('div', { className: 'field' }, el('label', { htmlFor: control.id }, text), control);
}

export function notice(text, kind = 'ok') {
  const box = document.getElementById('notice');
  box.textContent = text;
  box.dataset.kind = kind;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.hidden = false;
}

export function clearNotice() {
  const box = document.getElementById('notice');
  box.hidden = true;
  box.textContent = '';
}

/// Runs an action behind a button: disabled while it runs, errors shown as a notice.
export async function act(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (e) {
    notice(e.message, 'error');
    return undefined;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/// A platform's name without its qualifier: "Telegram" for "Telegram (channels and groups, Bot API)".
export function platformName(id) {
  const p = state.platforms.find((x) => x.id === id);
  return p ? p.name.replace(/\s*\(.*\)$/, '') : id || '—';
}

/// A view's answer to a 403: the role may not see it.
export function forbidden(section, what) {
  section.append(el('p', { className: 'muted role-note' }, what + ' is not available to your role.'));
}

/// Loads data for a view, turning 403 into the role note and other errors into a notice.
export async function load(section, what, loader) {
  try {
    return await loader();
  } catch (e) {
    if (e.status === 403) forbidden(section, what);
    else if (e.status !== 401) section.append(el('p', { className: 'error-text' }, what + ': ' + e.message));
    return undefined;
  }
}

export function heading(section, text, ...extra) {
  section.replaceChildren(el('h2', {}, text), ...extra);
}

/// A table that scrolls inside its own box at narrow widths.
export function table(headers, rows, className = '') {
  return el('div', { className: 'table-wrap' },
    el('table', { className },
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
}

export function statusBadge(status) {
  return el('span', { className: 'status status-' + status }, (status || '').replace('_', ' '));
}

/// A click handler that asks first (window.confirm), then runs `action` behind the button.
export function confirmed(question, action) {
  return (ev) => {
    const button = ev.currentTarget;
    if (window.confirm(typeof question === 'function' ? question() : question)) act(button, action);
  };
}
