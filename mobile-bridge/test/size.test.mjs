// Size of the mini-program modules (issue 4): a WeChat package holds at most 2 MB in all. The budget applies to
// each module a page of an insured person loads: the filing page's (yidi.wasm) and the estimate page's
// (yidi-estimate.wasm). The third (yidi-hospital.wasm, the hospital's and agency's ops) is held at its measured size.
//
// The budget is <= 200 KB raw and <= 80 KB brotli. The filing page's module meets it since the fifth pass,
// the estimate page's since the eighth (see README "Sizes" for where the bytes go).
// This test holds the line where each module is — any growth past its ceiling fails the suite — and prints how far
// each insured page's module is from the budget, so the gap stays visible in every test run. Lower a ceiling
// whenever its module shrinks; a ceiling is never above the budget once its module is within it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { brotliCompressSync, constants } from 'node:zlib';
import { pkgDir } from './helpers.mjs';

export const BUDGET = { raw: 200 * 1000, brotli: 80 * 1000 };
// Measured 2026-11-22 (night) on the first module, the filing page's (scripts/build-guest.sh --phone: version,
// amount.daxie, packs.list, pack.get, filing.*; no agency toolkit, no runtime packs, compiled packs, the per-call
// arena allocator, requests and the envelope read by hand, no serde_json reader; build.mjs's wasm-opt passes):
// 246.1 KB raw, 78.8 KB brotli — within the brotli budget, not yet the raw one; then 232.2 / 75.9 KB with
// packs.list's catalog sizes counted at build time (the module carries no catalog or CSV reader). Before that evening the one
// insured module (with coverage.resolve and estimate) was 469.2 / 148.5 KB (README "Sizes" has each step).
// Fifth pass (2026-11-23, night): 195.1 / 64.8 KB — within the budget, raw and brotli (a table-driven request
// reader, inline catalogs refused in this module, the reader's own decimal parser).
// Sixth pass (2026-11-23, night): 151.5 / 59.1 KB (answers and errors written by hand, sorted-vec maps, the
// compiled packs and catalogs embedded LZ-coded — brotli does a little worse on coded data, raw much better).
// Seventh pass (2026-11-23, early morning): 174.9 / 66.2 KB — coverage.resolve moved here from the estimate page's
// module (a filing page asks whether a filing covers a visit; the estimate answer holds its own coverage).
// Eighth pass (2026-11-23, early morning): 151.2 / 58.5 KB (the phone modules built no_std, with a panic handler
// that traps, and whole-program optimised: build-guest.sh builds them with `cargo rustc --crate-type cdylib`,
// because cargo leaves out `-C lto` for a crate that is also an rlib).
// 2026-11-23, morning: 152.3 / 58.8 KB — filing.validate refuses a new filing to a destination whose direct
// settlement is suspended (+0.4 KB), and every error leaving the core masks identity numbers it quotes (+0.3 KB).
// 2026-11-23, later: 153.6 / 59.3 KB — the visit's reader takes `mdtrt_cert_type` and `etip_form_flag` (which
// precheck checks: 002 §22, §39) and the packs carry `filing.id_card_cross_province` (+1.3 KB); 154.6 / 59.7 KB
// with the coverage and filing fixes found against the seeds the same morning (an emergency at a facility not
// networked is not reduced, several filings decided by kind, a change mid-stay, referral changes; +1.0 KB); 156.0 /
// 60.3 KB with filing.validate's and filing.change's fixes (overlapping filings, a second long-term filing, the
// referral certificate on a change, chronic diseases registrable; +1.5 KB).
// 2026-11-23, afternoon: 159.9 / 62.1 KB — the packs audited against the seeds (pharmacy rows, reductions, the
// ID card and Changsha's values marked unverified with their notes, a new `filing.cancel_locked`), a destination
// outside the national network refused, an unverified change lock named in its refusal, and a temporary filing
// without an end date ended by the pack's months (+3.9 KB); 161.9 / 63.1 KB with filing.change checking the
// person's other filings (as filing.validate does) and the packs' 协查 thresholds (+2.0 KB); 162.8 / 63.4 KB with
// identity numbers masked also in full-width digits and in 6-8-4 groups (+0.9 KB, in every module); 163.7 / 63.6 KB
// with a null `balc` and an empty filing `enddate` read as hospital exports write them (+0.4 KB); 164.4 / 64.0 KB
// with dates in hospital export forms (`20261010`, `2026-10-10 08:30:00`) read as their day (+0.7 KB); 160.9 / 62.5 KB
// with JSON numbers read from their text (serde_json's arbitrary_precision; the hand reader no longer imitates
// serde's binary float, −3.5 KB); 161.3 / 62.9 KB with a text of more digits than a `Decimal` holds refused
// instead of rounded (+0.4 KB).
// Ceilings: the measured sizes plus ~0.5 KB, and never above the budget once a module is within it.
export const CEILING = { raw: Math.min(161.8 * 1000, BUDGET.raw), brotli: Math.min(63.4 * 1000, BUDGET.brotli) };
// The estimate page's module (--estimate: estimate, amount.daxie, version; coverage.resolve too until the seventh
// pass), measured 345.8 / 110.7 KB, 344.6 / 110.0 KB with the core's later speed work, 316.3 / 102.2 KB after the
// fifth pass, 253.3 / 94.2 KB after the sixth, 221.6 / 82.2 KB after the seventh (shipped catalogs compiled, no CSV
// reader, the packs' JSON trees left out, coverage.resolve on the filing page, smaller sort and decimal code),
// 191.7 / 73.0 KB after the eighth (no_std and LTO) — within the budget, raw and brotli; 192.4 / 73.4 KB with the
// masking of identity numbers in errors; 192.8 / 73.6 KB with the visit's two new fields; 193.6 / 73.8 KB with the
// coverage fixes (its answer holds the coverage); 197.2 / 75.5 KB with the pack audit's fixes (as above, plus a
// line that no catalog can place refused, and the employee's unfiled outpatient share no longer lost); 197.7 /
// 75.7 KB with the packs' 协查 thresholds and a temporary filing's derived end; 198.6 / 76.1 KB with the wider
// identity-number masking; 199.5 / 76.4 KB with dates in hospital export forms read as their day (+0.9 KB; the
// hand reader leaves integer serial numbers and approval flags to the hospital's ops, saving 1.0 KB more); 195.9 /
// 75.2 KB with JSON numbers read from their text (no imitation of serde's binary float, −3.6 KB); 196.3 / 75.4 KB
// with a text of more digits than a `Decimal` holds refused instead of rounded (+0.4 KB); 199.1 / 76.5 KB with the
// fuzzer's fixes of 2026-11-23 late (balance and year-to-date totals checked as interface amounts, expected costs
// checked where they are entered: +2.8 KB; 0.9 KB of raw budget left).
export const ESTIMATE_CEILING = { raw: Math.min(199.5 * 1000, BUDGET.raw), brotli: Math.min(77.0 * 1000, BUDGET.brotli) };
// The hospital module (--hospital: lines.split, settle*, verify, precheck), measured 543.7 / 169.2 KB, then
// 550.3 / 172.1 KB after the core's speed work, 551.0 / 172.4 KB on the night of 2026-11-22, then 556.6 / 175.0 KB
// with the envelope read by hand (it holds that reader beside serde_json's, which still reads its requests),
// 556.4 / 174.2 KB with the core's later speed work, 553.2 / 173.6 KB after the fifth pass (its envelope reader
// table-driven, the catalog's rows sorted without a map), 500.2 / 169.9 KB after the sixth (maps, LZ-coded data),
// 490.8 / 165.7 KB after the seventh (shipped catalogs compiled, the packs' JSON trees left out), 404.6 / 140.3 KB
// after the eighth (no_std and LTO).
// 404.7 / 140.8 KB with the settle trace built by appends (kept as calls in these modules).
// 408.8 / 142.2 KB with precheck's credential and external-exam findings (002 §22, §39) and the visit's two fields;
// 410.1 / 142.7 KB with the coverage, filing and precheck fixes found against the seeds; 413.7 / 143.9 KB with
// verify's fixes (missing amounts read from setldetail, every sign, amounts bounded, setldetail's shapes);
// 418.1 / 145.9 KB with the pack and precheck audits' fixes; 422.7 / 147.4 KB with the path of a field that
// serde cannot read named in the error (read off the text: a path-tracking deserialiser was +132 KB), the 协查
// thresholds from the packs and precheck's suspended-filing finding; 423.6 / 147.8 KB with the wider masking;
// 425.1 / 148.2 KB with a null `balc` and an empty filing `enddate` accepted; 427.1 / 148.9 KB with verify's
// amounts compared at the fen and digits below it named once (`format.fen`); 433.4 / 151.0 KB with every
// request date read by the core's own reader in export forms too, integer serial numbers and approval flags, and
// `lines: null` in precheck; 434.9 / 150.9 KB with JSON numbers read from their text (serde_json's
// arbitrary_precision; serde_json's `Value` deserializer, which would bring ~25 KB of float code, kept out);
// 435.9 / 151.4 KB with a text of more digits than a `Decimal` holds refused instead of rounded; 440.0 / 152.9 KB
// with the fuzzer's fixes (settle's and settle.reverse's input amounts checked, packs' amounts at the fen, a
// refund's original's faults named under request.original).
export const HOSPITAL_CEILING = { raw: 440.2 * 1000, brotli: 153.3 * 1000 };
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

