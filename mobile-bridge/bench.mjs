// Per-call cost of each flavour on one golden settle claim (object API and callJson), for the README.
// Not a test: `node mobile-bridge/bench.mjs` after build.sh. Bounded: a few thousand calls per flavour.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flavours, repoDir } from './test/helpers.mjs';

const { request } = JSON.parse(readFileSync(join(repoDir, 'tests/golden/settle/changsha_referral_reduction_as_preselfpay.json'), 'utf8'));
const text = JSON.stringify(request);
const N = Number(process.env.N || 3000);
for (const f of flavours) {
  const yidi = await f.load();
  for (let i = 0; i < 200; i++) yidi.settle(request.request);
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) yidi.settle(request.request);
  const obj = Number(process.hrtime.bigint() - t) / N / 1000;
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) yidi.callJson(text);
  const raw = Number(process.hrtime.bigint() - t) / N / 1000;
  console.log(`${f.name.padEnd(84)} settle(): ${obj.toFixed(0).padStart(5)} µs   callJson: ${raw.toFixed(0).padStart(5)} µs`);
}
