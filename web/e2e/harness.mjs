// Shared pieces of the browser tests: the real `yidi serve` (filing registry in a throwaway SQLite file,
// web/dist served from the same origin) and Debian's Chromium driven by playwright-core (no downloaded
// browsers). Screenshots and measurements go to artifacts/web-e2e/ at the repository root.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'artifacts', 'web-e2e');
mkdirSync(ARTIFACTS, { recursive: true });

const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
export const YIDI = process.env.YIDI_BIN || path.join(targetDir, 'debug', 'yidi');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The agency key the server under test is started with (X-Agency-Key), for tests that act as the agency. */
export const AGENCY_KEY = 'web-e2e-agency-key';

/** Start `yidi serve` on a free loopback port; resolves once /v1/health answers. */
export async function startServer() {
  if (!existsSync(YIDI)) throw new Error(`yidi binary not found at ${YIDI} (cargo build -p yidi-host)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'yidi-web-e2e-'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const proc = spawn(YIDI, ['serve', '--addr', `127.0.0.1:${port}`, '--db', path.join(dir, 'filings.sqlite3'),
      '--web', path.join(ROOT, 'web', 'dist'), '--agency-key', AGENCY_KEY, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    const base = `http://127.0.0.1:${port}`;
    // A debug build compiles the guest with Cranelift at start-up: allow a few minutes on a busy machine.
    for (let i = 0; i < 3000 && proc.exitCode === null; i++) {
      try {
        const r = await fetch(`${base}/v1/health`);
        if (r.ok) return { base, proc, dir, log: () => log };
      } catch { /* not up yet */ }
      await sleep(100);
    }
    proc.kill('SIGTERM');
    if (!/in use|AddrInUse/i.test(log)) throw new Error(`yidi serve did not start:\n${log}`);
  }
  throw new Error('no free port for yidi serve');
}

/** Stop the server and wait until the port refuses connections. */
export async function stopServer(srv, { keepData = false } = {}) {
  if (srv.proc.exitCode === null) {
    const done = new Promise((r) => srv.proc.once('exit', r));
    srv.proc.kill('SIGTERM');
    await Promise.race([done, sleep(5000)]);
    if (srv.proc.exitCode === null) srv.proc.kill('SIGKILL');
  }
  if (!keepData) rmSync(srv.dir, { recursive: true, force: true });
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A new page with the app loaded at `hash`, console errors collected for the assertion messages. */
export async function openApp(browser, base, hash = '#/', { viewport = { width: 1280, height: 900 }, context } = {}) {
  const ctx = context || await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${base}/${hash}`);
  await page.waitForSelector('#main', { timeout: 30000 });
  return { ctx, page, errors };
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export function record(name, value) {
  const file = path.join(ARTIFACTS, 'metrics.json');
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all[name] = value;
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
}

/** A valid 18-digit resident identity number (GB 11643 check digit) for a made-up person. */
export function idNumber(region = '610102', birth = '19600101', seq = String(100 + Math.floor(Math.random() * 899))) {
  const body = region + birth + seq;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** Today in China (UTC+8), as the app and the registry count days, whatever the machine's zone. */
export function today() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
}
