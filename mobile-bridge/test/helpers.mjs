// Shared by the Node tests: where the built package is, how to load each flavour, the native answers.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { miniProgramRealm } from './miniprogram-realm.mjs';

export const bridgeDir = fileURLToPath(new URL('..', import.meta.url));
export const repoDir = join(bridgeDir, '..');
/** The package directory under test (build.sh's output). */
export const pkgDir = process.env.YIDI_BRIDGE_PKG || join(bridgeDir, 'pkg');
const pkgFile = (f) => join(pkgDir, f);

/** A WeChat mini-program laid out as after 构建 npm: pages/… and miniprogram_npm/yidi-bridge/ (= mp/). */
export function wechatApp() {
  const root = mkdtempSync(join(tmpdir(), 'yidi-wechat-'));
  cpSync(join(bridgeDir, 'examples/wechat'), root, { recursive: true });
  cpSync(pkgFile('mp'), join(root, 'miniprogram_npm/yidi-bridge'), { recursive: true });
  return root;
}

/** An Alipay mini-program: workers/… and node_modules/yidi-bridge/ (the whole package). */
export function alipayApp() {
  const root = mkdtempSync(join(tmpdir(), 'yidi-alipay-'));
  cpSync(join(bridgeDir, 'examples/alipay'), root, { recursive: true });
  cpSync(pkgDir, join(root, 'node_modules/yidi-bridge'), { recursive: true });
  return root;
}

// One WeChat realm per test process, so the module and the loaded API share one YidiError class.
let wechat;
const wechatPackage = () => (wechat ??= miniProgramRealm({ engine: 'WXWebAssembly', root: wechatApp() }).run('miniprogram_npm/yidi-bridge/index.js'));

/** Every flavour of the package, each loaded the way its users load it. `agency`: whether the module holds
 * the core's agency toolkit (clearing.*, calendar.*). The mini-program module (the guest built with
 * scripts/build-guest.sh --lite) leaves it out for size: insured persons' phones never clear a month; it also
 * takes no policy packs inline (it uses the packs it ships with), so the same flag marks that. */
export const flavours = [
  {
    name: 'wasm-bindgen (ESM)',
    agency: true,
    module: () => import(pathToFileURL(pkgFile('esm/index.js')).href),
    load: async () => (await import(pathToFileURL(pkgFile('esm/index.js')).href)).load({ wasm: readFileSync(pkgFile('esm/yidi_bridge_bg.wasm')) })
  },
  {
    name: 'C-ABI + loader (ESM)',
    agency: false,
    module: () => import(pathToFileURL(pkgFile('mp/index.mjs')).href),
    load: async () => (await import(pathToFileURL(pkgFile('mp/index.mjs')).href)).load({ wasm: readFileSync(pkgFile('yidi.wasm')), estimateWasm: readFileSync(pkgFile('yidi-estimate.wasm')), hospitalWasm: readFileSync(pkgFile('yidi-hospital.wasm')) })
  },
  {
    name: 'C-ABI + loader (CommonJS)',
    agency: false,
    module: async () => createRequire(import.meta.url)(pkgFile('mp/index.js')),
    load: async () => createRequire(import.meta.url)(pkgFile('mp/index.js')).load({ wasm: readFileSync(pkgFile('yidi.wasm')), estimateWasm: readFileSync(pkgFile('yidi-estimate.wasm')), hospitalWasm: readFileSync(pkgFile('yidi-hospital.wasm')) })
  },
  {
    name: 'mini-program runtime (WXWebAssembly, .wasm.br path, no WebAssembly/TextEncoder)',
    agency: false,
    module: async () => wechatPackage(),
    load: async () => wechatPackage().load({ wasm: '/miniprogram_npm/yidi-bridge/yidi.wasm.br' })
  }
];

/** Golden cases (tests/golden/**) and the bridge's own cases (test/cases/*), picked up automatically. */
export function caseFiles() {
  const walk = (d) => readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? walk(p) : /\.(json|txt)$/.test(f) ? [p] : [];
  });
  const golden = join(repoDir, 'tests/golden');
  let files = walk(join(bridgeDir, 'test/cases'));
  try { files = files.concat(walk(golden)); } catch { /* no golden cases yet */ }
  return files.sort();
}

/** The native core's answers: {file, input, output} per case, from the yidi-bridge-native binary.
 * `agency: false` runs the core built as the mini-program module is (without the agency toolkit). */
export function nativeAnswers(files = caseFiles(), { agency = true } = {}) {
  const features = agency ? [] : ['--no-default-features'];
  const text = execFileSync('cargo', ['run', '-q', '--locked', '-p', 'yidi-bridge', ...features, '--bin', 'yidi-bridge-native', '--', ...files], { cwd: repoDir, encoding: 'utf8', maxBuffer: 1 << 28 });
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

/** An agency op, which the mini-program modules leave out: the toolkit's (clearing.*, calendar.*) and the
 * agency's suspension, restoration or termination of a filing (filing.treatment, built with the toolkit). */
export const isAgencyOp = (op) => /^(clearing|calendar)\./.test(op) || op === 'filing.treatment';

/** Whether a case's envelope gives policy packs inline (`packs`), which the mini-program module refuses: it
 * uses only the packs it ships with (core feature `runtime-packs` off), as E_PACK at `packs`. */
export function hasInlinePacks(answer) {
  try { return (JSON.parse(answer.input).packs ?? []).length > 0; } catch { return false; }
}

/** Whether a case's envelope asks for an agency op (raw malformed text never does). */
export function isAgencyCase(answer) {
  try { return isAgencyOp(JSON.parse(answer.input).op); } catch { return false; }
}

/** Which mini-program module the loader sends a case to: the estimate page's (yidi-estimate.wasm) or the
 * hospital's (yidi-hospital.wasm) when the envelope's op is one of theirs; everything else, malformed text too,
 * goes to the first module (yidi.wasm). */
export const estimateOps = ['estimate'];
export function isEstimateCase(answer) {
  try { return estimateOps.includes(JSON.parse(answer.input).op); } catch { return false; }
}
export const hospitalOps = ['lines.split', 'settle', 'settle.reverse', 'settle.refund', 'verify', 'precheck'];
export function isHospitalCase(answer) {
  try { return hospitalOps.includes(JSON.parse(answer.input).op); } catch { return false; }
}

/** The error code of a response envelope's text, or undefined when it succeeded or is not JSON. */
export function errorCode(text) {
  try { return JSON.parse(text).error?.code; } catch { return undefined; }
}

/** The response envelope the core would write for what the object API returned or threw. */
export function envelopeText(op, outcome) {
  const head = `{"api_version":"1","op":${JSON.stringify(op)},`;
  if (outcome.ok) return `${head}"ok":true,"result":${JSON.stringify(outcome.result)}}`;
  const e = outcome.error;
  const err = { code: e.code, message_zh: e.message_zh, message_en: e.message_en };
  if (e.path) err.path = e.path;
  return `${head}"ok":false,"error":${JSON.stringify(err)}}`;
}

/** assert.equal for long texts: names the case and shows only the neighbourhood of the first difference. */
export function sameText(actual, expected, label) {
  if (actual === expected) return;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const at = (s) => JSON.stringify(s.slice(Math.max(0, i - 60), i + 60));
  throw new Error(`${label}: differs at character ${i} (lengths ${actual.length} vs native ${expected.length})\n  got:    ${at(actual)}\n  native: ${at(expected)}`);
}
