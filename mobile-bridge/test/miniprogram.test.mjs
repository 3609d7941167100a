// The mini-program runtime: the README's WeChat page and Alipay worker run unchanged in a realm with no
// WebAssembly, TextEncoder, TextDecoder or fetch, through WXWebAssembly / MYWebAssembly stand-ins that
// take only a path; the shipped .wasm is WebAssembly 1.0 (wasm-validate) with no imports and no Globals.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { alipayApp, envelopeText, nativeAnswers, pkgDir, repoDir, sameText, wechatApp } from './helpers.mjs';
import { miniProgramRealm } from './miniprogram-realm.mjs';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('WeChat: the README page runs in the mini-program realm', () => {
  it('estimates with and without a filing and writes the saving in upper case', async () => {
    const root = wechatApp();
    const pages = [];
    const realm = miniProgramRealm({ engine: 'WXWebAssembly', root, globals: { Page: (cfg) => pages.push(cfg) } });
    realm.run('pages/estimate/estimate.js');
    assert.equal(pages.length, 1);
    const page = { data: { ...pages[0].data }, setData(d) { Object.assign(this.data, d); } };
    await pages[0].onLoad.call(page);
    assert.deepEqual(page.data, { payWithFiling: '5220.00', payWithout: '10500.00', saves: '1760.00', savesDaxie: '壹仟柒佰陆拾元整', error: '' });
    assert.deepEqual(realm.calls, ['/miniprogram_npm/yidi-bridge/yidi-estimate.wasm.br']);
  });
});

describe('Alipay: the README worker answers the page in the mini-program realm', () => {
  it('settles a golden claim byte-identically to the native core and reports errors by code', async () => {
    const root = alipayApp();
    let onMessage;
    const posted = [];
    const worker = { onMessage: (f) => { onMessage = f; }, postMessage: (m) => posted.push(m) };
    const realm = miniProgramRealm({ engine: 'MYWebAssembly', root, globals: { worker } });
    realm.run('workers/yidi.js');
    const file = join(repoDir, 'tests/golden/settle/changsha_referral_reduction_as_preselfpay.json');
    const { request } = JSON.parse(readFileSync(file, 'utf8'));
    await onMessage({ id: 1, method: 'settle', request: request.request });
    await onMessage({ id: 2, method: 'amountDaxie', request: { amount: 'abc' } });
    await flush();
    assert.deepEqual(posted.map((p) => p.id), [1, 2]);
    const native = nativeAnswers([file])[0].output;
    sameText(envelopeText('settle', posted[0]), native, file);
    assert.equal(posted[1].ok, false);
    assert.match(posted[1].error.code, /^E_/);
    assert.match(posted[1].error.path, /^request/);
    assert.deepEqual(realm.calls, ['/node_modules/yidi-bridge/yidi.wasm', '/node_modules/yidi-bridge/yidi-estimate.wasm', '/node_modules/yidi-bridge/yidi-hospital.wasm']);
  });
});

describe('the stand-ins are as strict as the real engines', () => {
  it('bytes are refused: WXWebAssembly takes only a path', async () => {
    const realm = miniProgramRealm({ engine: 'WXWebAssembly', root: wechatApp() });
    const { load } = realm.run('miniprogram_npm/yidi-bridge/index.js');
    await assert.rejects(load({ wasm: readFileSync(join(pkgDir, 'yidi.wasm')), estimate: false, hospital: false }), /takes a path/);
    await assert.rejects(load({ wasm: 'miniprogram_npm/yidi-bridge/yidi.wasm' }), /absolute/);
    await assert.rejects(load({ wasm: '/miniprogram_npm/yidi-bridge/yidi.wasm.br', hospitalWasm: readFileSync(join(pkgDir, 'yidi-hospital.wasm')) }), /takes a path/);
    await assert.rejects(load({ wasm: '/miniprogram_npm/yidi-bridge/nope.wasm', estimate: false, hospital: false }), /no such file/);
  });

  it('a module exporting a Global is refused, as on iOS', async () => {
    const root = wechatApp();
    // (module (global (export "g") i32 (i32.const 0)))
    writeFileSync(join(root, 'g.wasm'), Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 6, 6, 1, 127, 0, 65, 0, 11, 7, 5, 1, 1, 103, 3, 0]));
    const { load } = miniProgramRealm({ engine: 'WXWebAssembly', root }).run('miniprogram_npm/yidi-bridge/index.js');
    await assert.rejects(load({ wasm: '/g.wasm', estimate: false, hospital: false }), /cannot export Globals/);
  });
});

