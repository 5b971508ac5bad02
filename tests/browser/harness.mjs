// Shared parts of the browser tests: a real `dialerd --demo` per test on a
// free loopback port and a temporary directory, Debian's Chromium driven by
// playwright-core, REST calls to cross-check what the panel shows, and a
// numbered screenshot of every step.
//
// Environment (set by tests/browser/CMakeLists.txt):
//   DIALERD          the dialerd binary (required)
//   SCREENSHOT_DIR   where each test writes <test name>/NN-step.png
//   CHROMIUM         the browser (default /usr/bin/chromium)
// Exit codes: 0 passed, 1 failed, 77 skipped because Chromium is missing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const SKIP = 77;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export class Failure extends Error {}
// A failure that `eventually` does not retry: the answer is final.
export class Refusal extends Failure {}

export function check(condition, message) {
  if (!condition) throw new Failure(message);
}

export function checkEqual(actual, expected, what) {
  if (actual !== expected) throw new Failure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// Polls fn until it returns a truthy value; fails naming `what` after timeoutMs.
export async function eventually(what, fn, timeoutMs = 30_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = value;
    } catch (err) {
      if (err instanceof Refusal) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Failure(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(everyMs);
  }
}

// ---- dialerd ---------------------------------------------------------------

export class Dialerd {
  constructor(dataDir) {
    this.dataDir = dataDir;
    this.child = null;
    this.output = '';
    this.port = 0;
    this.logins = [];
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  // Starts the demo; on a restart it listens on the same port and reuses the
  // same directory, so the panel's token and the stored state carry over.
  async start() {
    const binary = process.env.DIALERD;
    check(binary && fs.existsSync(binary), `DIALERD (${binary}) does not name the dialerd binary`);
    const args = ['--demo', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir,
      '--password-hash', 'minimal', '--shutdown-grace', '2', ...fastDemoFlags(binary)];
    this.output = '';
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { this.output += d; this.log?.write(d); });
    child.stderr.on('data', (d) => { this.output += d; this.log?.write(d); });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited = exited;

    await eventually('dialerd to print its address', async () => {
      const done = await Promise.race([exited, sleep(50).then(() => null)]);
      if (done) throw new Refusal(`dialerd exited (${done.code ?? done.signal}) before serving:\n${this.output}`);
      return parseAddress(this.output);
    }, 30_000, 50).then((port) => { this.port = port; });
    this.logins = parseLogins(this.output);
    await eventually('dialerd /healthz', async () => (await fetch(`${this.base}/healthz`)).ok, 15_000, 100);
    return this;
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited, sleep(15_000).then(() => null)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  login(role, index = 0) {
    const found = this.logins.filter((l) => l.role === role)[index];
    check(found, `dialerd printed no ${role} login #${index + 1}; it printed:\n${this.output.slice(0, 2000)}`);
    return found;
  }

  async api(method, urlPath, { token, body } = {}) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.base}${urlPath}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    return { status: response.status, data };
  }

  async apiOk(method, urlPath, options) {
    const answer = await this.api(method, urlPath, options);
    check(answer.status >= 200 && answer.status < 300,
      `${method} ${urlPath} answered ${answer.status}: ${JSON.stringify(answer.data)}`);
    return answer.data;
  }

  async token(login) {
    const answer = await this.apiOk('POST', '/api/v1/auth/login', { body: { login: login.login, password: login.password } });
    return answer;
  }
}

// The demo's customers run on the real clock (about 5 s to answer, half of
// them never do, 25 s of talk). A dialerd that offers `--demo-fast` makes
// every customer answer at once and talk briefly, which is what keeps the
// browser label within its time budget; an older dialerd runs as it is.
let fastFlags = null;
function fastDemoFlags(binary) {
  if (fastFlags === null) {
    const usage = spawnSync(binary, ['--help'], { encoding: 'utf8' });
    fastFlags = `${usage.stdout}${usage.stderr}`.includes('--demo-fast') ? ['--demo-fast'] : [];
  }
  return fastFlags;
}

