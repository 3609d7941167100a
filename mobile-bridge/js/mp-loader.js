// Mini-program flavour: a hand-written loader for the C-ABI module of guest/ (alloc / free / call, framed
// JSON out). Needs nothing but a WebAssembly 1.0 engine: no TextEncoder/TextDecoder (own UTF-8 loops),
// no instantiateStreaming, no imports, no exported Globals. Picks WXWebAssembly (WeChat), MYWebAssembly
// (Alipay) or WebAssembly; the first two take only a path to a .wasm / .wasm.br inside the package.

// UTF-8 length of a JS string; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder does.
function utf8Length(s) {
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

function utf8Write(s, out) {
  var j = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 0x80) { out[j++] = c; continue; }
    if (c < 0x800) { out[j++] = 0xc0 | (c >> 6); out[j++] = 0x80 | (c & 63); continue; }
    if (c >= 0xd800 && c < 0xe000) {
      var d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && (d & 0xfc00) === 0xdc00) {
        var cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[j++] = 0xf0 | (cp >> 18); out[j++] = 0x80 | ((cp >> 12) & 63);
        out[j++] = 0x80 | ((cp >> 6) & 63); out[j++] = 0x80 | (cp & 63);
        continue;
      }
      c = 0xfffd;
    }
    out[j++] = 0xe0 | (c >> 12); out[j++] = 0x80 | ((c >> 6) & 63); out[j++] = 0x80 | (c & 63);
  }
}

