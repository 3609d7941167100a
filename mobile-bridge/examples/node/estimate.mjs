// Node (ESM): the wasm-bindgen flavour; hand it the module's bytes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { load, YidiError } from 'yidi-bridge';

const wasm = readFileSync(createRequire(import.meta.url).resolve('yidi-bridge/yidi_bridge_bg.wasm'));
const yidi = await load({ wasm });

console.log(yidi.amountDaxie({ amount: '1010.05' }).daxie); // 壹仟零壹拾元零伍分
try {
  yidi.amountDaxie({ amount: 1010.05 }); // a JS number: refused, money travels as decimal strings
} catch (e) {
  console.log(e instanceof YidiError, e.code, e.path); // true E_JSON request.amount
}
