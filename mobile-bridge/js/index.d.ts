// Types of yidi-bridge: the same API for every flavour (wasm-bindgen for browsers and Node, the C-ABI
// module with a hand-written loader for WeChat / Alipay mini-programs). Requests and responses are the
// core's types (types.d.ts, generated from the core's JSON Schema). Money is always a decimal string.
import type * as T from './types.js';
export type * from './types.js';

/** API version of the core's JSON envelope. */
export declare const API_VERSION: '1';

/** Method name -> core operation name. */
export declare const OPS: {
  readonly [M in keyof Operations]: Operations[M][0];
};

/** Where the core's .wasm comes from. */
export interface LoadOptions {
  /**
   * WeChat / Alipay: the absolute path of `yidi.wasm.br` (or `yidi.wasm`) inside the mini-program package.
   * Browsers and Node: the bytes (ArrayBuffer, Uint8Array), a compiled WebAssembly.Module, or a URL to fetch.
   * The ESM (wasm-bindgen) flavour may omit it in browsers: the module next to the script is fetched.
   */
  wasm?: string | ArrayBuffer | ArrayBufferView | object;
}

/** The core said no, or the bridge refused a request before the core (same stable codes). */
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

/** Each operation: [core op name, request, result]. */
export interface Operations {
  version: ['version', T.VersionRequest, T.VersionResponse];
  amountDaxie: ['amount.daxie', T.DaxieRequest, T.DaxieResponse];
}

export type Yidi = {
  readonly [M in keyof Operations]: (request: Operations[M][1]) => Operations[M][2];
} & {
  /** Any core operation by name: returns its `result` or throws YidiError. */
  call(op: string, request?: Record<string, unknown>): unknown;
  /** The core's JSON API unchanged: a request envelope as JSON text in, the response envelope out. */
  callJson(envelope: string): string;
};

/** Instantiate the core; calls on the returned object are synchronous. */
export declare function load(options?: LoadOptions): Promise<Yidi>;