// The core writes only valid UTF-8 (a Rust String), so decoding needs no error handling.
function utf8Read(b, i, end) {
  var s = '';
  var units = [];
  while (i < end) {
    var c = b[i++];
    if (c >= 0xf0) {
      c = (((c & 7) << 18) | ((b[i++] & 63) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63)) - 0x10000;
      units.push(0xd800 + (c >> 10));
      c = 0xdc00 + (c & 0x3ff);
    } else if (c >= 0xe0) {
      c = ((c & 15) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
    } else if (c >= 0x80) {
      c = ((c & 31) << 6) | (b[i++] & 63);
    }
    units.push(c);
    if (units.length > 8192) { s += String.fromCharCode.apply(null, units); units = []; }
  }
  return s + String.fromCharCode.apply(null, units);
}

function coreEngine(exports) {
  if (typeof exports.yidi_abi_version !== 'function' || exports.yidi_abi_version() !== 1) {
    throw new Error('@yidi/bridge: the .wasm does not speak yidi ABI version 1');
  }
  var lost = false;
  function callJson(text) {
    if (lost) throw new Error('@yidi/bridge: the core trapped earlier; call load() again');
    try {
      var n = utf8Length(text);
      var p = exports.yidi_alloc(n);
      if (p === 0) throw new Error('@yidi/bridge: out of memory');
      utf8Write(text, new Uint8Array(exports.memory.buffer, p, n));
      var out = exports.yidi_call(p, n);
      exports.yidi_free(p, n);
      if (out === 0) throw new Error('@yidi/bridge: out of memory');
      // The memory may have grown during the call: take a fresh view of it.
      var mem = new Uint8Array(exports.memory.buffer);
      var len = (mem[out] | (mem[out + 1] << 8) | (mem[out + 2] << 16) | (mem[out + 3] << 24)) >>> 0;
      var json = utf8Read(mem, out + 4, out + 4 + len);
      exports.yidi_free(out, 4 + len);
      return json;
    } catch (e) {
      lost = true; // a trap leaves the instance's allocator in an unknown state
      throw e;
    }
  }
  return {
    callJson: callJson,
    call: function (envelope) {
      return JSON.parse(callJson(JSON.stringify(envelope)));
    }
  };
}

// The mini-program flavour is three modules, one per kind of page, so that a page loads only what it calls:
// yidi.wasm (the filing page: version, amount.daxie, packs.list, pack.get, filing.*, coverage.resolve),
// yidi-estimate.wasm (the estimate page: estimate, whose answer holds its visit's coverage; version and amount.daxie
// too) and yidi-hospital.wasm (the hospital's and agency's ops). Each op
// goes to the loaded module that has it; everything else (unknown ops, malformed envelopes) to the first module
// loaded, and every module answers those alike (the core's envelope code is the same in each).
var ESTIMATE_OPS = ['estimate'];
var HOSPITAL_OPS = ['lines.split', 'settle', 'settle.reverse', 'settle.refund', 'verify', 'precheck'];

function modules(filing, estimate, hospital) {
  var fallback = filing || estimate || hospital;
  function pick(op) {
    if (typeof op === 'string') {
      if (estimate && ESTIMATE_OPS.indexOf(op) >= 0) return estimate;
      if (hospital && HOSPITAL_OPS.indexOf(op) >= 0) return hospital;
    }
    return fallback;
  }
  return {
    callJson: function (text) {
      var env;
      try { env = JSON.parse(text); } catch (e) { env = null; }
      return pick(env !== null && typeof env === 'object' ? env.op : undefined).callJson(text);
    },
    call: function (envelope) {
      return pick(envelope && envelope.op).call(envelope);
    }
  };
}

function instantiate(wasm) {
  if (typeof WXWebAssembly !== 'undefined') return WXWebAssembly.instantiate(wasm, {});
  if (typeof MYWebAssembly !== 'undefined') return MYWebAssembly.instantiate(wasm, {});
  if (typeof WebAssembly === 'undefined') throw new Error('@yidi/bridge: no WebAssembly engine here');
  if (typeof wasm === 'string' || (typeof URL !== 'undefined' && wasm instanceof URL)) {
    return fetch(wasm).then(function (r) {
      if (!r.ok) throw new Error('@yidi/bridge: fetching ' + wasm + ' failed: ' + r.status);
      return r.arrayBuffer();
    }).then(function (bytes) { return WebAssembly.instantiate(bytes, {}); });
  }
  return WebAssembly.instantiate(wasm, {});
}

function engineOf(r) {
  return coreEngine((r.instance || r).exports);
}

/**
 * Load the core. `options.wasm`: in WeChat / Alipay the absolute path of yidi.wasm.br (or yidi.wasm)
 * inside the mini-program package; elsewhere its bytes (ArrayBuffer, Uint8Array), a compiled
 * WebAssembly.Module, or a URL to fetch. The estimate page's op (estimate) comes from
 * `options.estimateWasm`, the hospital's and agency's from `options.hospitalWasm` (the same kinds of value);
 * given a path or URL of yidi.wasm[.br], they default to yidi-estimate.wasm[.br] / yidi-hospital.wasm[.br]
 * beside it. `filing: false`, `estimate: false`, `hospital: false` leave a module out (a page loads only
 * what it calls): its ops then answer E_UNKNOWN_OP.
 */
function load(options) {
  var o = options || {};
  var wasm = o.wasm;
  var want = [o.filing !== false, o.estimate !== false, o.hospital !== false];
  return Promise.resolve().then(function () {
    if (wasm === undefined || wasm === null) throw new TypeError('@yidi/bridge: load({ wasm }) needs the .wasm path or bytes');
    if (!want[0] && !want[1] && !want[2]) throw new TypeError('@yidi/bridge: load() was asked to leave out every module');
    var name = String(typeof wasm === 'string' || (typeof URL !== 'undefined' && wasm instanceof URL) ? wasm : '');
    function beside(given, wanted, option, file, flag) {
      if (!wanted || (given !== undefined && given !== null)) return given;
      if (!/yidi\.wasm(\.br)?$/.test(name)) {
        throw new TypeError('@yidi/bridge: load({ wasm, ' + option + ' }) needs the module ' + file + ' too, or ' + flag + ': false');
      }
      return name.replace(/yidi\.wasm(\.br)?$/, file + '$1');
    }
    var paths = [wasm, beside(o.estimateWasm, want[1], 'estimateWasm', 'yidi-estimate.wasm', 'estimate'),
      beside(o.hospitalWasm, want[2], 'hospitalWasm', 'yidi-hospital.wasm', 'hospital')];
    return Promise.all(paths.map(function (p, i) { return want[i] ? instantiate(p) : null; }));
  }).then(function (r) {
    var e = r.map(function (x) { return x && engineOf(x); });
    return makeApi(modules(e[0], e[1], e[2]));
  });
}