const mvpOnly = ['--disable-mutable-globals', '--disable-saturating-float-to-int', '--disable-sign-extension', '--disable-simd',
  '--disable-multi-value', '--disable-bulk-memory', '--disable-reference-types'];

for (const name of ['yidi', 'yidi-estimate', 'yidi-hospital']) {
  describe(`the shipped mini-program module ${name}.wasm`, () => {
    const wasm = readFileSync(join(pkgDir, `${name}.wasm`));

    it('is WebAssembly 1.0: wasm-validate passes with every post-1.0 feature disabled', () => {
      execFileSync('wasm-validate', [...mvpOnly, join(pkgDir, `${name}.wasm`)], { stdio: 'pipe' });
    });

    it('has no imports, no exported Globals, exactly the C ABI; the .br is the same module', () => {
      const m = new WebAssembly.Module(wasm);
      assert.deepEqual(WebAssembly.Module.imports(m), []);
      assert.deepEqual(WebAssembly.Module.exports(m).map((e) => `${e.kind} ${e.name}`).sort(),
        ['function yidi_abi_version', 'function yidi_alloc', 'function yidi_call', 'function yidi_free', 'memory memory']);
      assert.ok(brotliDecompressSync(readFileSync(join(pkgDir, `mp/${name}.wasm.br`))).equals(wasm));
    });

    it('puts its stack first and its data above 1 MB, as build.mjs\'s --low-memory-unused assumes', () => {
      const dump = execFileSync('wasm-objdump', ['-x', join(pkgDir, `${name}.wasm`)], { encoding: 'utf8' });
      const segments = [...dump.matchAll(/^ - segment\[\d+\] memory=0 size=\d+ - init i32=(\d+)$/gm)].map((m) => Number(m[1]));
      assert.ok(segments.length > 0, 'data segments found');
      for (const at of segments) assert.ok(at >= 1048576, `a data segment at ${at}`);
      const stack = dump.match(/^ - global\[0\] i32 mutable=1 - init i32=(\d+)$/m);
      assert.equal(Number(stack?.[1]), 1048576, 'the stack pointer starts at 1 MB and grows down');
    });
  });
}

