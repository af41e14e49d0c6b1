// The dashboard: sign-in with an API key, who is signed in, the organization a SUPER_ADMIN acts
// in, and hash routing between the views (#/accounts, #/compose …), each a module of its own.
import { state, key, get, can, el, notice, clearNotice, onUnauthorized, platformName } from './api.js';
import * as accounts from './accounts.js';
import * as compose from './compose.js';
import * as calendar from './calendar.js';
import * as analytics from './analytics.js';
import * as errors from './errors.js';
import * as team from './team.js';

const views = { accounts, compose, calendar, analytics, errors, team };
const $ = (id) => document.getElementById(id);

function showSignIn(message) {
  key.clear();
  state.me = null;
  $('signin-view').hidden = false;
  $('who-box').hidden = true;
  $('nav').hidden = true;
  $('readonly-notice').hidden = true;
  for (const section of document.querySelectorAll('section.view')) { section.hidden = true; section.replaceChildren(); }
  if (message) notice(message, 'error');
  $('key').focus();
}

onUnauthorized(() => showSignIn('This API key was not accepted (wrong, or revoked): paste a valid one.'));

function currentView() {
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1];
  if (name === 'team' && !can('manageUsers')) return 'accounts';
  return views[name] ? name : 'accounts';
}

let rendering = 0;
async function route() {
  if (!state.me) return;
  const name = currentView();
  for (const [id] of Object.entries(views)) {
    const link = $('nav-' + id);
    if (id === name) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    $('view-' + id).hidden = id !== name;
  }
  const section = $('view-' + name);
  const mine = ++rendering;
  section.setAttribute('aria-busy', 'true');
  try {
    await views[name].render(section);
  } catch (e) {
    if (mine === rendering && e.status !== 401) notice(e.message, 'error');
  } finally {
    section.removeAttribute('aria-busy');
  }
}

function showWho() {
  const me = state.me;
  $('whoami').textContent = me.email + ' · ' + me.role + ' · ' + (state.orgName || me.organizationId);
}

async function whoAmI() {
  const me = await get('/api/me', { unscoped: true });
  state.me = me;
  state.orgId = me.organizationId;
  state.orgName = me.organizationName;
  state.platforms = await get('/api/social-media/platforms', { unscoped: true }).catch(() => []);
  showWho();
  $('signin-view').hidden = true;
  $('who-box').hidden = false;
  $('nav').hidden = false;
  $('nav-team').hidden = !can('manageUsers');
  $('readonly-notice').hidden = me.role !== 'GUEST';
  const orgBox = $('org-box');
  orgBox.hidden = me.role !== 'SUPER_ADMIN';
  if (me.role === 'SUPER_ADMIN') {
    const orgs = await get('/api/orgs', { unscoped: true }).catch(() => []);
    const select = $('org-switch');
    select.replaceChildren(...orgs.map((o) => el('option', { value: o.id, selected: o.id === me.organizationId }, o.name)));
  }
}

async function start() {
  if (!key.get()) { showSignIn(); return; }
  try {
    await whoAmI();
  } catch (e) {
    if (e.status !== 401) showSignIn(e.message);
    return;
  }
  if (fromCallback && !$('notice').hidden) callbackNotice();
  await route();
}

$('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const value = $('key').value.trim();
  if (!value) return;
  key.set(value);
  $('key').value = '';
  clearNotice();
  start();
});
$('signout').addEventListener('click', () => { showSignIn(); clearNotice(); history.replaceState(null, '', location.pathname); });
$('org-switch').addEventListener('change', (ev) => {
  state.orgId = ev.target.value;
  const option = ev.target.selectedOptions[0];
  state.orgName = option ? option.textContent : '';
  showWho();
  notice('Acting in ' + state.orgName + '.', 'ok');
  route();
});
window.addEventListener('hashchange', async () => {
  clearNotice();
  await route();
  // Keyboard and screen-reader users land on the view they opened.
  const title = document.querySelector('section.view:not([hidden]) h2');
  if (title) { title.tabIndex = -1; title.focus({ preventScroll: true }); }
});

// The outcome of an OAuth connect flow comes back in the URL: said once, then taken out of it so
// that a reload or a later action does not show it again. Said again with the platform's name once
// the platforms are known.
const params = new URLSearchParams(location.search);
function callbackNotice() {
  const platform = params.get('platform') ? platformName(params.get('platform')) : '';
  if (params.has('error')) {
    notice('Connecting ' + (platform || 'the account') + ' failed: ' + (params.get('message') || params.get('error')), 'error');
  } else if (params.has('connected')) {
    notice('Connected ' + params.get('connected') + ' account(s) on ' + (platform || 'the platform') + '.', 'ok');
  }
}
const fromCallback = params.has('error') || params.has('connected');
if (fromCallback) {
  callbackNotice();
  history.replaceState(null, '', location.pathname + location.hash);
}

start();

