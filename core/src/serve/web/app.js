// regscan dashboard: plain JavaScript on the JSON API (/api/v1, docs/serve-api.yaml).
//
// Every string that came from the server (and so maybe from a registry: repository
// names, tags, labels, package names, error texts) reaches the DOM only as a text node
// (el() below, textContent). Nothing here writes innerHTML, and the CSP
// (script-src 'self') forbids inline script, so an attacker's text stays text.
'use strict';

(function () {
  const API = '/api/v1';
  const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'];
  const STATUSES = ['scanned', 'failed', 'scan_failed'];
  const POLL_MS = 1000;
  // The Images page while an import runs: asks again this often and redraws
  // only when the answer changed (a list redrawn every second is hard to click).
  const IMAGES_POLL_MS = 3000;
  const main = document.getElementById('main');
  let pollTimer = null;
  let renderToken = 0; // a view started later wins over a slower earlier one
  let keepMessage = false; // a message said just before a navigation outlives it once

  // ---- DOM helpers -------------------------------------------------------

  // el('a', {href: '#/x', className: 'y'}, 'text', child): children that are
  // strings or numbers become text nodes; null/undefined/false are skipped.
  // Characters that reorder or break the text around them ("evil<RLO>fdp.exe"
  // reads "evilexe.pdf"), and those that show nothing (zero-width, U+FEFF,
  // tag characters: "admin<ZWSP>" passes for "admin") are shown as \u{202e},
  // as the reports show them (util::escape_control's list); in such a text a
  // backslash is shown doubled, so that a literal "\u{202e}" cannot pass for
  // an escaped one.
  // One list for the test and the replacement, so that they cannot drift apart.
  const FORMAT_CLASS = String.raw`\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\u{e0000}-\u{e007f}`;
  const FORMAT_CHARACTERS = new RegExp('[' + FORMAT_CLASS + ']', 'u');
  const SHOWN = new RegExp(String.raw`[\\` + FORMAT_CLASS + ']', 'gu');
  function shown(value) {
    const string = String(value);
    if (!FORMAT_CHARACTERS.test(string)) return string;
    return string.replace(SHOWN,
      (c) => (c === '\\' ? '\\\\' : '\\u{' + c.codePointAt(0).toString(16).padStart(4, '0') + '}'));
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else if (key === 'dataset') {
        Object.assign(node.dataset, value);
      } else if (key === 'title' || key === 'textContent') {
        node[key] = shown(value);
      } else if (key in node && key !== 'list' && key !== 'form') {
        node[key] = value;
      } else {
        node.setAttribute(key, value === true ? '' : key.startsWith('aria-') ? shown(value) : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(shown(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function show(...children) {
    clear(main);
    append(main, children);
  }

  function say(text, kind) {
    const message = document.getElementById('message');
    message.textContent = text ? shown(text) : '';
    message.className = kind === 'info' ? 'info' : '';
    message.hidden = !text;
    keepMessage = !!text;
  }

  // A table with a header row of th (scope=col) and rows of cells; a cell is a
  // string/number/Node or an array of them.
  function table(caption, headers, rows, props) {
    const head = el('tr', null, headers.map((h) => (h instanceof Node ? h : el('th', { scope: 'col' }, h))));
    const body = el('tbody', null, rows.map((cells) => el('tr', null, cells.map((c) => (c instanceof HTMLTableCellElement ? c : el('td', null, c))))));
    return el('table', props, caption ? el('caption', { className: 'hint' }, caption) : null, el('thead', null, head), body);
  }

  function text(value) {
    if (value === undefined || value === null) return '';
    if (Array.isArray(value)) return value.map(text).join(', ');
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  // ---- formatting --------------------------------------------------------

  function when(iso) {
    if (!iso) return '';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    return date.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  }

  function duration(seconds) {
    if (seconds === undefined || seconds === null || seconds === '') return '';
    let s = Math.round(Number(seconds));
    if (!Number.isFinite(s)) return '';
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
  }

  function shortDigest(digest) {
    const d = String(digest || '');
    return d.startsWith('sha256:') ? d.slice(0, 19) : d;
  }

  function statusText(status) {
    return status === 'scan_failed' ? 'Scan Failed' : status === 'failed' ? 'Failed' : String(status || '');
  }

  // ---- API ---------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  // Cookie auth: a state-changing request carries X-Regscan-CSRF (the server
  // refuses one without it), which a cross-site form cannot send.
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-Regscan-CSRF'] = '1';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(API + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return null;
    let data = null;
    const type = response.headers.get('Content-Type') || '';
    if (type.includes('json')) data = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 && path !== '/session') {
        showLogin();
        throw new ApiError(401, 'Log in first.');
      }
      throw new ApiError(response.status, (data && data.error) || response.status + ' ' + response.statusText);
    }
    return data;
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== '' && v !== undefined && v !== null) q.set(k, v);
    const s = q.toString();
    return s ? '?' + s : '';
  }

  // ---- routing -----------------------------------------------------------

  function route() {
    const hash = location.hash || '#/images';
    const [path, search] = hash.slice(1).split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    return { parts, params: new URLSearchParams(search || '') };
  }

  function go(hash) {
    if (location.hash === hash) render(); else location.hash = hash;
  }

  function stopPolling() {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
  }

  function poll(fn, ms) {
    stopPolling();
    pollTimer = setTimeout(fn, ms || POLL_MS);
  }

  async function render() {
    stopPolling();
    const token = ++renderToken;
    delete main.dataset.rendered;
    if (!keepMessage) say('');
    keepMessage = false;
    const { parts, params } = route();
    document.getElementById('nav').hidden = false;
    for (const id of ['nav-connectors', 'nav-images']) {
      document.getElementById(id).removeAttribute('aria-current');
    }
    const section = parts[0] || 'images';
    const current = document.getElementById('nav-' + section);
    if (current) current.setAttribute('aria-current', 'page');
    try {
      if (section === 'connectors' && parts[1] === 'new') await connectorForm(null, token);
      else if (section === 'connectors' && parts[1]) await connectorForm(parts[1], token);
      else if (section === 'connectors') await connectorsPage(token);
      else if (section === 'imports' && parts[1]) await importPage(parts[1], token);
      else if (section === 'images' && parts[1]) await imagePage(parts[1], token);
      else await imagesPage(params, token);
      // Which address the view on screen shows: tests wait on it, people never see it.
      if (token === renderToken) main.dataset.rendered = location.hash || '#/images';
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      if (token === renderToken) show(el('h1', null, 'Error'), el('p', { className: 'failed' }, e.message));
    }
  }

  // ---- login -------------------------------------------------------------

  function showLogin() {
    stopPolling();
    renderToken++;
    document.getElementById('nav').hidden = true;
    const input = el('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true, size: 50 });
    const form = el('form', { className: 'login', id: 'login-form' },
      el('label', { htmlFor: 'token' }, 'Access token', input),
      el('p', { className: 'hint' }, 'regscan serve wrote it at first start into token in its data directory (mode 0600); it printed where.'),
      el('div', null, el('button', { type: 'submit' }, 'Log in')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api('POST', '/session', { token: input.value });
        input.value = '';
        say('');
        render();
      } catch (e) {
        say(e.status === 401 || e.status === 403 ? 'That token is not right.' : e.message);
      }
    });
    show(el('h1', null, 'Log in'), form);
    input.focus();
  }

  async function logout() {
    try { await api('DELETE', '/session'); } catch (e) { /* the session is gone either way */ }
    showLogin();
  }

  // ---- connectors --------------------------------------------------------

  function importSummary(imp) {
    if (!imp) return el('span', { className: 'empty' }, 'never');
    const parts = [
      el('span', { className: 'state-' + imp.state }, text(imp.state)), ' ',
      when(imp.finished_at || imp.started_at || imp.queued_at),
    ];
    if (imp.duration_seconds !== undefined && imp.duration_seconds !== null) parts.push(', took ' + duration(imp.duration_seconds));
    parts.push(el('br'), 'found ' + text(imp.images_found ?? 0) + ', new ' + text(imp.images_new ?? 0) + ', failed ' + text(imp.images_failed ?? 0));
    if (imp.error) parts.push(el('span', { className: 'reason' }, text(imp.error)));
    parts.push(el('br'), el('a', { href: '#/imports/' + encodeURIComponent(imp.id) }, 'reports'));
    return parts;
  }

  function progressCell(imp) {
    if (!imp) return '';
    const p = imp.progress || {};
    if (imp.state === 'queued') return el('span', { className: 'progress-text' }, 'queued');
    const done = Number(p.done || 0);
    const total = Number(p.total || 0);
    return [
      total ? el('progress', { max: total, value: done, 'aria-label': 'images done' }) : null,
      el('span', { className: 'progress-text' }, ' ' + done + ' / ' + (total || '?')),
      p.current ? el('span', { className: 'reason current-image' }, text(p.current)) : null,
    ];
  }

  function scheduleText(c) {
    const s = c.schedule || {};
    return s.enabled ? 'every ' + text(s.every) : 'off';
  }

  // The body of a PUT is the connector as POST takes it; "password" left out
  // keeps the stored one.
  function editableFields(c) {
    return {
      name: c.name, url: c.url, type: c.type || '', username: c.username || '',
      schedule: { enabled: !!(c.schedule && c.schedule.enabled), every: (c.schedule && c.schedule.every) || '12h' },
      allow: c.allow || [], deny: c.deny || [], platform: c.platform || '',
      max_tags_per_repo: c.max_tags_per_repo || 0, max_tag_age_days: c.max_tag_age_days || 0,
      image_timeout: c.image_timeout || '60m', options: c.options || {},
    };
  }

  // Asks first: an import of a large registry runs for hours.
  async function cancelImport(imp) {
    if (!window.confirm('Cancel import ' + imp.id + ' of ' + imp.connector + '? Images already scanned stay.')) return;
    await api('POST', '/imports/' + encodeURIComponent(imp.id) + '/cancel');
    say('Import ' + text(imp.id) + ' of ' + text(imp.connector) + ' is cancelled: it stops within seconds; images '
      + 'in flight are left for the next import.', 'info');
  }

  async function importNow(name) {
    const imp = await api('POST', '/connectors/' + encodeURIComponent(name) + '/imports');
    say('Import ' + text(imp && imp.id) + ' of ' + name + ' is ' + text(imp && imp.state) + '.', 'info');
    return imp;
  }

  function action(label, fn, className) {
    return el('button', {
      type: 'button', className: className || 'secondary',
      onclick: async (event) => {
        event.target.disabled = true;
        try { await fn(); } catch (e) { if (e.status !== 401) say(e.message); }
        render();
      },
    }, label);
  }

  async function connectorsPage(token) {
    const data = await api('GET', '/connectors');
    if (token !== renderToken) return;
    const connectors = data.connectors || [];
    const rows = connectors.map((c) => {
      const enc = encodeURIComponent(c.name);
      return [
        el('a', { href: '#/connectors/' + enc, className: 'connector-name' }, text(c.name)),
        el('span', { className: 'mono' }, text(c.url)),
        text(c.type) || 'identify',
        scheduleText(c),
        el('td', { className: 'last-import' }, importSummary(c.last_import)),
        when(c.next_run) || '',
        el('td', { className: 'running' }, progressCell(c.running)),
        el('td', null, el('div', { className: 'actions' },
          c.running ? action('Cancel import', () => cancelImport(c.running), 'danger cancel-import')
            : action('Import now', () => importNow(c.name), 'import-now'),
          action(c.schedule && c.schedule.enabled ? 'Disable schedule' : 'Enable schedule', async () => {
            const body = editableFields(c);
            body.schedule.enabled = !body.schedule.enabled;
            await api('PUT', '/connectors/' + enc, body);
          }),
          action('Remove', async () => {
            if (!window.confirm('Remove connector ' + c.name + '? Its images stay in the state.')) return;
            await api('DELETE', '/connectors/' + enc);
            say('Removed ' + c.name + '.', 'info');
          }, 'danger'))),
      ];
    });
    show(
      el('h1', null, 'Connectors'),
      el('p', null, el('a', { href: '#/connectors/new', className: 'button', id: 'new-connector' }, 'New connector')),
      connectors.length
        ? table(null, ['Name', 'URL', 'Type', 'Schedule', 'Last import', 'Next run', 'Running', 'Actions'], rows, { id: 'connectors' })
        : el('p', { className: 'empty', id: 'no-connectors' }, 'No connector yet.'));
    if (connectors.some((c) => c.running)) poll(() => { if (token === renderToken) render(); });
  }

  function field(label, input, hint) {
    return el('label', { htmlFor: input.id }, label, input, hint ? el('span', { className: 'hint' }, hint) : null);
  }

  function parseEvery(every) {
    const m = /^(\d+)([mhd])$/.exec(String(every || ''));
    return m ? { n: m[1], unit: m[2] } : { n: '12', unit: 'h' };
  }

  function lines(value) {
    return value.split('\n').map((s) => s.trim()).filter(Boolean);
  }

  async function connectorForm(name, token) {
    const existing = name ? await api('GET', '/connectors/' + encodeURIComponent(name)) : null;
    const imports = name ? await api('GET', '/imports' + query({ connector: name, limit: 20 })) : null;
    const types = (await api('GET', '/registry-types')).types || [];  // the server's plugins
    if (token !== renderToken) return;
    const c = existing || { schedule: { enabled: true, every: '12h' }, image_timeout: '60m' };
    const every = parseEvery(c.schedule && c.schedule.every);
    const input = (id, props) => el('input', Object.assign({ id, name: id }, props));
    const f = {
      name: input('f-name', { value: c.name || '', required: true, pattern: '[A-Za-z0-9._\\-]{1,64}', readOnly: !!existing }),
      url: input('f-url', { value: c.url || '', required: true, type: 'url', placeholder: 'https://registry.example:443' }),
      type: el('select', { id: 'f-type', name: 'f-type' },
        el('option', { value: '', selected: !c.type }, 'identify from the URL'),
        types.map((t) => el('option', { value: t.type, selected: (c.type || '').toUpperCase() === t.type.toUpperCase(),
          title: text(t.description) }, text(t.type)))),
      username: input('f-username', { value: c.username || '', autocomplete: 'off' }),
      password: input('f-password', { type: 'password', autocomplete: 'new-password', placeholder: c.has_password ? 'stored; leave empty to keep' : '' }),
      enabled: input('f-enabled', { type: 'checkbox', checked: !!(c.schedule && c.schedule.enabled) }),
      everyN: input('f-every', { type: 'number', min: 1, value: every.n, required: true }),
      everyUnit: el('select', { id: 'f-every-unit', name: 'f-every-unit' },
        [['m', 'minutes'], ['h', 'hours'], ['d', 'days']].map(([v, t]) => el('option', { value: v, selected: every.unit === v }, t))),
      allow: el('textarea', { id: 'f-allow', name: 'f-allow', rows: 3, value: (c.allow || []).join('\n') }),
      deny: el('textarea', { id: 'f-deny', name: 'f-deny', rows: 3, value: (c.deny || []).join('\n') }),
      platform: input('f-platform', { value: c.platform || '', placeholder: 'linux/amd64' }),
      maxTags: input('f-max-tags', { type: 'number', min: 0, value: c.max_tags_per_repo || 0 }),
      maxAge: input('f-max-age', { type: 'number', min: 0, value: c.max_tag_age_days || 0 }),
      timeout: input('f-timeout', { value: c.image_timeout || '60m', pattern: '\\d+[smhd]?' }),
      options: el('textarea', { id: 'f-options', name: 'f-options', rows: 3, value: Object.entries(c.options || {}).map(([k, v]) => k + '=' + v).join('\n') }),
    };
    const body = () => {
      const b = {
        name: f.name.value.trim(), url: f.url.value.trim(), type: f.type.value, username: f.username.value,
        schedule: { enabled: f.enabled.checked, every: f.everyN.value + f.everyUnit.value },
        allow: lines(f.allow.value), deny: lines(f.deny.value), platform: f.platform.value.trim(),
        max_tags_per_repo: Number(f.maxTags.value || 0), max_tag_age_days: Number(f.maxAge.value || 0),
        image_timeout: f.timeout.value.trim(), options: {},
      };
      for (const line of lines(f.options.value)) {
        const at = line.indexOf('=');
        if (at > 0) b.options[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      if (f.password.value !== '') b.password = f.password.value;
      return b;
    };
    const save = async (andImport) => {
      if (!form.reportValidity()) return;
      const b = body();
      let saved;
      if (existing) {
        saved = await api('PUT', '/connectors/' + encodeURIComponent(existing.name), b);
        if (andImport) await importNow(saved.name);
      } else {
        b.import_now = andImport;
        saved = await api('POST', '/connectors', b);
      }
      f.password.value = '';
      if (!andImport) say('Saved ' + saved.name + '.', 'info');
      else if (!existing) say('Saved ' + saved.name + ' and queued an import.', 'info');
      go('#/connectors');
    };
    const submit = (andImport) => async (event) => {
      event.preventDefault();
      const buttons = form.querySelectorAll('button');
      buttons.forEach((b) => { b.disabled = true; });
      try { await save(andImport); } catch (e) { if (e.status !== 401) say(e.message); }
      buttons.forEach((b) => { b.disabled = false; });
    };
    const form = el('form', { className: 'edit', id: 'connector-form', noValidate: false },
      field('Name', f.name, existing ? 'a connector keeps its name' : 'letters, digits, . _ -'),
      field('URL', f.url),
      field('Type', f.type),
      field('Username', f.username),
      field('Password', f.password, 'write-only: never shown again; needed again to change the URL\'s host, '
        + 'port or scheme, the type or the plugin options'),
      el('fieldset', null, el('legend', null, 'Schedule import'),
        el('label', { className: 'check', htmlFor: 'f-enabled' }, f.enabled, 'enabled'),
        field('Every', f.everyN), field('Unit', f.everyUnit)),
      field('Allow list (one pattern a line)', f.allow),
      field('Deny list (one pattern a line)', f.deny),
      field('Platform', f.platform),
      field('Max tags per repository (0: all)', f.maxTags),
      field('Max tag age in days (0: any)', f.maxAge),
      field('Image timeout', f.timeout, 'past it an image is Scan Failed'),
      field('Plugin options (key=value a line)', f.options, (c.secret_options || []).length
        ? 'stored secret: ' + c.secret_options.join(', ') + ' (never shown; a line name= drops one)' : ''),
      el('div', { className: 'buttons' },
        el('button', { type: 'submit', id: 'save' }, 'Save'),
        el('button', { type: 'button', id: 'save-import', className: 'secondary', onclick: submit(true) }, 'Save & Import'),
        // "Import now" imports what is stored, without saving the edits.
        existing ? action('Import now', () => importNow(existing.name), 'secondary') : null,
        el('a', { href: '#/connectors', className: 'button secondary' }, 'Cancel')));
    form.addEventListener('submit', submit(false));
    const history = imports && (imports.imports || []).length
      ? [el('h2', null, 'Imports'), table(null, ['Import', 'Trigger', 'State', 'Queued', 'Took', 'Found', 'New', 'Failed', 'Error'],
        imports.imports.map((i) => [el('a', { href: '#/imports/' + encodeURIComponent(i.id) }, '#' + text(i.id)), text(i.trigger), text(i.state),
          when(i.queued_at), duration(i.duration_seconds), text(i.images_found), text(i.images_new), text(i.images_failed), text(i.error)]),
        { id: 'imports' })]
      : null;
    show(el('h1', null, existing ? 'Connector ' + existing.name : 'New connector'), form, history);
  }

  // ---- one import: state and its report downloads ------------------------

  async function importPage(id, token) {
    const imp = await api('GET', '/imports/' + encodeURIComponent(id));
    const reports = await api('GET', '/imports/' + encodeURIComponent(id) + '/reports').catch(() => ({ reports: [] }));
    if (token !== renderToken) return;
    const facts = [['Connector', el('a', { href: '#/connectors/' + encodeURIComponent(imp.connector) }, text(imp.connector))],
      ['Trigger', text(imp.trigger)], ['State', text(imp.state)], ['Registry type', text(imp.registry_type)],
      ['Queued', when(imp.queued_at)], ['Started', when(imp.started_at)], ['Finished', when(imp.finished_at)],
      ['Took', duration(imp.duration_seconds)], ['Images found', text(imp.images_found)],
      ['New', text(imp.images_new)], ['Failed', text(imp.images_failed)], ['Error', text(imp.error)]];
    const active = imp.state === 'running' || imp.state === 'queued';
    if (active) facts.push(['Progress', progressCell(imp)]);
    const list = reports.reports || [];
    show(el('h1', null, 'Import #' + text(imp.id)),
      el('dl', { className: 'facts' }, facts.map(([k, v]) => [el('dt', null, k), el('dd', null, v)])),
      active ? el('p', null, action('Cancel import', () => cancelImport(imp), 'danger cancel-import')) : null,
      el('h2', null, 'Reports'),
      list.length
        ? el('ul', { id: 'reports' }, list.map((r) => el('li', null, el('a', {
          href: API + '/imports/' + encodeURIComponent(imp.id) + '/reports/' + encodeURIComponent(r.name),
          download: r.name,
        }, text(r.name)), ' (' + text(r.format) + ')')))
        : el('p', { className: 'empty' }, 'No report (yet).'));
    if (imp.state === 'running' || imp.state === 'queued') poll(() => { if (token === renderToken) render(); });
  }

  // ---- images ------------------------------------------------------------

  // Scan Failed in the Vulnerabilities and Malware columns; the reason in full
  // under the status, and as the tooltip of these two.
  function scanFailedCell(className, row) {
    return el('td', { className: className + ' scan-failed', title: text(row.reason) || null, dataset: { reason: text(row.reason) } },
      'Scan Failed');
  }

  function vulnerabilityCell(row) {
    if (row.status === 'scan_failed') return scanFailedCell('vulns', row);
    const v = row.vulnerabilities || {};
    return el('td', { className: 'vulns' }, SEVERITIES.map((s) => {
      const n = Number(v[s] || 0);
      return el('span', { className: 'sev ' + (n ? s : 'zero'), title: s, dataset: { severity: s } }, String(n));
    }));
  }

  function malwareCell(row) {
    if (row.status === 'scan_failed') return scanFailedCell('malware', row);
    const m = row.malware || {};
    const verdict = text(m.verdict || 'not scanned').replace('not_scanned', 'not scanned');
    const extra = verdict === 'found' ? ' (' + text(m.found) + ')' : verdict === 'incomplete' ? ' (' + text(m.incomplete) + ' not examined)' : '';
    return el('td', { className: 'malware' + (verdict === 'found' ? ' malware-found' : '') }, verdict + extra);
  }

  function statusCell(row) {
    const bad = row.status === 'scan_failed' || row.status === 'failed';
    return el('td', { className: 'status' + (bad ? ' failed' : '') }, statusText(row.status),
      bad && row.reason ? el('span', { className: 'reason' }, text(row.reason)) : null);
  }

  const IMAGE_COLUMNS = [
    ['Repository', 'repository'], ['Tag', 'tag'], ['Digest', null], ['Platform', null], ['Connector', 'connector'],
    ['Last scanned', 'last_scanned'], ['Vulnerabilities', 'critical'], ['Malware', null], ['Status', 'status'],
  ];

  async function imagesPage(params, token) {
    const state = {
      connector: params.get('connector') || '', repository: params.get('repository') || '',
      severity: params.get('severity') || '', status: params.get('status') || '', q: params.get('q') || '',
      sort: params.get('sort') || 'repository', order: params.get('order') === 'desc' ? 'desc' : 'asc',
      limit: Math.min(500, Math.max(1, Number(params.get('limit')) || 50)), offset: Math.max(0, Number(params.get('offset')) || 0),
    };
    const [data, connectors] = await Promise.all([
      api('GET', '/images' + query(state)),
      api('GET', '/connectors').catch(() => ({ connectors: [] })),
    ]);
    if (token !== renderToken) return;
    const running = (connectors.connectors || []).filter((c) => c.running).map((c) => c.name);
    const hashFor = (changes) => '#/images' + query(Object.assign({}, state, changes));
    const total = Number(data.total || 0);
    const images = data.images || [];

    const option = (value, label, selected) => el('option', { value, selected: value === selected }, label);
    const filters = {
      connector: el('select', { id: 'filter-connector', name: 'connector' }, option('', 'any', state.connector),
        (connectors.connectors || []).map((c) => option(c.name, c.name, state.connector))),
      repository: el('input', { id: 'filter-repository', name: 'repository', value: state.repository }),
      severity: el('select', { id: 'filter-severity', name: 'severity' }, option('', 'any', state.severity),
        SEVERITIES.slice(0, 4).map((s) => option(s, 'at least one ' + s, state.severity))),
      status: el('select', { id: 'filter-status', name: 'status' }, option('', 'any', state.status),
        STATUSES.map((s) => option(s, statusText(s), state.status))),
      q: el('input', { id: 'filter-q', name: 'q', type: 'search', value: state.q, placeholder: 'repository, tag or digest' }),
    };
    const toolbar = el('form', { className: 'toolbar', id: 'image-filters', role: 'search' },
      el('label', { htmlFor: 'filter-connector' }, 'Connector', filters.connector),
      el('label', { htmlFor: 'filter-repository' }, 'Repository', filters.repository),
      el('label', { htmlFor: 'filter-severity' }, 'Severity', filters.severity),
      el('label', { htmlFor: 'filter-status' }, 'Status', filters.status),
      el('label', { htmlFor: 'filter-q' }, 'Search', filters.q),
      el('button', { type: 'submit' }, 'Apply'));
    toolbar.addEventListener('submit', (event) => {
      event.preventDefault();
      const changes = { offset: 0 };
      for (const [k, input] of Object.entries(filters)) changes[k] = input.value.trim();
      go(hashFor(changes));
    });
    for (const key of ['connector', 'severity', 'status']) {
      filters[key].addEventListener('change', () => toolbar.requestSubmit());
    }

    const headers = IMAGE_COLUMNS.map(([label, key]) => {
      if (!key) return el('th', { scope: 'col' }, label);
      const active = state.sort === key;
      const th = el('th', { scope: 'col', 'aria-sort': active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none', dataset: { sort: key } },
        el('button', {
          type: 'button', className: 'sort',
          title: key === 'critical' ? 'sort by critical count' : 'sort by ' + label.toLowerCase(),
          onclick: () => go(hashFor({ sort: key, order: active && state.order === 'asc' ? 'desc' : 'asc', offset: 0 })),
        }, label));
      return th;
    });
    const rows = images.map((row) => [
      el('td', { className: 'repository' }, el('a', { href: '#/images/' + encodeURIComponent(row.id) }, text(row.repository))),
      el('td', { className: 'tag' }, text(row.tag)),
      el('td', { className: 'digest', title: text(row.digest) }, shortDigest(row.digest)),
      el('td', { className: 'platform' }, text(row.platform)),
      el('td', { className: 'connector' }, text(row.connector)),
      el('td', { className: 'last-scanned' }, when(row.last_scanned)),
      vulnerabilityCell(row), malwareCell(row), statusCell(row),
    ]);
    const first = total ? state.offset + 1 : 0;
    const last = Math.min(total, state.offset + images.length);
    const pager = el('nav', { className: 'pager', 'aria-label': 'Pages' },
      el('button', { type: 'button', id: 'page-prev', className: 'secondary', disabled: state.offset === 0,
        onclick: () => go(hashFor({ offset: Math.max(0, state.offset - state.limit) })) }, 'Previous'),
      el('span', { id: 'page-range' }, first + '\u2013' + last + ' of ' + total),
      el('button', { type: 'button', id: 'page-next', className: 'secondary', disabled: state.offset + images.length >= total,
        onclick: () => go(hashFor({ offset: state.offset + state.limit })) }, 'Next'),
      el('label', { htmlFor: 'page-size' }, ' per page ',
        el('select', { id: 'page-size', onchange: (e) => go(hashFor({ limit: e.target.value, offset: 0 })) },
          [25, 50, 100, 200].map((n) => el('option', { value: n, selected: n === state.limit }, String(n))))));
    const legend = el('p', { className: 'hint legend' }, 'Vulnerabilities by severity: ',
      SEVERITIES.map((sev) => [el('span', { className: 'sev ' + sev }, sev), ' ']));
    const live = running.length
      ? el('p', { className: 'hint', id: 'images-live', role: 'status' },
        'Importing ' + running.join(', ') + ': this list updates as images finish.')
      : null;
    show(el('h1', null, 'Images'), live, toolbar, legend,
      images.length ? table(null, headers, rows, { id: 'images', dataset: { total: String(total) } })
        : el('p', { className: 'empty', id: 'no-images' }, total ? 'No image on this page.' : 'No image matches.'),
      pager);
    if (running.length) pollImages(state, filters, JSON.stringify(data), token);
  }

  // While an import runs: redraw the page when its rows change, and once when
  // the import ends (the notice goes). Not while someone is typing or choosing
  // in the filters: a redraw would throw their unsent input away.
  function pollImages(state, filters, shown, token) {
    const again = async () => {
      if (token !== renderToken) return;
      const editing = Object.entries(filters).some(([k, input]) => input.value.trim() !== state[k])
        || (document.activeElement && document.getElementById('image-filters').contains(document.activeElement));
      if (!editing) {
        try {
          const [data, connectors] = await Promise.all([
            api('GET', '/images' + query(state)), api('GET', '/connectors')]);
          if (token !== renderToken) return;
          if (JSON.stringify(data) !== shown || !(connectors.connectors || []).some((c) => c.running)) {
            render();
            return;
          }
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) return;
          // Anything else: the next round asks again.
        }
      }
      if (token === renderToken) poll(again, IMAGES_POLL_MS);
    };
    poll(again, IMAGES_POLL_MS);
  }

  // ---- one image ---------------------------------------------------------

  // A table of objects: the named columns first, in order, then any other
  // field the server sends (the image entry of the JSON report may grow).
  function objectTable(id, objects, columns, empty) {
    if (!objects || !objects.length) return el('p', { className: 'empty', id: id + '-empty' }, empty);
    const known = columns.map(([, key]) => key);
    const extra = [];
    for (const o of objects) for (const k of Object.keys(o)) if (!known.includes(k) && !extra.includes(k)) extra.push(k);
    const label = (k) => k.charAt(0).toUpperCase() + k.slice(1).replace(/_/g, ' ');
    const all = columns.concat(extra.map((k) => [label(k), k]));
    return table(null, all.map(([label]) => label), objects.map((o) => all.map(([, key]) => {
      const value = /_at$|^last_scanned$/.test(key) ? when(o[key]) : text(o[key]);
      const td = el('td', { dataset: { field: key } }, value);
      if (key === 'severity') td.className = 'severity ' + text(o[key]).toLowerCase();
      return td;
    })), { id });
  }

  // Why a finding does not count (triage): "ignore-file: reason", in a
  // Suppressed column that only a list holding such a finding has.
  function withSuppressed(findings) {
    const why = (s) => text(s.by) + (s.reason ? ': ' + text(s.reason) : '');
    return (findings || []).map((f) => (f && f.suppressed && typeof f.suppressed === 'object'
      ? Object.assign({}, f, { suppressed: why(f.suppressed) })
      : f));
  }

  function countsText(v) {
    if (!v) return '';
    return SEVERITIES.map((s) => s + ' ' + Number(v[s] || 0)).join(', ');
  }

  async function imagePage(id, token) {
    const detail = await api('GET', '/images/' + encodeURIComponent(id));
    if (token !== renderToken) return;
    const row = detail.image || {};
    const facts = [['Repository', text(row.repository)], ['Tag', text(row.tag)], ['Digest', el('span', { className: 'mono' }, text(row.digest))],
      ['Platform', text(row.platform)], ['Connector', text(row.connector)], ['Last scanned', when(row.last_scanned)],
      ['Status', Array.from(statusCell(row).childNodes)], ['Vulnerabilities', row.status === 'scan_failed' ? 'Scan Failed' : countsText(row.vulnerabilities)],
      ['Malware', malwareCell(row).textContent]];
    show(
      el('p', null, el('a', { href: '#/images' }, '\u2190 Images')),
      el('h1', { id: 'image-title' }, text(row.repository) + ':' + text(row.tag)),
      el('dl', { className: 'facts', id: 'image-facts' }, facts.map(([k, v]) => [el('dt', null, k), el('dd', null, v)])),
      el('h2', null, 'Vulnerabilities'),
      objectTable('vulnerabilities', withSuppressed(detail.vulnerabilities),
        [['ID', 'id'], ['Severity', 'severity'], ['Package', 'package_name'],
        ['Version', 'package_version'], ['Fixed version', 'fixed_version'], ['Status', 'status'], ['Aliases', 'aliases'],
        ['Summary', 'summary']], 'No vulnerability.'),
      el('h2', null, 'Misconfigurations'),
      objectTable('misconfigurations', withSuppressed(detail.misconfigurations),
        [['ID', 'id'], ['Severity', 'severity'], ['Title', 'title'],
        ['Detail', 'detail'], ['Location', 'location']], 'No misconfiguration.'),
      el('h2', null, 'Malware findings'),
      objectTable('malware-findings', withSuppressed(detail.malware_findings),
        [['Path', 'path'], ['Signature', 'signature'], ['Engine', 'engine'],
        ['Layer', 'layer_digest']], 'No malware finding.'),
      el('h2', null, 'Packages'),
      objectTable('packages', detail.packages, [['Name', 'name'], ['Version', 'version'], ['Type', 'type'], ['Ecosystem', 'ecosystem'],
        ['Location', 'location']], 'No package.'),
      el('h2', null, 'Layers'),
      objectTable('layers', (detail.layers || []).map((l) => (typeof l === 'object' ? l : { digest: l })), [['Digest', 'digest']], 'No layer recorded.'),
      el('h2', null, 'History of scans'),
      objectTable('history', (detail.history || []).map((h) => Object.assign({}, h, { vulnerabilities: countsText(h.vulnerabilities) })),
        [['Import', 'import_id'], ['Scanned', 'scanned_at'], ['Status', 'status'], ['Digest', 'digest'], ['Vulnerabilities', 'vulnerabilities']], 'No scan recorded.'));
  }

  // ---- start -------------------------------------------------------------

  document.getElementById('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', render);
  render();
}());
