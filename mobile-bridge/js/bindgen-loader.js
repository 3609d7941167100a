// wasm-bindgen flavour (browsers, Node): the module built from mobile-bridge/src/lib.rs with its
// generated glue, imported by the ESM wrapper as `wbInit`, `wbCall`, `wbCallJson`.

/**
 * Load the core. `options.wasm`: bytes (ArrayBuffer, Uint8Array), a WebAssembly.Module, a URL or
 * path to fetch; omitted, the yidi_bridge_bg.wasm next to this file (browsers).
 */
function load(options) {
  var wasm = options && options.wasm;
  if (wasm === undefined || wasm === null) wasm = new URL('./yidi_bridge_bg.wasm', import.meta.url);
  return wbInit({ module_or_path: wasm }).then(function () {
    var lost = false;
    function guard(f) {
      return function (a) {
        if (lost) throw new Error('@yidi/bridge: the core trapped earlier; load the page again');
        try { return f(a); } catch (e) { lost = true; throw e; }
      };
    }
    return makeApi({ call: guard(wbCall), callJson: guard(wbCallJson) });
  });
}
