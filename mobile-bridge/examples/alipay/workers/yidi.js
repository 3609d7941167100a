// Alipay mini-program worker (MYWebAssembly runs only in a worker; app.json: "workers": "workers").
// The page calls: worker.postMessage({ id, method: 'settle', request }) and reads the answer by id.
const { load } = require('yidi-bridge');

const core = load({ wasm: '/node_modules/yidi-bridge/yidi.wasm' });

worker.onMessage(async ({ id, method, request }) => {
  const yidi = await core;
  try {
    worker.postMessage({ id, ok: true, result: yidi[method](request) });
  } catch (e) {
    worker.postMessage({ id, ok: false, error: { code: e.code, message_zh: e.message_zh, message_en: e.message_en, path: e.path } });
  }
});
