// Compiled by package.test.mjs with tsc --strict against the built package: the types must accept the
// README's calls and refuse what the package refuses (a JS number for money).
import { load, OPS, YidiError, type Methods, type Ops, type Yidi } from 'yidi-bridge';

const yidi: Yidi = await load({ wasm: new Uint8Array(0) });
const daxie: string = yidi.amountDaxie({ amount: '1010.05' }).daxie;
// @ts-expect-error money is a decimal string, never a JS number
yidi.amountDaxie({ amount: 1010.05 });
const core: string = yidi.version().core_version;
const regions: string[] = yidi.listPacks().map((p) => p.region);
const est = yidi.estimate({
  person: { psn_no: 'P1', insutype: '390', psn_type: '1501', insuplc_admdvs: '610100' },
  mdtrtarea_admvs: '330100',
  hosp_lv: '3',
  filing: 'other_temporary',
  begndate: '2025-08-01',
  costs: { jia: '8000', yi: '2000', bing: '500', yi_selfpay_prop: '0.10' }
});
const saves: string | null | undefined = est.filing_saves;
const settled: Ops['settle']['result'] = yidi.call('settle', {} as Ops['settle']['request']);
const anyOp: unknown = yidi.call('calendar.years', {});
const op: 'settle' = OPS.settle;
const m: keyof Methods = 'verify';
try {
  yidi.precheck({} as Ops['precheck']['request']);
} catch (e) {
  if (e instanceof YidiError) {
    const c: string = e.code;
    console.log(c, e.message_zh, e.message_en, e.path, e.op);
  }
}
console.log(daxie, core, regions, saves, settled, anyOp, op, m);
