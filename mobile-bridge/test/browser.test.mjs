// The README's browser snippet in real headless Chromium (Debian's), served from loopback with the
// package installed under node_modules: the ESM (wasm-bindgen) flavour fetches its .wasm by itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { bridgeDir, pkgDir } from './helpers.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

it('browser.html lists the packs and writes 伍角 in headless Chromium', async () => {
  const root = mkdtempSync(join(tmpdir(), 'yidi-browser-'));
  cpSync(pkgDir, join(root, 'node_modules/yidi-bridge'), { recursive: true });
  cpSync(join(bridgeDir, 'examples/browser.html'), join(root, 'browser.html'));
  const server = createServer((req, res) => {
    const file = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${server.address().port}/browser.html`;
    const { stdout } = await promisify(execFile)('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'yidi-chromium-'))}`,
      '--virtual-time-budget=10000', '--dump-dom', url
    ], { timeout: 60000, maxBuffer: 1 << 24 });
    const out = stdout.match(/<output id="out">([\s\S]*?)<\/output>/);
    assert.ok(out, stdout.slice(0, 500));
    assert.match(out[1], /610100 西安市/);
    assert.match(out[1], /伍角$/);
  } finally {
    server.close();
  }
});
