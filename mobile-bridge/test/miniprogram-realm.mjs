// A mini-program runtime stand-in for the tests, as strict as the real ones where the package cares:
// a fresh JS realm with NO WebAssembly, TextEncoder, TextDecoder, fetch or URL global; instead
// WXWebAssembly (WeChat) or MYWebAssembly (Alipay) whose instantiate(path, imports) takes ONLY an
// absolute path to a .wasm or .wasm.br file inside the package (bytes are refused), refuses a module
// that exports a Global (iOS), and the mini-program's own CommonJS require with its npm layout.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import vm from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';

export function miniProgramRealm({ engine, root, globals = {} }) {
  const context = vm.createContext({ console, setTimeout, ...globals });
  // A fresh V8 context has WebAssembly as a language builtin: take it away, as on iOS.
  vm.runInContext('delete globalThis.WebAssembly;', context);
  const missing = vm.runInContext(
    "['WebAssembly','TextEncoder','TextDecoder','fetch','URL','process','Buffer'].filter(n => typeof globalThis[n] !== 'undefined')", context);
  if (missing.length) throw new Error(`realm still has ${missing.join(', ')}`);

  const calls = [];
  context[engine] = {
    instantiate(path, imports) {
      calls.push(path);
      if (typeof path !== 'string') return Promise.reject(new TypeError(`${engine}.instantiate takes a path in the package, got ${Object.prototype.toString.call(path)}`));
      if (!path.startsWith('/') || !/\.wasm(\.br)?$/.test(path)) return Promise.reject(new Error(`${engine}: not an absolute .wasm/.wasm.br path: ${path}`));
      const file = normalize(join(root, path));
      if (relative(root, file).startsWith('..') || !existsSync(file)) return Promise.reject(new Error(`${engine}: no such file in the package: ${path}`));
      let bytes = readFileSync(file);
      if (path.endsWith('.br')) bytes = brotliDecompressSync(bytes);
      try {
        const module = new WebAssembly.Module(bytes);
        const globalsOut = WebAssembly.Module.exports(module).filter((e) => e.kind === 'global');
        if (globalsOut.length) throw new Error(`iOS cannot export Globals: ${globalsOut.map((e) => e.name).join(', ')}`);
        return Promise.resolve({ module, instance: new WebAssembly.Instance(module, imports) });
      } catch (e) {
        return Promise.reject(e);
      }
    }
  };

  // The mini-program's CommonJS: relative paths from the requiring file, bare names from the npm
  // folder (WeChat: miniprogram_npm/NAME/index.js; Alipay: node_modules/NAME, its package.json main).
  const cache = new Map();
  function resolveFrom(dir, spec) {
    if (spec.startsWith('.') || spec.startsWith('/')) {
      const f = normalize(spec.startsWith('/') ? join(root, spec) : join(dir, spec));
      return existsSync(f) ? f : f + '.js';
    }
    const wx = join(root, 'miniprogram_npm', spec, 'index.js');
    if (existsSync(wx)) return wx;
    const pkgDir = join(root, 'node_modules', spec);
    const main = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).main || 'index.js';
    return join(pkgDir, main);
  }
  function load(file) {
    if (cache.has(file)) return cache.get(file).exports;
    const module = { exports: {} };
    cache.set(file, module);
    const fn = vm.runInContext(`(function (module, exports, require) {${readFileSync(file, 'utf8')}\n})`, context, { filename: file });
    fn(module, module.exports, (spec) => load(resolveFrom(dirname(file), spec)));
    return module.exports;
  }
  return { context, calls, run: (pathInPackage) => load(join(root, pathInPackage)) };
}
