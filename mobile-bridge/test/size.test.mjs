// Size budget of the mini-program module (issue 4): a WeChat package holds at most 2 MB in all, and the
// module is downloaded by every insured person's phone. Fails the suite when the budget is exceeded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { brotliCompressSync, constants } from 'node:zlib';
import { pkgDir } from './helpers.mjs';

export const BUDGET = { raw: 200 * 1000, brotli: 80 * 1000 };
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

it(`mini-program .wasm within budget: <= ${kb(BUDGET.raw)} raw, <= ${kb(BUDGET.brotli)} brotli`, () => {
  const wasm = readFileSync(join(pkgDir, 'yidi.wasm'));
  const br = readFileSync(join(pkgDir, 'mp/yidi.wasm.br'));
  const best = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`yidi.wasm ${kb(wasm.length)} raw, ${kb(br.length)} brotli (shipped .br), ${kb(best)} brotli q11`);
  assert.ok(wasm.length <= BUDGET.raw, `yidi.wasm is ${kb(wasm.length)} raw, budget ${kb(BUDGET.raw)}`);
  assert.ok(br.length <= BUDGET.brotli, `mp/yidi.wasm.br is ${kb(br.length)}, budget ${kb(BUDGET.brotli)}`);
});

it('the hand-written loader stays small (shared layer + loader, brotli)', () => {
  const js = readFileSync(join(pkgDir, 'mp/index.js'));
  const br = brotliCompressSync(js).length;
  assert.ok(br <= 5000, `mp/index.js is ${kb(br)} brotli`);
});
