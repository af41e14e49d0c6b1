/// GET /social-media: the dashboard page. One static page and its script, embedded in the binary;
/// the script talks to the REST API with the API key the user types (kept in sessionStorage).
#include "api/Routes.h"
#include "app/Host.h"
#include "app/PluginSettings.h"
#include "http/Exchange.h"
#include "http/Router.h"
#include "plugins/PluginRegistry.h"

#include <boost/json.hpp>

#include <algorithm>

namespace marketsage::api {
namespace {

constexpr const char* page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MarketSage — social accounts</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 24px;display:flex;gap:16px;align-items:center}
header h1{font-size:18px;margin:0;flex:1}
main{max-width:960px;margin:24px auto;padding:0 16px}
section{background:#fff;border-radius:8px;padding:16px 20px;margin-bottom:16px;box-shadow:0 1px 2px #0001}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:6px 8px;border-bottom:1px solid #eee}
button{font:inherit;padding:4px 12px;border-radius:6px;border:1px solid #99a;background:#fff;cursor:pointer}
button.primary{background:#2d5bff;color:#fff;border-color:#2d5bff}
.notice{padding:8px 12px;border-radius:6px;margin-bottom:16px}.ok{background:#e5f6ea}.bad{background:#fde8e8}
.muted{color:#5b6170;margin:4px 0}.status-healthy{color:#17803d}.status-expired,.status-invalid{color:#b42318}.status-rate_limited{color:#b54708}
input,textarea{font:inherit;padding:4px 8px;width:28em;max-width:100%}
form.credential{margin:8px 0}form.credential label{display:block;margin-top:4px}
@media (max-width:640px){header{padding:12px 16px}main{padding:0 8px}section{padding:12px}
 table,tbody,tr,td{display:block}thead{display:none}tr{padding:8px 0;border-bottom:1px solid #eee}
 td{border:0;padding:2px 0;overflow-wrap:anywhere}input,textarea{width:100%;box-sizing:border-box}}
</style>
</head>
<body>
<header><h1>MarketSage — social accounts</h1><span id="who"></span><button id="signout" hidden>Forget key</button></header>
<main>
<div id="notice" class="notice" hidden></div>
<section id="login" hidden>
  <h2>API key</h2>
  <p>Paste an API key of your organization. It stays in this browser tab only.</p>
  <form id="keyform"><input id="key" type="password" autocomplete="off" placeholder="msk_…" required> <button class="primary">Use key</button></form>
</section>
<section id="platforms" hidden><h2>Connect an account</h2><div id="platformlist"></div></section>
<section id="connections" hidden>
  <h2>Connected accounts</h2>
  <table><thead><tr><th>Platform</th><th>Account</th><th>Status</th><th>Token expires</th><th>Last error</th><th></th></tr></thead><tbody id="rows"></tbody></table>
</section>
</main>
<script src="/social-media/app.js"></script>
</body>
</html>
)html";

constexpr const char* script = R"js('use strict';
const $ = (id) => document.getElementById(id);
const keyOf = () => sessionStorage.getItem('marketsage.key');
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
function notice(text, good) { const n = $('notice'); n.textContent = text; n.className = 'notice ' + (good ? 'ok' : 'bad'); n.hidden = false; }
async function api(method, path, accept, json) {
  const headers = { Authorization: 'Bearer ' + keyOf(), Accept: accept || 'application/json' };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401) {
    // A wrong or revoked key: forget it and ask for another at once.
    sessionStorage.removeItem('marketsage.key'); $('login').hidden = false; $('signout').hidden = true;
    $('platforms').hidden = true; $('connections').hidden = true;
    throw new Error('This API key was not accepted (wrong, or revoked): paste a valid one.');
  }
  if (!response.ok) {
    const refused = body && body.refused ? ' (' + body.refused.map((x) => x.account + ': ' + x.reason).join('; ') + ')' : '';
    throw new Error(((body && (body.detail || body.title)) || ('HTTP ' + response.status)) + refused);
  }
  return body;
}
// Platforms without OAuth (a Telegram bot): the credential, and the chats to post to, since the
// platform cannot list them.
function credentialForm(p) {
  const form = el('form', undefined, 'credential');
  const id = 'cred-' + p.id;
  const secretLabel = el('label', (p.defaultCredential ? 'Bot token (optional: this host has a default bot)' : 'Bot token') + ' ');
  const secret = el('input'); secret.type = 'password'; secret.autocomplete = 'off'; secret.id = id + '-token'; secret.required = !p.defaultCredential;
  secretLabel.htmlFor = secret.id;
  const namesLabel = el('label', 'Chats to post to, one per line (@channel or -100… id) ');
  const names = el('textarea'); names.id = id + '-chats'; names.rows = 3; names.required = true; namesLabel.htmlFor = names.id;
  const submit = el('button', 'Connect ' + p.name, 'primary');
  form.append(el('h3', p.name), secretLabel, secret, el('br'), namesLabel, names, el('br'), submit);
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const body = { accounts: names.value.split('\n').map((s) => s.trim()).filter((s) => s) };
    if (secret.value.trim()) body.credential = secret.value.trim();
    try {
      const r = await api('POST', '/api/social-media/connect/' + encodeURIComponent(p.id), undefined, body);
      const refused = r.refused.map((x) => x.account + ': ' + x.reason).join('; ');
      notice('Connected ' + r.connected + ' chat(s) on ' + p.name + '.' + (refused ? ' Not connected: ' + refused : ''), true);
      secret.value = ''; names.value = ''; load();
    } catch (e) { notice(e.message, false); }
  };
  return form;
}
async function load() {
  if (!keyOf()) { $('login').hidden = false; return; }
  $('login').hidden = true; $('signout').hidden = false;
  try {
    const [platforms, health] = await Promise.all([api('GET', '/api/social-media/platforms'), api('GET', '/api/social-media/health')]);
    const list = $('platformlist'); list.replaceChildren();
    const names = new Map(platforms.map((p) => [p.id, p.name]));
    for (const p of platforms) {
      if (p.connect === 'oauth' && !p.configured) {
        list.append(el('p', p.name + ': not set up on this host yet (the operator adds the app\'s client id and secret).', 'muted'));
      } else if (p.connect === 'oauth') {
        const b = el('button', 'Connect ' + p.name, 'primary');
        b.onclick = async () => {
          try { const r = await api('GET', '/api/social-media/connect/' + encodeURIComponent(p.id)); window.location.assign(r.authorizeUrl); }
          catch (e) { notice(e.message, false); }
        };
        list.append(b, ' ');
      } else if (p.connect === 'credential') {
        list.append(credentialForm(p));
      }
    }
    if (!list.childElementCount) list.append(el('p', 'No platform plugin that can connect accounts is enabled on this host.'));
    $('platforms').hidden = false;
    const rows = $('rows'); rows.replaceChildren();
    for (const c of health) {
      const tr = el('tr');
      tr.append(el('td', names.get(c.platform) || c.platform), el('td', c.accountName + ' (' + c.accountId + ')'), el('td', c.status, 'status-' + c.status),
                el('td', c.tokenExpiresAt ? new Date(c.tokenExpiresAt).toLocaleString() : '—'), el('td', c.lastError || ''));
      const actions = el('td');
      const refresh = el('button', c.canRefresh ? 'Refresh' : 'Check');
      refresh.onclick = async () => { try { await api('POST', '/api/social-media/connections/' + c.connectionId + '/refresh'); notice(c.canRefresh ? 'Token refreshed.' : 'The token still works.', true); load(); } catch (e) { notice(e.message, false); } };
      const remove = el('button', 'Disconnect');
      remove.onclick = async () => { if (!confirm('Disconnect ' + c.accountName + '?')) return; try { await api('DELETE', '/api/social-media/connections/' + c.connectionId); load(); } catch (e) { notice(e.message, false); } };
      actions.append(refresh, ' ', remove); tr.append(actions); rows.append(tr);
    }
    if (!health.length) { const tr = el('tr'); const td = el('td', 'No account connected yet.'); td.colSpan = 6; tr.append(td); rows.append(tr); }
    $('connections').hidden = false;
  } catch (e) { notice(e.message, false); }
}
$('keyform').onsubmit = (ev) => { ev.preventDefault(); sessionStorage.setItem('marketsage.key', $('key').value.trim()); $('key').value = ''; load(); };
$('signout').onclick = () => { sessionStorage.removeItem('marketsage.key'); location.replace('/social-media'); };
const params = new URLSearchParams(location.search);
if (params.get('error')) notice('Connecting ' + (params.get('platform') || 'the account') + ' failed: ' + (params.get('message') || params.get('error')), false);
else if (params.get('connected')) notice('Connected ' + params.get('connected') + ' account(s) on ' + params.get('platform') + '.', true);
// Said once: a reload or a later action does not show it again.
if (params.has('error') || params.has('connected')) history.replaceState(null, '', location.pathname);
load();
)js";

void sendAsset(http::Exchange& ex, const char* type, const char* body) {
  auto& response = ex.response();
  // The page runs only its own script and talks only to this host.
  response.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; "
                                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  ex.sendText(200, type, body);
}

/// The enabled platforms and what each can do, for the dashboard's connect buttons.
void platforms(http::Exchange& ex) {
  boost::json::array out;
  for (const auto& info : ex.host().plugins().list()) {
    if (!info.enabled) continue;
    boost::json::array capabilities;
    for (const auto& c : info.capabilities) capabilities.emplace_back(c);
    // How an account is connected: the OAuth consent flow, or a credential the user gives (a bot
    // token) with the accounts named; and whether the instance has a default credential.
    const bool oauth = std::find(info.capabilities.begin(), info.capabilities.end(), "oauth") != info.capabilities.end();
    const bool accounts = std::find(info.capabilities.begin(), info.capabilities.end(), "accounts") != info.capabilities.end();
    const auto settings = app::pluginSettings(ex.host().config(), info.id);
    const auto* fallback = settings.values.if_contains("bot_token");
    // An OAuth platform needs the operator's app (client id) before anyone can connect; a
    // credential platform takes each organization's own.
    const auto* clientId = settings.values.if_contains("client_id");
    const bool configured = oauth ? clientId && clientId->is_string() && !clientId->get_string().empty() : accounts;
    out.push_back({{"id", info.id},
                   {"name", info.name},
                   {"version", info.version},
                   {"capabilities", capabilities},
                   {"status", info.status},
                   {"connect", oauth ? "oauth" : accounts ? "credential" : "none"},
                   {"defaultCredential", fallback && fallback->is_string() && !fallback->get_string().empty()},
                   {"configured", configured}});
  }
  ex.send(200, out);
}

}  // namespace

void addDashboardRoutes(http::Router& router) {
  router.add("GET", "/social-media", http::Access::Public, [](http::Exchange& ex) { sendAsset(ex, "text/html; charset=utf-8", page); });
  router.add("GET", "/social-media/app.js", http::Access::Public,
             [](http::Exchange& ex) { sendAsset(ex, "text/javascript; charset=utf-8", script); });
  router.add("GET", "/api/social-media/platforms", http::Access::Authenticated, platforms);
}

}  // namespace marketsage::api