// dialerd prints its bound address; accept "http://127.0.0.1:PORT" or
// "listening on 127.0.0.1:PORT" forms.
function parseAddress(text) {
  const m = text.match(/(?:https?:\/\/|listen\w*[ =:]+)(?:127\.0\.0\.1|localhost):(\d+)/i);
  if (!m) return 0;
  const port = Number(m[1]);
  return port > 0 ? port : 0;
}

// The demo prints its logins one a line: "demo login: alice / secret (agent)".
function parseLogins(text) {
  const logins = [];
  for (const m of text.matchAll(/^demo login: (\S+) \/ (\S+) \((agent|admin)\)\s*$/gm)) {
    logins.push({ login: m[1], password: m[2], role: m[3] });
  }
  return logins;
}

// ---- the browser -----------------------------------------------------------

export class Scenario {
  // extraArgs: more Chromium switches (the browser phone's fake microphone).
  constructor(name, extraArgs = []) {
    this.name = name;
    this.extraArgs = extraArgs;
    this.shots = path.join(process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), 'browser-screenshots'), name);
    this.step = 0;
    this.pages = [];
    this.servers = [];
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `dialer-${name}-`));
  }

  async server() {
    const dir = path.join(this.tmp, `dialerd-${this.servers.length + 1}`);
    fs.mkdirSync(dir);
    const server = new Dialerd(dir);
    server.log = fs.createWriteStream(path.join(this.shots, `dialerd-${this.servers.length + 1}.log`));
    this.servers.push(server);
    return server.start();
  }

  // A fresh browser context per agent: its own sessionStorage and cookies.
  async page(label) {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.label = label;
    page.errors = [];
    page.frames = [];
    page.on('pageerror', (err) => page.errors.push(err.message));
    page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(m.text())) page.errors.push(m.text()); });
    // Every server message the panel receives, for checks that need them.
    page.on('websocket', (ws) => {
      ws.on('framereceived', (frame) => {
        try {
          page.frames.push(JSON.parse(frame.payload));
        } catch {
          // Not JSON: the panel itself reports it.
        }
      });
    });
    this.pages.push(page);
    return page;
  }

  async shot(page, what) {
    this.step += 1;
    const file = path.join(this.shots, `${String(this.step).padStart(2, '0')}-${what}.png`);
    await page.screenshot({ path: file });
    console.log(`  step ${this.step}: ${what} (${path.relative(process.cwd(), file)})`);
  }

  async run(body) {
    // Only this run's pictures: a failure shot left by an earlier run would mislead.
    fs.rmSync(this.shots, { recursive: true, force: true });
    fs.mkdirSync(this.shots, { recursive: true });
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`SKIP ${this.name}: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
      return SKIP;
    }
    let chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (err) {
      console.error(`FAIL ${this.name}: playwright-core is not installed in tests/browser (run scripts/install-deps.sh or npm ci there): ${err.message}`);
      return 1;
    }
    console.log(`${this.name}:`);
    let code = 0;
    try {
      this.browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...this.extraArgs] });
      await body(this);
      for (const page of this.pages) check(page.errors.length === 0, `the ${page.label} page reported errors: ${page.errors.join(' | ')}`);
      console.log(`PASS ${this.name}`);
    } catch (err) {
      code = 1;
      console.error(`FAIL ${this.name}: ${err instanceof Failure ? err.message : err.stack || err}`);
      for (const page of this.pages) {
        try {
          await page.screenshot({ path: path.join(this.shots, `failure-${page.label}.png`) });
          console.error(`  ${page.label} page errors: ${page.errors.join(' | ') || 'none'}`);
        } catch {
          // The page may be gone.
        }
      }
      for (const [i, s] of this.servers.entries()) {
        console.error(`  dialerd #${i + 1} output (last 3000 characters):\n${s.output.slice(-3000)}`);
      }
    } finally {
      if (this.browser) await this.browser.close().catch(() => {});
      for (const s of this.servers) await s.stop().catch(() => {});
      for (const s of this.servers) s.log?.end();
      fs.rmSync(this.tmp, { recursive: true, force: true });
    }
    return code;
  }
}

// Runs a scenario and exits with its code; a watchdog fails a hung test.
export function runScenario(name, body, timeoutMs = 240_000, { chromiumArgs = [] } = {}) {
  const scenario = new Scenario(name, chromiumArgs);
  const watchdog = setTimeout(() => {
    console.error(`FAIL ${name}: did not finish in ${timeoutMs / 1000} s`);
    process.exit(1);
  }, timeoutMs);
  scenario.run(body).then((code) => {
    clearTimeout(watchdog);
    process.exit(code);
  });
}

