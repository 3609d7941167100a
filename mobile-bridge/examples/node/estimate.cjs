// Node (CommonJS): require() gets the mini-program flavour, the same API.
const { readFileSync } = require('node:fs');
const { load } = require('yidi-bridge');

const bytes = (f) => readFileSync(require.resolve(`yidi-bridge/${f}`));

load({ wasm: bytes('yidi.wasm'), estimateWasm: bytes('yidi-estimate.wasm'), hospitalWasm: bytes('yidi-hospital.wasm') }).then((yidi) => {
  console.log(yidi.version().api_version, yidi.amountDaxie({ amount: '100000000.01' }).daxie); // 1 壹亿元零壹分
});
