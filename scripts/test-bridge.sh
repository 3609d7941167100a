#!/usr/bin/env bash
# Tests of the mobile bridge (yidi-bridge npm package): builds the package from scratch, builds the native
# reference binary, then runs the Node tests (node:test) over every flavour of the package:
#   golden.test.mjs       every golden case + bridge case, byte-identical to the native core, every flavour
#                         (the mini-program module has no agency toolkit: its clearing cases are skipped
#                         and must answer E_UNKNOWN_OP)
#   errors.test.mjs       YidiError shape, refusals of inexact money and non-JSON values
#   miniprogram.test.mjs  README WeChat page / Alipay worker in a realm without WebAssembly / TextEncoder,
#                         wasm-validate with post-1.0 features disabled, exports, UTF-8 loops
#   package.test.mjs      package.json, tsc --strict over the types, README examples, Node ESM + CJS
#   browser.test.mjs      the README's browser snippet in headless Debian Chromium (loopback server)
#   size.test.mjs         the mini-program .wasm size budget (fails when exceeded)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash mobile-bridge/build.sh
step "bridge: native reference binaries (the full core, and the core without the agency toolkit)"
cargo build --locked -q -p yidi-bridge --bin yidi-bridge-native
cargo build --locked -q -p yidi-bridge --no-default-features --bin yidi-bridge-native
step "bridge: Node tests"
node --test --test-concurrency=1 mobile-bridge/test/*.test.mjs
