// Types of yidi-bridge: one API for every flavour (wasm-bindgen for browsers and Node; the C-ABI module
// with a hand-written loader for WeChat / Alipay mini-programs). Requests and results are the core's
// own types (types.d.ts, generated from the core's JSON Schema, schema/api.schema.json).
// Money and decimals are always strings ("12.30"), never JS numbers.
import type * as T from './types.js';
export type * from './types.js';

/** API version of the core's JSON envelope. */
export declare const API_VERSION: '1';

/** Method name -> core operation. The agency's ops (`clearing.*`, `calendar.*`, and `filing.treatment`, which
 * suspends, resumes or terminates a filing) are reached through `call`, in the wasm-bindgen flavour only: the
 * mini-program modules leave them out (E_UNKNOWN_OP). */
export interface Methods {
  version: 'version';
  amountDaxie: 'amount.daxie';
  listPacks: 'packs.list';
  getPack: 'pack.get';
  validateFiling: 'filing.validate';
  filingWindow: 'filing.window';
  changeFiling: 'filing.change';
  cancelFiling: 'filing.cancel';
  resolveCoverage: 'coverage.resolve';
  splitLines: 'lines.split';
  estimate: 'estimate';
  settle: 'settle';
  reverseSettlement: 'settle.reverse';
  refundSettlement: 'settle.refund';
  verify: 'verify';
  precheck: 'precheck';
}
export declare const OPS: Readonly<Methods>;

/** The answer of `version()`. */
export interface VersionResult {
  api_version: string;
  core_version: string;
}

/** Per-call policy data, as the core's envelope carries it: packs replace the shipped pack of their
 * region for this call only; catalogs are CSV text by name. The mini-program module takes no packs (it
 * uses those it ships with): a call with `packs` throws YidiError E_PACK at `packs`; nor do its filing and
 * estimate pages' modules take catalogs (E_PACK at `catalogs`): only the hospital's ops read them there. */
export interface CallContext {
  packs?: T.Pack[];
  catalogs?: { name: string; csv: string }[];
}

type Request<Op extends keyof T.Ops> = T.Ops[Op]['request'];
type Result<Op extends keyof T.Ops> = Op extends 'version' ? VersionResult : T.Ops[Op]['result'];
type Method<Op extends keyof T.Ops> = null extends Request<Op>
  ? (request?: Request<Op> | Record<string, never>, context?: CallContext) => Result<Op>
  : (request: Request<Op>, context?: CallContext) => Result<Op>;

/** The loaded core. Every call is synchronous; it returns the operation's result or throws YidiError. */
export type Yidi = { readonly [M in keyof Methods]: Method<Methods[M]> } & {
  /** Any core operation by name. */
  call<Op extends keyof T.Ops>(op: Op, request?: Request<Op>, context?: CallContext): Result<Op>;
  call(op: string, request?: unknown, context?: CallContext): unknown;
  /** The core's JSON API unchanged: a request envelope as JSON text in, the response envelope out. */
  callJson(envelope: string): string;
};

/** Where the core's .wasm comes from. */
export interface LoadOptions {
  /**
   * WeChat / Alipay: the absolute path of `yidi.wasm.br` (or `yidi.wasm`) inside the mini-program package.
   * Browsers and Node: the bytes (ArrayBuffer, Uint8Array), a compiled WebAssembly.Module, or a URL.
   * The ESM (wasm-bindgen) flavour may omit it in browsers: it fetches the .wasm next to its script.
   */
  wasm?: string | ArrayBuffer | ArrayBufferView | object;
  /**
   * Mini-program flavour: the estimate page's module (`estimate`, whose answer holds its visit's coverage;
   * `version` and `amount.daxie` too), as `wasm`. When `wasm` is a path or URL ending in `yidi.wasm` / `yidi.wasm.br` it
   * defaults to `yidi-estimate.wasm` / `.wasm.br` beside it.
   */
  estimateWasm?: string | ArrayBuffer | ArrayBufferView | object;
  /**
   * Mini-program flavour: the hospital's and agency's module (`settle`, `verify`, `precheck`, `lines.split`,
   * `settle.reverse`, `settle.refund`), as `wasm`; defaults to `yidi-hospital.wasm` / `.wasm.br` beside it.
   */
  hospitalWasm?: string | ArrayBuffer | ArrayBufferView | object;
  /**
   * Mini-program flavour: `false` leaves out the first module, `yidi.wasm` (the filing page's ops: filings,
   * packs, amounts in upper case); `wasm` still names where the others lie. Default `true`.
   */
  filing?: boolean;
  /** Mini-program flavour: `false` leaves out `yidi-estimate.wasm` (coverage, estimate). Default `true`. */
  estimate?: boolean;
  /**
   * Mini-program flavour: `false` leaves out `yidi-hospital.wasm`. A page loads only the modules it calls;
   * the ops of a module left out throw `YidiError` `E_UNKNOWN_OP`. Default `true`.
   */
  hospital?: boolean;
}

/** Instantiate the core. */
export declare function load(options?: LoadOptions): Promise<Yidi>;

/** The core refused (or the bridge refused before the core, with the same codes). */
export declare class YidiError extends Error {
  readonly name: 'YidiError';
  /** Stable error code, e.g. `E_NO_PACK`, `E_MISSING_FIELD`. */
  readonly code: T.ErrorCode;
  readonly message_zh: string;
  readonly message_en: string;
  /** JSON path of the offending input, e.g. `request.lines[3].pric`; empty when not tied to a field. */
  readonly path: string;
  /** The operation that was called. */
  readonly op: string;
}