// ---- the panel -------------------------------------------------------------

export async function signIn(scenario, server, login, label = login.login) {
  const page = await scenario.page(label);
  await page.goto(`${server.base}/`);
  await page.fill('#login', login.login);
  await page.fill('#password', login.password);
  await page.press('#password', 'Enter');
  await page.waitForURL(/agent\.html$/, { timeout: 15_000 });
  await waitConnected(page);
  const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('dialer.session')));
  page.session = session;
  return page;
}

export async function waitConnected(page, timeout = 30_000) {
  await page.waitForSelector('#conn[data-state="open"]', { timeout });
}

export async function pillStatus(page) {
  return page.getAttribute('#status-pill', 'data-status');
}

export async function waitPill(page, status, timeout = 30_000) {
  await page.waitForSelector(`#status-pill[data-status="${status}"]`, { timeout });
}

// The status the server has stored for the page's agent, over REST.
export async function serverStatus(server, page) {
  const snap = await server.apiOk('GET', `/api/v1/agents/${page.session.agent_id}/state`, { token: page.session.token });
  return snap.status;
}

// Signs the agent in to a campaign from the panel: the Available button
// joins the campaign chosen in the status bar's list, which the server fills.
export async function goAvailable(page, campaignId) {
  if (await page.isVisible('#join-campaign')) {
    await page.waitForSelector(`#join-campaign option[value="${campaignId}"]`, { state: 'attached', timeout: 10_000 });
    await page.selectOption('#join-campaign', String(campaignId));
  }
  await page.click('#btn-available');
  await waitPill(page, 'available');
}

// Messages of one type the page's WebSocket received so far.
export function received(page, type) {
  return page.frames.filter((m) => m.type === type);
}

// Waits for the first message of `type` (matching `pred`) received after
// frame number `from`; an `error` from the server after `from` fails at once
// with the server's own words instead of timing out in silence.
export async function awaitMessage(page, what, type, { from = 0, pred = () => true, timeoutMs = 30_000 } = {}) {
  return eventually(what, () => {
    const later = page.frames.slice(from);
    const error = later.find((m) => m.type === 'error');
    if (error) throw new Refusal(`the server refused while waiting for ${what}: ${error.code}: ${error.message}`);
    return later.find((m) => m.type === type && pred(m));
  }, timeoutMs, 100);
}

// Submits the disposition modal.
export async function dispose(page, code, notes, next = '') {
  await page.waitForSelector('#dispo-modal[open]');
  await page.selectOption('#dispo-code', code);
  await page.fill('#dispo-notes', notes);
  await page.selectOption('#dispo-next', next);
  await page.click('#dispo-submit');
}

// Ends the page's call (hanging up if it is still live) and leaves the
// wrap-up with the first disposition, if the server put the agent in one.
// Returns the disposition code used, or null when there was no wrap-up.
export async function finishCall(page, notes) {
  if (await page.$eval('#btn-hangup', (b) => !b.disabled)) await page.click('#btn-hangup');
  const outcome = await Promise.race([
    page.waitForSelector('#dispo-modal[open]', { timeout: 90_000 }).then(() => 'wrapup'),
    page.waitForFunction(() => document.querySelector('#call-state').dataset.state === 'idle'
      && document.querySelector('#status-pill').dataset.status === 'available', null, { timeout: 90_000 }).then(() => 'available'),
  ]);
  if (outcome !== 'wrapup') return null;
  const codes = await page.$$eval('#dispo-code option', (os) => os.map((o) => o.value).filter(Boolean));
  check(codes.length > 0, 'the modal lists no dispositions');
  await dispose(page, codes[0], notes);
  await waitModalClosed(page, 15_000);
  return codes[0];
}

// A closed <dialog> is hidden, so waiting for a `:not([open])` selector to be
// visible never ends: wait for the element's own `open` to drop instead.
export async function waitModalClosed(page, timeout = 15_000) {
  await page.waitForFunction(() => !document.querySelector('#dispo-modal').open, null, { timeout });
}
