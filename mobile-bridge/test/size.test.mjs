// Size of the mini-program modules (issue 4): a WeChat package holds at most 2 MB in all. The budget applies to
// the first module (yidi.wasm), the one a page of an insured person loads; the second (yidi-hospital.wasm, the
// hospital's and agency's ops) is held at its measured size.
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
// Measured 2026-11-22 on the first module (scripts/build-guest.sh --phone: the insured person's ops only, no agency
// toolkit, no runtime packs, the shipped packs read and their JSON written from their compiled form, request dates
// read by hand, the per-call arena allocator; build.mjs's wasm-opt passes): 464.4 KB raw, 146.6 KB brotli (620.7 /
// 190.3 as one module before the split; README "Sizes" has each step). The ceilings are the measured sizes plus
// ~1 % for toolchain noise. The core's speed work of that evening (line numbers read once, catalog numbers at
// load, a stack table for repeated serial numbers) then added 4.8 / 1.9 KB: 469.2 / 148.5 KB. The insured person's
// requests read by hand (core/src/read.rs, 2026-11-22 night): 430.3 / 140.9 KB.
export const CEILING = { raw: 435 * 1000, brotli: 142.5 * 1000 };
// The second module (--hospital: lines.split, settle*, verify, precheck), measured 543.7 / 169.2 KB, then
// 550.3 / 172.1 KB after the same speed work.
export const HOSPITAL_CEILING = { raw: 556 * 1000, brotli: 174 * 1000 };
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

it(`mini-program .wasm does not grow past ${kb(CEILING.raw)} raw / ${kb(CEILING.brotli)} brotli (budget ${kb(BUDGET.raw)} / ${kb(BUDGET.brotli)} not met yet)`, () => {
  const wasm = readFileSync(join(pkgDir, 'yidi.wasm'));
  const br = readFileSync(join(pkgDir, 'mp/yidi.wasm.br'));
  const best = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`yidi.wasm (first module: the insured person's ops) ${kb(wasm.length)} raw, ${kb(br.length)} brotli (shipped .br), ${kb(best)} brotli q11`);
  console.log(
    `budget gap: ${(wasm.length / BUDGET.raw).toFixed(1)}x raw, ${(br.length / BUDGET.brotli).toFixed(1)}x brotli over ` +
      `${kb(BUDGET.raw)} / ${kb(BUDGET.brotli)} (issue 4 stays open until this is 1.0x)`,
  );
  assert.ok(wasm.length <= CEILING.raw, `yidi.wasm grew to ${kb(wasm.length)} raw, ceiling ${kb(CEILING.raw)}`);
  assert.ok(br.length <= CEILING.brotli, `mp/yidi.wasm.br grew to ${kb(br.length)}, ceiling ${kb(CEILING.brotli)}`);
});

it(`the second module (hospital's and agency's ops) does not grow past ${kb(HOSPITAL_CEILING.raw)} raw / ${kb(HOSPITAL_CEILING.brotli)} brotli`, () => {
  const wasm = readFileSync(join(pkgDir, 'yidi-hospital.wasm'));
  const br = readFileSync(join(pkgDir, 'mp/yidi-hospital.wasm.br'));
  console.log(`yidi-hospital.wasm (second module, loaded beside the first unless hospital: false) ${kb(wasm.length)} raw, ${kb(br.length)} brotli`);
  assert.ok(wasm.length <= HOSPITAL_CEILING.raw, `yidi-hospital.wasm grew to ${kb(wasm.length)} raw`);
  assert.ok(br.length <= HOSPITAL_CEILING.brotli, `mp/yidi-hospital.wasm.br grew to ${kb(br.length)}`);
});

it('the hand-written loader stays small (shared layer + loader, brotli)', () => {
  const js = readFileSync(join(pkgDir, 'mp/index.js'));
  const br = brotliCompressSync(js).length;
  assert.ok(br <= 5000, `mp/index.js is ${kb(br)} brotli`);
});