describe('the three mini-program modules', () => {
  const hospitalOps = ['lines.split', 'settle', 'settle.reverse', 'settle.refund', 'verify', 'precheck'];
  const filingOps = ['packs.list', 'pack.get', 'filing.validate', 'filing.window', 'filing.change', 'filing.cancel', 'coverage.resolve'];
  const estimateOps = ['estimate'];
  const raw = async (name) => {
    const { load } = createRequire(import.meta.url)(join(pkgDir, 'mp/index.js'));
    return load({ wasm: readFileSync(join(pkgDir, `${name}.wasm`)), estimate: false, hospital: false });
  };
  const answer = (yidi, op) => JSON.parse(yidi.callJson(JSON.stringify({ api_version: '1', op, request: {} })));

  it('the check can fail: the wasm-bindgen module (bulk memory, reference types) does not pass wasm-validate', () => {
    assert.throws(() => execFileSync('wasm-validate', [...mvpOnly, join(pkgDir, 'esm/yidi_bridge_bg.wasm')], { stdio: 'pipe' }));
  });

  it('each holds its own ops only: the others are a typed E_UNKNOWN_OP at "op" naming another module', async () => {
    const modules = [['yidi', [...filingOps, 'amount.daxie']], ['yidi-estimate', [...estimateOps, 'amount.daxie']], ['yidi-hospital', hospitalOps]];
    for (const [name, mine] of modules) {
      const yidi = await raw(name);
      for (const op of [...filingOps, ...estimateOps, ...hospitalOps, 'amount.daxie'].filter((o) => !mine.includes(o))) {
        const { error } = answer(yidi, op);
        assert.equal(error.code, 'E_UNKNOWN_OP', `${name} ${op}`);
        assert.equal(error.path, 'op');
        assert.match(error.message_en, /is not in this module; another module of the package has it/);
      }
      for (const op of [...mine, 'version']) assert.notEqual(answer(yidi, op).error?.code, 'E_UNKNOWN_OP', `${name} ${op}`);
    }
  });

  it('estimate: false, hospital: false instantiate only the first module; the others\' ops throw E_UNKNOWN_OP', async () => {
    const realm = miniProgramRealm({ engine: 'WXWebAssembly', root: wechatApp() });
    const yidi = await realm.run('miniprogram_npm/yidi-bridge/index.js').load({ wasm: '/miniprogram_npm/yidi-bridge/yidi.wasm.br', estimate: false, hospital: false });
    assert.throws(() => yidi.settle({}), (e) => e.code === 'E_UNKNOWN_OP' && e.path === 'op');
    assert.throws(() => yidi.estimate({}), (e) => e.code === 'E_UNKNOWN_OP' && e.path === 'op');
    assert.equal(yidi.amountDaxie({ amount: '0.50' }).daxie, '伍角');
    assert.deepEqual(realm.calls, ['/miniprogram_npm/yidi-bridge/yidi.wasm.br']);
  });

  it('by default all three are instantiated, the others from beside the first; bytes need estimateWasm and hospitalWasm', async () => {
    const realm = miniProgramRealm({ engine: 'WXWebAssembly', root: wechatApp() });
    const { load } = realm.run('miniprogram_npm/yidi-bridge/index.js');
    const yidi = await load({ wasm: '/miniprogram_npm/yidi-bridge/yidi.wasm.br' });
    assert.deepEqual(realm.calls, ['/miniprogram_npm/yidi-bridge/yidi.wasm.br', '/miniprogram_npm/yidi-bridge/yidi-estimate.wasm.br', '/miniprogram_npm/yidi-bridge/yidi-hospital.wasm.br']);
    assert.throws(() => yidi.settle({}), (e) => e.code !== 'E_UNKNOWN_OP');
    assert.throws(() => yidi.estimate({}), (e) => e.code !== 'E_UNKNOWN_OP');
    const { load: nodeLoad } = createRequire(import.meta.url)(join(pkgDir, 'mp/index.js'));
    await assert.rejects(nodeLoad({ wasm: readFileSync(join(pkgDir, 'yidi.wasm')), hospital: false }), /estimateWasm/);
    await assert.rejects(nodeLoad({ wasm: readFileSync(join(pkgDir, 'yidi.wasm')), estimate: false }), /hospitalWasm/);
  });

  it('callJson routes by the envelope\'s op: malformed text and other ops go to the first module', async () => {
    const { load } = createRequire(import.meta.url)(join(pkgDir, 'mp/index.js'));
    const yidi = await load({ wasm: readFileSync(join(pkgDir, 'yidi.wasm')), estimateWasm: readFileSync(join(pkgDir, 'yidi-estimate.wasm')), hospitalWasm: readFileSync(join(pkgDir, 'yidi-hospital.wasm')) });
    assert.match(yidi.callJson('{"api_version":"1","op":"settle"'), /"code":"E_JSON"/);
    assert.match(yidi.callJson('{"api_version":"1","op":"settle","request":{}}'), /"code":"E_MISSING_FIELD"/);
    assert.match(yidi.callJson('{"api_version":"1","op":"\\u0073ettle","request":{}}'), /"code":"E_MISSING_FIELD"/);
    assert.match(yidi.callJson('{"api_version":"1","op":"nope","request":{}}'), /unknown op \\"nope\\"; ops: version, .*settle/);
  });
});

