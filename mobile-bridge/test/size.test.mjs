// Size of the mini-program module (issue 4): a WeChat package holds at most 2 MB in all, and the module is
// downloaded by every insured person's phone.
//
// The budget is <= 200 KB raw and <= 80 KB brotli. The module does NOT meet it yet (see README
// "Sizes" for where the bytes go and what reaching the budget needs from core/). Until it does, this test holds
// the line where it is — any growth past CEILING fails the suite — and prints how far the module is from the
// budget, so the gap stays visible in every test run. Lower CEILING whenever the module shrinks; when it
// reaches BUDGET, make BUDGET the ceiling and delete CEILING.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { brotliCompressSync, constants } from 'node:zlib';
import { pkgDir } from './helpers.mjs';

export const BUDGET = { raw: 200 * 1000, brotli: 80 * 1000 };
// Measured 2026-11-22 (scripts/build-guest.sh --lite: no agency toolkit, no runtime packs, the shipped packs read
// and their JSON written from their compiled form, the per-call arena allocator; build.mjs's wasm-opt passes),
// core c51dc95: 614.8 KB raw, 186.8 KB brotli (866.1 / 225.5 before this session's levers; README "Sizes" has
// each step). The ceiling is that plus ~2 % for toolchain noise.
export const CEILING = { raw: 628 * 1000, brotli: 191 * 1000 };
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

it(`mini-program .wasm does not grow past ${kb(CEILING.raw)} raw / ${kb(CEILING.brotli)} brotli (budget ${kb(BUDGET.raw)} / ${kb(BUDGET.brotli)} not met yet)`, () => {
  const wasm = readFileSync(join(pkgDir, 'yidi.wasm'));
  const br = readFileSync(join(pkgDir, 'mp/yidi.wasm.br'));
  const best = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`yidi.wasm ${kb(wasm.length)} raw, ${kb(br.length)} brotli (shipped .br), ${kb(best)} brotli q11`);
  console.log(
    `budget gap: ${(wasm.length / BUDGET.raw).toFixed(1)}x raw, ${(br.length / BUDGET.brotli).toFixed(1)}x brotli over ` +
      `${kb(BUDGET.raw)} / ${kb(BUDGET.brotli)} (issue 4 stays open until this is 1.0x)`,
  );
  assert.ok(wasm.length <= CEILING.raw, `yidi.wasm grew to ${kb(wasm.length)} raw, ceiling ${kb(CEILING.raw)}`);
  assert.ok(br.length <= CEILING.brotli, `mp/yidi.wasm.br grew to ${kb(br.length)}, ceiling ${kb(CEILING.brotli)}`);
});

it('the hand-written loader stays small (shared layer + loader, brotli)', () => {
  const js = readFileSync(join(pkgDir, 'mp/index.js'));
  const br = brotliCompressSync(js).length;
  assert.ok(br <= 5000, `mp/index.js is ${kb(br)} brotli`);
});
