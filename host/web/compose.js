// Compose: content with a live per-target counter (the plugins' own limits, asked from the host),
// the accounts, media from the library or uploaded with progress, a few per-platform options, a
// preview, now or at a time in a chosen zone, and each target's result as it settles.
import { state, call, get, can, el, field, notice, act, scoped, authHeaders, problemText, platformName, heading, load, forbidden, statusBadge } from './api.js';
import { resultList, settled } from './results.js';

const CHECK_DELAY_MS = 300;

export async function render(section) {
  heading(section, 'Compose');
  if (!can('post')) { forbidden(section, 'Posting'); return; }
  const [connections, media] = await Promise.all([
    load(section, 'Connected accounts', () => get('/api/social-media/connections')),
    load(section, 'Media library', () => get('/api/social-media/media')),
  ]);
  if (!connections) return;
  new Composer(section, connections.filter((c) => c.status === 'active'), media || []).mount();
}

/// 'YYYY-MM-DD' + 'HH:MM' in an IANA zone → the UTC instant, as RFC 3339.
export function zonedToUtc(date, time, zone) {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const offsetAt = (instant) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - instant;
  };
  let utc = wall - offsetAt(wall);
  utc = wall - offsetAt(utc);  // across a DST change the offset at the answer is the one that counts
  return new Date(utc).toISOString().replace('.000Z', 'Z');
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

function zones() {
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const all = Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : [];
  const list = new Set([browser, 'UTC', ...all]);
  return { browser, list: [...list] };
}

function pad(n) { return String(n).padStart(2, '0'); }

class Composer {
  constructor(section, connections, media) {
    this.section = section;
    this.connections = connections;
    this.media = media;
    this.idempotencyKey = null;  // one per form state: a double click sends the same key
    this.checkTimer = 0;
    this.validateMissing = false;
  }

  mount() {
    const s = this.section;
    this.content = el('textarea', { id: 'content', rows: 6, maxLength: 100000 });
    this.targets = el('fieldset', { className: 'targets' }, el('legend', {}, 'Post to'));
    if (!this.connections.length) {
      this.targets.append(el('p', { className: 'muted' }, 'No active account: connect one under Accounts first.'));
    }
    for (const c of this.connections) {
      const box = el('input', { type: 'checkbox', name: 'target', value: c.id, id: 'target-' + c.id, dataset: { platform: c.platform } });
      this.targets.append(el('div', { className: 'target' },
        box, el('label', { htmlFor: box.id }, platformName(c.platform) + ' — ' + (c.accountName || c.accountId)),
        el('span', { className: 'counter', dataset: { connectionId: c.id }, ariaLive: 'polite' }),
        el('ul', { className: 'issues', dataset: { connectionId: c.id } })));
    }
    this.form = el('form', { className: 'compose', noValidate: true },
      field('Content', this.content), this.targets, this.mediaPicker(), this.optionFields(), this.whenFields(),
      el('div', { className: 'actions' }, this.submit = el('button', { type: 'submit', id: 'submit-post', className: 'primary' }, 'Post')));
    this.preview = el('div', { className: 'previews', ariaLabel: 'Preview' });
    this.results = el('div', { id: 'results', ariaLive: 'polite' });
    s.append(el('div', { className: 'compose-grid' }, this.form,
      el('aside', {}, el('h3', {}, 'Preview'), this.preview)), this.results);
    this.form.addEventListener('input', () => this.changed());
    this.form.addEventListener('change', () => this.changed());
    this.form.addEventListener('submit', (ev) => { ev.preventDefault(); this.send(); });
    this.changed();
  }