describe('the loader', () => {
  it('the loader never touches TextEncoder, TextDecoder, instantiateStreaming or Node modules', () => {
    const src = readFileSync(join(pkgDir, 'mp/index.js'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const banned of [/TextEncoder/, /TextDecoder/, /instantiateStreaming/, /\brequire\(/, /import\.meta/, /\bprocess\./, /\bBuffer\b/]) {
      assert.doesNotMatch(src, banned);
    }
  });
});

describe("the loader's UTF-8 loops agree with Node's encoder", () => {
  const ctx = vm.createContext({});
  vm.runInContext(readFileSync(join(pkgDir, 'mp/index.js'), 'utf8').replace(/module\.exports = .*/, ''), ctx);
  const samples = ['', 'a', 'é', '元', '壹仟零壹拾元零伍分', '😀', 'x😀y', '\u0000\u007f\u0080\u07ff\u0800\uffff', '\ud800', 'a\udc00b', '\ud83d', '\ud83d\ud83d\ude00', 'Ā'.repeat(20000) + '𝄞'];
  it('encode: length and bytes as Buffer.from (lone surrogates become U+FFFD)', () => {
    for (const s of samples) {
      const want = Buffer.from(s, 'utf8');
      assert.equal(ctx.utf8Length(s), want.length, JSON.stringify(s.slice(0, 10)));
      const out = new Uint8Array(want.length);
      ctx.utf8Write(s, out);
      assert.ok(Buffer.from(out).equals(want), JSON.stringify(s.slice(0, 10)));
    }
  });
  it('decode: every valid UTF-8 text back to the same string', () => {
    for (const s of samples) {
      const bytes = Buffer.from(s, 'utf8');
      assert.equal(ctx.utf8Read(bytes, 0, bytes.length), bytes.toString('utf8'));
    }
  });
});

describe('a trap in a module', () => {
  // The phone modules are no_std: a panic traps (`unreachable`), as any out-of-bounds access does. The core answers
  // bad input with error envelopes, so nothing in the suite traps by itself; here the module's own `yidi_call` is
  // handed an address outside its memory — a real trap of the shipped code — to check what the loader promises:
  // the call throws the engine's error, the instance is never used again (its allocator may be half-updated), and
  // a new load() answers as before.
  it('the call throws, later calls say to load again, a fresh load answers', async () => {
    const { load } = createRequire(import.meta.url)(join(pkgDir, 'mp/index.js'));
    const real = WebAssembly.instantiate;
    let trapped = 0;
    WebAssembly.instantiate = async (bytes, imports) => {
      const exports = { ...(await real(bytes, imports)).instance.exports };
      const call = exports.yidi_call;
      exports.yidi_call = (p, n) => (trapped++ === 0 ? call(0xffff_fff0, 4096) : call(p, n));
      return { instance: { exports } };
    };
    let yidi;
    try {
      yidi = await load({ wasm: readFileSync(join(pkgDir, 'yidi.wasm')), estimate: false, hospital: false });
    } finally {
      WebAssembly.instantiate = real;
    }
    const daxie = { amount: '100.00' };
    assert.throws(() => yidi.amountDaxie(daxie), (e) => e instanceof WebAssembly.RuntimeError);
    assert.throws(() => yidi.amountDaxie(daxie), /trapped earlier; call load\(\) again/);
    assert.equal(trapped, 1, 'the lost instance is not called again');
    const fresh = await load({ wasm: readFileSync(join(pkgDir, 'yidi.wasm')), estimate: false, hospital: false });
    assert.equal(fresh.amountDaxie(daxie).daxie, '壹佰元整');
  });
});
