// Drives Debian's chromium through the regscan dashboard, as a person would, and
// prints what the page showed as one JSON object on stdout. The Python test
// (tests/e2e/test_serve_page.py) compares that with the API's own answer, so no
// expected value lives here.
//
//   node drive.js flow|xss|timing|live|cancel|image CONFIG.json
//
// CONFIG: {"url": "http://127.0.0.1:PORT/", "token": "...", "artifacts": "DIR",
//          "connector": {"name", "url", "image_timeout"}, "search": "substring",
//          "status_filter": "scan_failed", "open_image": {"repository", "tag"}, "image_id": N,
//          "timeout_ms": 180000}
// Every wait is on a condition of the page, bounded by a timeout; none sleeps.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.REGSCAN_CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch(config) {
  // A fresh profile each run (launchPersistentContext passes it as --user-data-dir).
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'regscan-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 900 },
  });
  context.setDefaultTimeout(config.timeout_ms || 60000);
  // Before any page script: record CSP violations (an injected inline handler or
  // script would raise one) and give an injected script a place to show it ran.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  const page = context.pages()[0] || await context.newPage();
  const log = { console: [], pageErrors: [], requestsOffOrigin: [] };
  const origin = new URL(config.url).origin;
  page.on('console', (m) => log.console.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) log.requestsOffOrigin.push(r.url()); });
  return {
    context, page, log,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// A screenshot; also notes the step if the page's HTML holds config.secret
// (a connector password must never come back into a page).
const secretSeen = [];
async function shot(page, config, name) {
  const file = path.join(config.artifacts, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  if (config.secret && (await page.content()).includes(config.secret)) secretSeen.push(name);
  return file;
}

async function login(page, config, result) {
  await page.goto(config.url);
  await page.waitForSelector('#login-form');
  result.screenshots.push(await shot(page, config, 'login'));
  // A wrong token first: refused, and the page says so.
  await page.fill('#token', 'not-the-token');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => !document.getElementById('message').hidden);
  result.wrong_token_message = await page.textContent('#message');
  await page.fill('#token', config.token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
  await page.waitForSelector('#images, #no-images');
}

// The images table as the page shows it: one object per row, keyed by column class.
function readImageRows(page) {
  return page.$$eval('#images tbody tr', (trs) => trs.map((tr) => {
    const cell = (c) => tr.querySelector('td.' + c);
    const sev = {};
    for (const s of tr.querySelectorAll('td.vulns .sev')) sev[s.dataset.severity] = Number(s.textContent);
    const link = tr.querySelector('td.repository a');
    return {
      id: link ? decodeURIComponent(link.getAttribute('href').replace('#/images/', '')) : null,
      repository: cell('repository').textContent, tag: cell('tag').textContent,
      digest_title: cell('digest').getAttribute('title'), digest_shown: cell('digest').textContent,
      platform: cell('platform').textContent, connector: cell('connector').textContent,
      last_scanned: cell('last-scanned').textContent, vulnerabilities_text: cell('vulns').textContent,
      vulnerabilities: sev, malware: cell('malware').textContent, status: cell('status').textContent,
      vulnerabilities_tooltip: cell('vulns').getAttribute('title'), malware_tooltip: cell('malware').getAttribute('title'),
    };
  }));
}

async function imageHeaders(page) {
  return page.$$eval('#images thead th', (ths) => ths.map((th) => th.textContent));
}

// The Images view of the current address is on screen (app.js marks main with
// the address it rendered), not the previous one still waiting to be replaced.
async function waitForImagesView(page) {
  await page.waitForFunction(() => document.getElementById('main').dataset.rendered === (location.hash || '#/images')
    && document.querySelector('#images, #no-images') && document.getElementById('page-range'));
}

function flow(config) {
  return inBrowser(config, async (page, result) => {
    await login(page, config, result);

    // Create a connector and import it (Save & Import).
    await page.click('#nav-connectors');
    await page.waitForSelector('#new-connector');
    await page.click('#new-connector');
    await page.waitForSelector('#connector-form');
    result.form_labels = await page.$$eval('#connector-form label', (ls) => ls.map((l) => l.firstChild && l.firstChild.textContent).filter(Boolean));
    result.type_options = await page.$$eval('#f-type option', (os) => os.map((o) => o.value));
    result.default_every = [await page.inputValue('#f-every'), await page.inputValue('#f-every-unit'), await page.isChecked('#f-enabled')];
    await page.fill('#f-name', config.connector.name);
    await page.fill('#f-url', config.connector.url);
    if (config.connector.type) await page.selectOption('#f-type', config.connector.type);
    if (config.connector.image_timeout) await page.fill('#f-timeout', config.connector.image_timeout);
    if (config.connector.username) await page.fill('#f-username', config.connector.username);
    if (config.secret) await page.fill('#f-password', config.secret);
    await page.fill('#f-every', '30');
    await page.selectOption('#f-every-unit', 'm');
    result.screenshots.push(await shot(page, config, 'connector-form'));
    await page.click('#save-import');
    await page.waitForSelector('#connectors');
    const name = config.connector.name;
    // Progress while it runs (when the import is slow enough to be seen), then its end.
    const seen = await page.waitForFunction((n) => {
      for (const tr of document.querySelectorAll('#connectors tbody tr')) {
        if (tr.querySelector('.connector-name').textContent !== n) continue;
        const progress = tr.querySelector('td.running .progress-text');
        if (progress) return 'progress:' + progress.textContent + '|' + (tr.querySelector('.current-image') || { textContent: '' }).textContent;
        const last = tr.querySelector('td.last-import').textContent;
        if (/succeeded|partial|failed|interrupted/.test(last)) return 'done';
      }
      return false;
    }, name, { timeout: config.timeout_ms || 180000, polling: 100 });
    result.first_seen = await seen.jsonValue();
    if (config.wait_progress) {
      // The running import's progress once it knows its total and has a current image
      // (the test makes one image slow: the page's polling must show it running).
      const progress = await page.waitForFunction(([n]) => {
        for (const tr of document.querySelectorAll('#connectors tbody tr')) {
          if (tr.querySelector('.connector-name').textContent !== n) continue;
          const current = tr.querySelector('td.running .current-image');
          const text = tr.querySelector('td.running .progress-text');
          const m = text && /(\d+) \/ (\d+)/.exec(text.textContent);
          if (current && current.textContent && m && Number(m[2]) > 0 && Number(m[1]) < Number(m[2])) {
            return { text: text.textContent.trim(), current: current.textContent,
              bar: tr.querySelector('td.running progress') ? [tr.querySelector('td.running progress').value, tr.querySelector('td.running progress').max] : null };
          }
        }
        return false;
      }, [name], { timeout: config.timeout_ms || 180000, polling: 100 });
      result.progress = await progress.jsonValue();
      result.screenshots.push(await shot(page, config, 'connectors-progress'));
    }
    await page.waitForFunction((n) => [...document.querySelectorAll('#connectors tbody tr')].some((tr) =>
      tr.querySelector('.connector-name').textContent === n && !tr.querySelector('td.running').textContent.trim()
      && /succeeded|partial|failed|interrupted/.test(tr.querySelector('td.last-import').textContent)),
    name, { timeout: config.timeout_ms || 180000, polling: 200 });
    result.connector_row = await page.$$eval('#connectors tbody tr', (trs, n) => {
      const tr = trs.find((t) => t.querySelector('.connector-name').textContent === n);
      return [...tr.querySelectorAll('td')].map((td) => td.textContent);
    }, name);
    result.connector_headers = await page.$$eval('#connectors thead th', (ths) => ths.map((th) => th.textContent));
    result.screenshots.push(await shot(page, config, 'connectors'));

    // Schedule off from the list, then Import now: a second import, manual.
    const rowOf = (n) => `#connectors tbody tr:has(.connector-name:text-is("${n}"))`;
    const firstImport = await page.getAttribute(`${rowOf(name)} td.last-import a`, 'href');
    await page.click(`${rowOf(name)} button:text-is("Disable schedule")`);
    await page.waitForSelector(`${rowOf(name)} button:text-is("Enable schedule")`);
    result.schedule_after_toggle = await page.textContent(`${rowOf(name)} td:nth-child(4)`);
    await page.click(`${rowOf(name)} button:text-is("Import now")`);
    await page.waitForFunction(([n, before]) => [...document.querySelectorAll('#connectors tbody tr')].some((tr) => {
      if (tr.querySelector('.connector-name').textContent !== n) return false;
      const link = tr.querySelector('td.last-import a');
      return link && link.getAttribute('href') !== before && !tr.querySelector('td.running').textContent.trim();
    }), [name, firstImport], { timeout: config.timeout_ms || 180000, polling: 200 });
    result.imports_seen = [firstImport, await page.getAttribute(`${rowOf(name)} td.last-import a`, 'href')];

    // Edit: the stored password is not in the form; a new allow list is saved.
    await page.click(`${rowOf(name)} a.connector-name`);
    await page.waitForSelector('#connector-form');
    result.edit_form = {
      password: await page.inputValue('#f-password'),
      password_placeholder: await page.getAttribute('#f-password', 'placeholder'),
      name_readonly: await page.$eval('#f-name', (i) => i.readOnly),
      imports_listed: await page.$$eval('#imports tbody tr', (trs) => trs.length),
    };
    result.screenshots.push(await shot(page, config, 'connector-edit'));
    if (config.edit_allow) await page.fill('#f-allow', config.edit_allow.join('\n'));
    await page.click('#save');
    await page.waitForSelector('#connectors');

    // The import's reports.
    await page.click('#connectors td.last-import a');
    await page.waitForSelector('#reports, main .empty');
    result.reports = await page.$$eval('#reports a', (as) => as.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })));
    result.screenshots.push(await shot(page, config, 'import'));

    // Images: the first page, as listed.
    await page.click('#nav-images');
    await waitForImagesView(page);
    result.image_headers = await imageHeaders(page);
    result.images = await readImageRows(page);
    result.page_range = await page.textContent('#page-range');
    result.screenshots.push(await shot(page, config, 'images'));

    // Sort by tag, descending (two clicks), and wait for the header to say so.
    await page.click('th[data-sort=tag] button');
    await page.waitForSelector('th[data-sort=tag][aria-sort=ascending]');
    await page.click('th[data-sort=tag] button');
    await page.waitForSelector('th[data-sort=tag][aria-sort=descending]');
    await waitForImagesView(page);
    result.sorted_by_tag_desc = await readImageRows(page);

    // Search.
    if (config.search) {
      await page.fill('#filter-q', config.search);
      await page.click('#image-filters button[type=submit]');
      await page.waitForFunction((q) => location.hash.includes('q=' + encodeURIComponent(q)), config.search);
      await waitForImagesView(page);
      result.searched = await readImageRows(page);
      result.screenshots.push(await shot(page, config, 'images-search'));
    }
    // Pagination: pages of 2 rows (the address takes any limit), Next, then Previous.
    await page.goto(config.url + '#/images?limit=2');
    await waitForImagesView(page);
    result.pages = [{ range: await page.textContent('#page-range'), rows: await readImageRows(page) }];
    await page.click('#page-next');
    await page.waitForFunction(() => location.hash.includes('offset=2'));
    await waitForImagesView(page);
    result.pages.push({ range: await page.textContent('#page-range'), rows: await readImageRows(page),
      next_disabled: await page.isDisabled('#page-next') });
    await page.click('#page-prev');
    await page.waitForFunction(() => location.hash.includes('offset=0'));
    await waitForImagesView(page);
    result.pages.push({ range: await page.textContent('#page-range'), rows: await readImageRows(page),
      prev_disabled: await page.isDisabled('#page-prev') });

    // Status filter (Scan Failed unless the config says another).
    const status = config.status_filter || 'scan_failed';
    await page.goto(config.url + '#/images');
    await waitForImagesView(page);
    await page.selectOption('#filter-status', status);
    await page.waitForFunction((st) => location.hash.includes('status=' + st), status);
    await waitForImagesView(page);
    result.scan_failed_rows = await readImageRows(page);

    // One image's page, reached by its link.
    await page.goto(config.url + '#/images');
    await waitForImagesView(page);
    // The row of config.open_image {repository, tag}, else the first row.
    const want = config.open_image || null;
    const links = await page.$$('#images tbody tr');
    let target = null;
    for (const tr of links) {
      const [repository, tag] = await tr.$$eval('td.repository, td.tag', (tds) => tds.map((td) => td.textContent));
      if (!want || (repository === want.repository && tag === want.tag)) { target = await tr.$('td.repository a'); break; }
    }
    if (!target) throw new Error('no row for ' + JSON.stringify(want));
    await target.click();
    await page.waitForFunction(() => /^#\/images\/[^?]+$/.test(document.getElementById('main').dataset.rendered || '')
      && document.getElementById('image-title'));
    result.image_page = await page.evaluate(() => {
      const rows = (id) => [...document.querySelectorAll('#' + id + ' tbody tr')].map((tr) => {
        const o = {};
        for (const td of tr.querySelectorAll('td')) o[td.dataset.field] = td.textContent;
        return o;
      });
      return {
        title: document.getElementById('image-title').textContent,
        facts: Object.fromEntries([...document.querySelectorAll('#image-facts dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
        sections: [...document.querySelectorAll('main h2')].map((h) => h.textContent),
        vulnerabilities: rows('vulnerabilities'), misconfigurations: rows('misconfigurations'),
        packages: rows('packages'), layers: rows('layers'), history: rows('history'),
      };
    });
    result.screenshots.push(await shot(page, config, 'image'));

    // Log out: the API answers 401 again and the login form is back.
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    result.after_logout = await page.evaluate(async () => (await fetch('/api/v1/connectors')).status);
  });
}

function xss(config) {
  return inBrowser(config, async (page, result) => {
    await login(page, config, result);
    result.title_before = await page.title();
    const check = () => page.evaluate(() => ({
      title: document.title,
      pwned: window.__pwned === undefined ? null : String(window.__pwned),
      injected_elements: document.querySelectorAll('main img, main svg, main script, main iframe, #message img').length,
    }));
    // Images: every row's text as shown.
    await page.goto(config.url + '#/images?limit=200');
    await waitForImagesView(page);
    result.images = await readImageRows(page);
    result.images_check = await check();
    result.screenshots.push(await shot(page, config, 'xss-images'));
    // Each image's own page.
    result.image_pages = [];
    for (const row of result.images) {
      await page.goto(config.url + '#/images/' + encodeURIComponent(row.id));
      await page.waitForFunction((id) => document.getElementById('main').dataset.rendered === '#/images/' + id
        && document.getElementById('image-title'), encodeURIComponent(String(row.id)));
      result.image_pages.push({
        id: row.id, title: await page.textContent('#image-title'), text: await page.textContent('main'), check: await check(),
      });
      result.screenshots.push(await shot(page, config, 'xss-image-' + row.id));
    }
    // Connectors (an import's error names what failed).
    await page.goto(config.url + '#/connectors');
    await page.waitForSelector('#connectors, #no-connectors');
    result.connectors_text = await page.textContent('main');
    result.connectors_check = await check();
    result.screenshots.push(await shot(page, config, 'xss-connectors'));
  });
}

// bench/serve_images.py: how long the Images page takes to show its table, from
// navigation to the rows in the DOM, for each of config.hashes, config.runs times.
async function timing(config) {
  const result = { screenshots: [], timings: {} };
  const browser = await launch(config);
  const { page } = browser;
  try {
    await login(page, config, result);
    for (const hash of config.hashes) {
      const times = [];
      for (let i = 0; i < (config.runs || 5); i++) {
        await page.goto('about:blank');
        const start = Date.now();
        await page.goto(config.url + hash);
        await page.waitForSelector('#images tbody tr');
        times.push(Date.now() - start);
      }
      result.timings[hash] = times;
    }
    result.screenshots.push(await shot(page, config, 'bench-images'));
  } catch (e) {
    result.error = (e && e.stack) || String(e);
  } finally {
    Object.assign(result, browser.log);
    await browser.close();
  }
  return result;
}

// Runs `steps(page, result)` in a fresh browser; a failure is the result's
// error, with a screenshot; the page's errors and CSP violations are added.
async function inBrowser(config, steps) {
  const result = { screenshots: [] };
  const browser = await launch(config);
  const { page } = browser;
  try {
    await steps(page, result);
  } catch (e) {
    result.error = (e && e.stack) || String(e);
    result.screenshots.push(await shot(page, config, 'failure-' + Date.now()).catch(() => null));
  } finally {
    result.csp_violations = await page.evaluate(() => window.__cspViolations).catch(() => null);
    result.secret_seen_on = secretSeen;  // steps that shot a page holding config.secret
    Object.assign(result, browser.log);
    await browser.close();
  }
  return result;
}

// node's own request to the test's release URL (not the page's): the held
// image goes on.
async function release(config) {
  const released = await fetch(config.release_url);
  if (!released.ok) throw new Error('release: HTTP ' + released.status);
}

// The Images page while an import runs (live): what it shows, then, after
// config.release_url lets the held image go on, what it shows once it has
// updated itself, without a navigation or a reload.
function live(config) {
  return inBrowser(config, async (page, result) => {
    const state = () => page.evaluate(() => {
      const table = document.getElementById('images');
      const notice = document.getElementById('images-live');
      return { total: table ? table.dataset.total : null, notice: notice ? notice.textContent : null,
        range: document.getElementById('page-range').textContent, hash: location.hash };
    });
    await login(page, config, result);
    await waitForImagesView(page);
    await page.evaluate(() => { window.__sameDocument = true; });  // a reload would lose it
    result.before = await state();
    result.screenshots.push(await shot(page, config, 'images-live'));
    await release(config);
    await page.waitForFunction((n) => {
      const table = document.getElementById('images');
      return table && table.dataset.total === String(n) && !document.getElementById('images-live');
    }, config.expect_total, { timeout: config.timeout_ms || 180000, polling: 100 });
    await waitForImagesView(page);
    result.after = Object.assign(await state(), { rows: await readImageRows(page) });
    result.same_document = await page.evaluate(() => window.__sameDocument === true);
    result.screenshots.push(await shot(page, config, 'images-after'));
  });
}

// Cancel import on the Connectors page (config.connector.name is importing):
// the confirmation accepted; the row as it is once the import has ended.
// config.release_url lets the registry answer the held layer at last (the
// import has stopped that transfer already).
function cancel(config) {
  return inBrowser(config, async (page, result) => {
    const name = config.connector.name;
    const row = `#connectors tbody tr:has(.connector-name:text-is("${name}"))`;
    await login(page, config, result);
    await page.click('#nav-connectors');
    await page.waitForSelector(`${row} button:text-is("Cancel import")`);
    result.screenshots.push(await shot(page, config, 'connectors-running'));
    const dialog = new Promise((resolve) => page.once('dialog', async (d) => { resolve(d.message()); await d.accept(); }));
    await page.click(`${row} button:text-is("Cancel import")`);
    result.confirmation = await dialog;
    await page.waitForFunction(() => /cancelled/.test(document.getElementById('message').textContent));
    result.message = await page.textContent('#message');
    await page.waitForFunction((n) => [...document.querySelectorAll('#connectors tbody tr')].some((tr) =>
      tr.querySelector('.connector-name').textContent === n && !tr.querySelector('td.running').textContent.trim()
      && /cancelled/.test(tr.querySelector('td.last-import').textContent)),
    name, { timeout: config.timeout_ms || 180000, polling: 200 });
    await release(config);
    result.last_import = await page.textContent(`${row} td.last-import`);
    result.buttons = await page.$$eval(`${row} button`, (bs) => bs.map((b) => b.textContent));
    result.screenshots.push(await shot(page, config, 'connectors-cancelled'));
  });
}

// One image's page (config.image_id), opened by its address: the headers and
// cells of its findings' tables.
function image(config) {
  return inBrowser(config, async (page, result) => {
    await login(page, config, result);
    await page.goto(config.url + '#/images/' + encodeURIComponent(config.image_id));
    await page.waitForFunction(() => /^#\/images\/[^?]+$/.test(document.getElementById('main').dataset.rendered || '')
      && document.getElementById('image-title'));
    const ids = ['vulnerabilities', 'misconfigurations', 'malware-findings'];
    result.tables = await page.evaluate((tables) => Object.fromEntries(tables.map((id) => {
      const table = document.getElementById(id);
      if (!table) return [id, null];
      return [id, {
        headers: [...table.querySelectorAll('thead th')].map((th) => th.textContent),
        rows: [...table.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries(
          [...tr.querySelectorAll('td')].map((td) => [td.dataset.field, td.textContent]))),
      }];
    })), ids);
    result.screenshots.push(await shot(page, config, 'image'));
  });
}

async function main() {
  const [scenario, configPath] = process.argv.slice(2);
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  fs.mkdirSync(config.artifacts, { recursive: true });
  const run = { flow, xss, timing, live, cancel, image }[scenario];
  if (!run) throw new Error('unknown scenario ' + scenario);
  const result = await run(config);
  process.stdout.write(JSON.stringify(result) + '\n');
  if (result.error) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write((e && e.stack) || String(e));
  process.stderr.write('\n');
  process.exit(1);
});