  mediaPicker() {
    this.library = el('div', { className: 'media-library' });
    this.renderLibrary();
    const file = el('input', { type: 'file', id: 'media-file', accept: 'image/*,video/*', multiple: true });
    file.addEventListener('change', () => { this.upload([...file.files]); file.value = ''; });
    this.progress = el('progress', { max: 100, value: 0, hidden: true, id: 'upload-progress' });
    const zone = el('div', { id: 'dropzone', className: 'dropzone' }, 'Drop images or videos here to upload them');
    zone.addEventListener('dragover', (ev) => { ev.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (ev) => { ev.preventDefault(); zone.classList.remove('over'); this.upload([...ev.dataTransfer.files]); });
    return el('fieldset', { className: 'media' }, el('legend', {}, 'Media'), this.library,
      field('Upload a file', file), zone, el('label', { htmlFor: 'upload-progress', className: 'sr-only' }, 'Upload progress'), this.progress);
  }

  renderLibrary(checked = new Set()) {
    for (const box of this.library.querySelectorAll('input[name=media]:checked')) checked.add(box.value);
    this.library.replaceChildren(...this.media.map((m) => {
      const box = el('input', { type: 'checkbox', name: 'media', value: m.id, id: 'media-' + m.id, checked: checked.has(m.id) });
      return el('div', { className: 'media-item', dataset: { mediaId: m.id } }, box,
        el('label', { htmlFor: box.id }, (m.originalName || m.id) + ' (' + m.kind + ', ' + Math.round(m.size / 1024) + ' KB)'));
    }));
    if (!this.media.length) this.library.append(el('p', { className: 'muted' }, 'The media library is empty.'));
  }

  upload(files) {
    const one = (f) => new Promise((resolve, reject) => {
      // The raw file as the body (the host reads its type from the bytes), with upload progress.
      const xhr = new XMLHttpRequest();
      xhr.open('POST', scoped('/api/social-media/media?filename=' + encodeURIComponent(f.name)));
      for (const [k, v] of Object.entries(authHeaders({ Accept: 'application/json' }))) xhr.setRequestHeader(k, v);
      xhr.setRequestHeader('Content-Type', f.type || 'application/octet-stream');
      xhr.upload.addEventListener('progress', (ev) => { if (ev.lengthComputable) this.progress.value = Math.round((100 * ev.loaded) / ev.total); });
      xhr.addEventListener('load', () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch { body = null; }
        if (xhr.status === 201) resolve(body); else reject(new Error(f.name + ': ' + problemText(xhr.status, body)));
      });
      xhr.addEventListener('error', () => reject(new Error(f.name + ': the upload did not reach the host')));
      xhr.send(f);
    });
    return act(null, async () => {
      this.progress.hidden = false;
      const added = new Set();
      try {
        for (const f of files) {
          this.progress.value = 0;
          const item = await one(f);
          this.media.unshift(item);
          added.add(item.id);
        }
      } finally {
        this.progress.hidden = true;
        this.renderLibrary(added);
        this.changed();
      }
      notice('Uploaded ' + added.size + ' file(s).', 'ok');
    });
  }

  optionFields() {
    this.thread = el('textarea', { rows: 3, id: 'opt-twitter-thread' });
    this.ytTitle = el('input', { type: 'text', maxLength: 100, id: 'opt-youtube-title' });
    this.ytPrivacy = el('select', { id: 'opt-youtube-privacy' }, ['public', 'unlisted', 'private'].map((v) => el('option', { value: v }, v)));
    this.tgSilent = el('input', { type: 'checkbox', id: 'opt-telegram-silent' });
    this.optionBoxes = {
      twitter: el('div', { className: 'option-group', dataset: { platform: 'twitter' } },
        field('X thread: further posts, separated by a line with only ---', this.thread)),
      youtube: el('div', { className: 'option-group', dataset: { platform: 'youtube' } },
        field('YouTube title (default: the first line)', this.ytTitle), field('YouTube privacy', this.ytPrivacy)),
      telegram: el('div', { className: 'option-group check', dataset: { platform: 'telegram' } },
        this.tgSilent, el('label', { htmlFor: this.tgSilent.id }, 'Telegram: send without notification sound')),
    };
    return el('fieldset', { className: 'options' }, el('legend', {}, 'Per-platform options'),
      el('p', { className: 'muted', id: 'no-options' }, 'Pick X, YouTube or Telegram accounts for their options.'),
      Object.values(this.optionBoxes));
  }

  whenFields() {
    const now = el('input', { type: 'radio', name: 'when', id: 'when-now', value: 'now', checked: true });
    const later = el('input', { type: 'radio', name: 'when', id: 'when-later', value: 'later' });
    const soon = new Date(Date.now() + 60 * 60 * 1000);
    this.date = el('input', { type: 'date', id: 'schedule-date', value: soon.getFullYear() + '-' + pad(soon.getMonth() + 1) + '-' + pad(soon.getDate()) });
    this.time = el('input', { type: 'time', id: 'schedule-time', value: pad(soon.getHours()) + ':00' });
    const { browser, list } = zones();
    this.zone = el('select', { id: 'schedule-tz' }, list.map((z) => el('option', { value: z, selected: z === browser }, z)));
    this.later = later;
    this.schedule = el('div', { className: 'schedule' }, field('Date', this.date), field('Time', this.time), field('Time zone', this.zone));
    return el('fieldset', { className: 'when' }, el('legend', {}, 'When'),
      el('div', { className: 'check' }, now, el('label', { htmlFor: now.id }, 'Post now')),
      el('div', { className: 'check' }, later, el('label', { htmlFor: later.id }, 'Schedule')), this.schedule);
  }

  selected() {
    return [...this.form.querySelectorAll('input[name=target]:checked')].map((b) => this.connections.find((c) => c.id === b.value));
  }

  body() {
    const targets = this.selected();
    const platforms = new Set(targets.map((c) => c.platform));
    const body = { content: this.content.value, targets: targets.map((c) => c.id) };
    const media = [...this.form.querySelectorAll('input[name=media]:checked')].map((b) => b.value);
    if (media.length) body.media = media;
    const options = {};
    const parts = this.thread.value.split(/\n-{3,}\n?/).map((s) => s.trim()).filter(Boolean);
    if (platforms.has('twitter') && parts.length) options.twitter = { thread: parts.map((content) => ({ content })) };
    if (platforms.has('youtube')) {
      options.youtube = { privacyStatus: this.ytPrivacy.value };
      if (this.ytTitle.value.trim()) options.youtube.title = this.ytTitle.value.trim();
    }
    if (platforms.has('telegram') && this.tgSilent.checked) options.telegram = { disable_notification: true };
    if (Object.keys(options).length) body.options = options;
    if (this.later.checked) body.scheduledTime = zonedToUtc(this.date.value, this.time.value, this.zone.value);
    return body;
  }