for (const [name, page, ceiling] of [['yidi', 'filing', CEILING], ['yidi-estimate', 'estimate', ESTIMATE_CEILING]]) {
  const met = ceiling.raw <= BUDGET.raw && ceiling.brotli <= BUDGET.brotli ? 'met' : ceiling.brotli <= BUDGET.brotli ? 'brotli met, raw not yet' : 'not met yet';
  it(`${name}.wasm (the ${page} page's module) does not grow past ${kb(ceiling.raw)} raw / ${kb(ceiling.brotli)} brotli (budget ${kb(BUDGET.raw)} / ${kb(BUDGET.brotli)} ${met})`, () => {
    const wasm = readFileSync(join(pkgDir, `${name}.wasm`));
    const br = readFileSync(join(pkgDir, `mp/${name}.wasm.br`));
    const best = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    console.log(`${name}.wasm (the ${page} page's module) ${kb(wasm.length)} raw, ${kb(br.length)} brotli (shipped .br), ${kb(best)} brotli q11`);
    console.log(
      `budget gap: ${(wasm.length / BUDGET.raw).toFixed(2)}x raw, ${(br.length / BUDGET.brotli).toFixed(2)}x brotli over ` +
        `${kb(BUDGET.raw)} / ${kb(BUDGET.brotli)} (issue 4 stays open until every insured page's module is at most 1.0x)`,
    );
    assert.ok(wasm.length <= ceiling.raw, `${name}.wasm grew to ${kb(wasm.length)} raw, ceiling ${kb(ceiling.raw)}`);
    assert.ok(br.length <= ceiling.brotli, `mp/${name}.wasm.br grew to ${kb(br.length)}, ceiling ${kb(ceiling.brotli)}`);
  });
}

it(`the hospital module (hospital's and agency's ops) does not grow past ${kb(HOSPITAL_CEILING.raw)} raw / ${kb(HOSPITAL_CEILING.brotli)} brotli`, () => {
  const wasm = readFileSync(join(pkgDir, 'yidi-hospital.wasm'));
  const br = readFileSync(join(pkgDir, 'mp/yidi-hospital.wasm.br'));
  console.log(`yidi-hospital.wasm (the hospital module, loaded unless hospital: false) ${kb(wasm.length)} raw, ${kb(br.length)} brotli`);
  assert.ok(wasm.length <= HOSPITAL_CEILING.raw, `yidi-hospital.wasm grew to ${kb(wasm.length)} raw`);
  assert.ok(br.length <= HOSPITAL_CEILING.brotli, `mp/yidi-hospital.wasm.br grew to ${kb(br.length)}`);
});

it('the hand-written loader stays small (shared layer + loader, brotli)', () => {
  const js = readFileSync(join(pkgDir, 'mp/index.js'));
  const br = brotliCompressSync(js).length;
  assert.ok(br <= 5000, `mp/index.js is ${kb(br)} brotli`);
});
