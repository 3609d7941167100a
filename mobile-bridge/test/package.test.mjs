// The npm package itself: its package.json, its types (tsc --strict), its README and the Node examples
// run as a user would run them, with the package installed under node_modules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { bridgeDir, flavours, isAgencyOp, pkgDir, repoDir } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const readme = readFileSync(join(bridgeDir, 'README.md'), 'utf8');

/** A project with the built package installed, and the given example files copied in. */
function project(examples = []) {
  const dir = mkdtempSync(join(tmpdir(), 'yidi-npm-'));
  mkdirSync(join(dir, 'node_modules'));
  cpSync(pkgDir, join(dir, 'node_modules/yidi-bridge'), { recursive: true });
  for (const f of examples) cpSync(join(bridgeDir, f), join(dir, f.split('/').pop()));
  return dir;
}

it('package.json: no runtime dependencies, an ESM and a CommonJS entry, every export present', () => {
  assert.deepEqual(pkg.dependencies ?? {}, {});
  assert.equal(pkg.peerDependencies, undefined);
  assert.equal(pkg.exports['.'].import, './esm/index.js');
  assert.equal(pkg.exports['.'].require, './mp/index.js');
  assert.equal(pkg.main, './mp/index.js');
  assert.equal(pkg.miniprogram, 'mp');
  const targets = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)));
  for (const t of [...targets, pkg.main, pkg.module, pkg.types]) assert.ok(existsSync(join(pkgDir, t)), t);
  // The mini-program folder stands alone (the npm build copies only it) and carries one copy of each
  // module, brotli'd: a WeChat package holds at most 2 MB.
  assert.deepEqual(readdirSync(join(pkgDir, 'mp')).sort(), ['index.d.ts', 'index.js', 'index.mjs', 'yidi-estimate.wasm.br', 'yidi-hospital.wasm.br', 'yidi.wasm.br']);
  assert.match(readFileSync(join(pkgDir, 'mp/index.js'), 'utf8'), /module\.exports = \{/);
});

it('the version in package.json is the crate version, and the core reports it', async () => {
  const crate = readFileSync(join(repoDir, 'Cargo.toml'), 'utf8').match(/\[workspace\.package\][^[]*?version = "([^"]+)"/)[1];
  assert.equal(pkg.version, crate);
  const yidi = await flavours[0].load();
  assert.equal(yidi.version().core_version, crate);
});

it('every typed method is a core operation, and every non-agency operation in the schema has a method', async () => {
  const schema = JSON.parse(readFileSync(join(repoDir, 'schema/api.schema.json'), 'utf8'));
  const { OPS } = await flavours[0].module();
  const userOps = Object.keys(schema.ops).filter((op) => !isAgencyOp(op));
  assert.deepEqual(Object.values(OPS).sort(), userOps.sort());
  const dts = readFileSync(join(pkgDir, 'index.d.ts'), 'utf8');
  const declared = Object.fromEntries([...dts.match(/export interface Methods \{([^}]*)\}/)[1].matchAll(/(\w+): '([^']+)'/g)].map((m) => [m[1], m[2]]));
  assert.deepEqual(declared, { ...OPS });
  for (const f of flavours) {
    const yidi = await f.load();
    for (const [method, op] of Object.entries(OPS)) {
      try { yidi[method]({}); } catch (e) { assert.notEqual(e.code, 'E_UNKNOWN_OP', `${f.name}: ${method} -> ${op}`); }
    }
  }
});

it('types.d.ts is generated from the current schema and compiles with tsc --strict, with the README-style calls', () => {
  const dir = project(['test/types/check.mts']);
  const tsc = join(bridgeDir, 'node_modules/.bin/tsc');
  execFileSync(tsc, ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'check.mts'], { cwd: dir, stdio: 'pipe' });
  // Removing the expect-error line must make tsc fail: money as a JS number is a type error.
  const bad = readFileSync(join(dir, 'check.mts'), 'utf8').replace(/\/\/ @ts-expect-error.*/, '');
  execFileSync('sh', ['-c', 'cat > bad.mts'], { cwd: dir, input: bad });
  assert.throws(() => execFileSync(tsc, ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'bad.mts'], { cwd: dir, stdio: 'pipe' }));
});

it('the Node examples run against the installed package (ESM: wasm-bindgen; CommonJS: C-ABI loader)', () => {
  const dir = project(['examples/node/estimate.mjs', 'examples/node/estimate.cjs']);
  const esm = execFileSync(process.execPath, ['estimate.mjs'], { cwd: dir, encoding: 'utf8' });
  assert.equal(esm, '壹仟零壹拾元零伍分\ntrue E_JSON request.amount\n');
  const cjs = execFileSync(process.execPath, ['estimate.cjs'], { cwd: dir, encoding: 'utf8' });
  assert.equal(cjs, '1 壹亿元零壹分\n');
});

it('the README shows every example verbatim (WeChat, Alipay, browser, Node)', () => {
  const examples = ['examples/wechat/pages/estimate/estimate.js', 'examples/alipay/workers/yidi.js', 'examples/browser.html', 'examples/node/estimate.mjs', 'examples/node/estimate.cjs'];
  for (const f of examples) assert.ok(readme.includes(readFileSync(join(bridgeDir, f), 'utf8').trimEnd()), `README lacks ${f} verbatim`);
  assert.equal(readFileSync(join(pkgDir, 'README.md'), 'utf8'), readme, 'the package ships the README');
  assert.deepEqual(readdirSync(join(bridgeDir, 'examples')).sort(), ['alipay', 'browser.html', 'node', 'wechat']);
});
