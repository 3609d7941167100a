// Shared layer of every flavour of @yidi/bridge: the typed operations, YidiError and the input checks.
// build.mjs wraps this file (no import/export here) into the ESM and CommonJS entries of each flavour,
// so the TypeScript API is one and the same whichever module runs the core.

/** API version of the core's JSON envelope this package speaks. */
var API_VERSION = '1';

/** Method name -> core operation for the insured person's and the hospital's operations; the agency's ops
 * (clearing.*, calendar.*, and filing.treatment: suspend / resume / terminate a filing) are reached through
 * call(op, request) in the wasm-bindgen flavour only; the mini-program modules leave them out. Checked against the schema. */
var OPS = {
  version: 'version',
  amountDaxie: 'amount.daxie',
  listPacks: 'packs.list',
  getPack: 'pack.get',
  validateFiling: 'filing.validate',
  filingWindow: 'filing.window',
  changeFiling: 'filing.change',
  cancelFiling: 'filing.cancel',
  resolveCoverage: 'coverage.resolve',
  splitLines: 'lines.split',
  estimate: 'estimate',
  settle: 'settle',
  reverseSettlement: 'settle.reverse',
  refundSettlement: 'settle.refund',
  verify: 'verify',
  precheck: 'precheck'
};

/** The core said no: stable code, both messages, the input path. Also thrown for requests the bridge
 * refuses before the core (a JS number with a fraction, a Date, a cycle) with the core's codes. */
class YidiError extends Error {
  constructor(error, op) {
    var e = error || {};
    super(e.code + ': ' + e.message_en + (e.path ? ' (at ' + e.path + ')' : ''));
    this.name = 'YidiError';
    this.code = e.code;
    this.message_zh = e.message_zh;
    this.message_en = e.message_en;
    this.path = e.path || '';
    this.op = op || '';
  }
}

function refuse(op, path, zh, en) {
  return new YidiError({ code: 'E_JSON', message_zh: zh, message_en: en, path: path }, op);
}

// A plain JSON-data copy of the request, or a YidiError naming the first offending field. Money and
// quantities travel as decimal strings: a JS number with a fraction has already lost exactness
// (0.1 + 0.2), so it is refused rather than rounded. Integers (counts, years) pass. Properties whose
// value is undefined are left out, as JSON.stringify does, in every flavour alike.
function plain(op, value, path, seen) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value === 0 ? 0 : value;
    throw refuse(op, path, '数字 ' + value + ' 不精确：金额和数量请用十进制字符串，例如 "12.30"',
      'the JS number ' + value + ' is not exact: send money and quantities as decimal strings, e.g. "12.30"');
  }
  if (typeof value !== 'object') {
    throw refuse(op, path, '不支持的值类型 ' + typeof value, 'a ' + typeof value + ' is not JSON data');
  }
  if (seen.indexOf(value) >= 0) throw refuse(op, path, '请求中有循环引用', 'the request refers to itself (a cycle)');
  seen.push(value);
  var out;
  if (Array.isArray(value)) {
    out = [];
    for (var i = 0; i < value.length; i++) {
      if (value[i] === undefined) throw refuse(op, path + '[' + i + ']', '数组元素为 undefined', 'an array element is undefined');
      out.push(plain(op, value[i], path + '[' + i + ']', seen));
    }
  } else {
    // Realm-independent plain-object test (objects may come from another realm: an iframe, a vm).
    var proto = Object.getPrototypeOf(value);
    if (Object.prototype.toString.call(value) !== '[object Object]' || (proto !== null && Object.getPrototypeOf(proto) !== null)) {
      throw refuse(op, path, '只接受普通对象；日期请写成 "YYYY-MM-DD" 字符串',
        'only plain objects are accepted; write dates as "YYYY-MM-DD" strings');
    }
    out = {};
    var keys = Object.keys(value);
    for (var k = 0; k < keys.length; k++) {
      var v = value[keys[k]];
      if (v !== undefined) out[keys[k]] = plain(op, v, path + '.' + keys[k], seen);
    }
  }
  seen.pop();
  return out;
}

// The public API over an engine { call(envelope object) -> response envelope object, callJson(text) -> text }.
function makeApi(engine) {
  var api = {
    /** Any core operation by name; returns `result` or throws YidiError. `context` may carry policy
     * packs (`packs`) and catalogs (`catalogs`) for this call only, as the core's envelope does. */
    call: function (op, request, context) {
      if (typeof op !== 'string') throw new TypeError('op must be a string');
      var env = { api_version: API_VERSION, op: op, request: plain(op, request === undefined ? {} : request, 'request', []) };
      if (context !== undefined && context !== null) {
        if (context.packs !== undefined) env.packs = plain(op, context.packs, 'packs', []);
        if (context.catalogs !== undefined) env.catalogs = plain(op, context.catalogs, 'catalogs', []);
      }
      var reply = engine.call(env);
      if (reply.ok) return reply.result;
      throw new YidiError(reply.error, reply.op);
    },
    /** The core's JSON API unchanged: a request envelope as JSON text in, the response envelope out. */
    callJson: function (text) {
      if (typeof text !== 'string') throw new TypeError('callJson takes JSON text');
      return engine.callJson(text);
    }
  };
  Object.keys(OPS).forEach(function (name) {
    api[name] = function (request, context) { return api.call(OPS[name], request, context); };
  });
  return Object.freeze(api);
}