  changed() {
    this.idempotencyKey = null;  // another form state: another post
    const targets = this.selected();
    const platforms = new Set(targets.map((c) => c.platform));
    for (const [platform, box] of Object.entries(this.optionBoxes)) box.hidden = !platforms.has(platform);
    this.form.querySelector('#no-options').hidden = Object.keys(this.optionBoxes).some((p) => platforms.has(p));
    this.schedule.hidden = !this.later.checked;
    this.submit.textContent = this.later.checked ? 'Schedule' : 'Post now';
    for (const counter of this.form.querySelectorAll('.counter')) {
      if (!targets.some((c) => c.id === counter.dataset.connectionId)) counter.textContent = '';
    }
    this.renderPreview(targets);
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.check(), CHECK_DELAY_MS);
  }

  renderPreview(targets) {
    const media = [...this.form.querySelectorAll('input[name=media]:checked')]
      .map((b) => this.media.find((m) => m.id === b.value)).filter(Boolean);
    this.preview.replaceChildren(...targets.map((c) => el('div', { className: 'preview preview-' + c.platform },
      el('div', { className: 'preview-head' }, el('strong', {}, c.accountName || c.accountId), ' · ' + platformName(c.platform)),
      c.platform === 'youtube' && this.ytTitle.value ? el('div', { className: 'preview-title' }, this.ytTitle.value) : null,
      el('div', { className: 'preview-text' }, this.content.value || '(no text)'),
      media.length ? el('ul', { className: 'preview-media' }, media.map((m) => el('li', {}, m.kind + ': ' + (m.originalName || m.id)))) : null)));
    if (!targets.length) this.preview.append(el('p', { className: 'muted' }, 'Pick an account to see how the post looks there.'));
  }

  /// Asks the host how each selected target's plugin judges the post (counts and issues).
  async check() {
    const targets = this.selected();
    const plainCount = [...this.content.value].length;
    if (!targets.length) return;
    if (this.validateMissing) {
      for (const c of targets) this.counterOf(c.id).textContent = String(plainCount);
      return;
    }
    let body;
    try { body = this.body(); } catch { return; }
    let answer;
    try {
      answer = (await call('POST', '/api/social-media/posts/validate', { json: body })).body;
    } catch (e) {
      if (e.status === 404 || e.status === 405) { this.validateMissing = true; this.check(); }
      return;  // a draft the host cannot judge yet (no text): nothing to say
    }
    for (const t of (answer && answer.targets) || []) {
      const counter = this.counterOf(t.connectionId);
      const issues = this.form.querySelector('.issues[data-connection-id="' + CSS.escape(t.connectionId) + '"]');
      if (!counter) continue;
      counter.textContent = t.length ? t.length.used + ' / ' + t.length.limit : String(plainCount);
      counter.classList.toggle('over', Boolean(t.length && t.length.used > t.length.limit) || t.ok === false);
      issues.replaceChildren(...(t.issues || []).map((i) => el('li', {}, (i.field ? i.field + ': ' : '') + i.message)));
    }
  }

  counterOf(id) {
    return this.form.querySelector('.counter[data-connection-id="' + CSS.escape(id) + '"]');
  }

  send() {
    return act(this.submit, async () => {
      const body = this.body();
      if (!body.targets.length) throw new Error('Pick at least one account to post to.');
      if (!body.content.trim() && !body.media) throw new Error('Write something or pick media.');
      if (!this.idempotencyKey) this.idempotencyKey = newKey();
      const answer = await call('POST', '/api/social-media/posts', { json: body, headers: { 'Idempotency-Key': this.idempotencyKey } });
      let post = answer.body;
      this.showResults(post);
      const location = answer.headers.get('Location') || '/api/social-media/posts/' + encodeURIComponent(post.id);
      while (answer.status === 202 && !settled(post)) {
        await new Promise((r) => setTimeout(r, 1500));
        if (!this.results.isConnected) return;
        post = await get(location, { unscoped: location.includes('organizationId=') });
        this.showResults(post);
      }
      notice(body.scheduledTime ? 'Scheduled for ' + new Date(body.scheduledTime).toLocaleString() + '.' : 'Every target has settled.', 'ok');
    });
  }

  showResults(post) {
    const first = !this.results.childElementCount;
    this.results.replaceChildren(el('h3', {}, 'Results'), el('p', {}, 'Post ', statusBadge(post.status)), resultList(post, this.connections));
    if (first) this.results.scrollIntoView({ block: 'nearest' });
  }
}
