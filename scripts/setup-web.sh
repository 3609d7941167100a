#!/usr/bin/env bash
# Set up and build the web app (web/dist) so `yidi serve` can serve it. Idempotent; fast when done.
# Installs into the project: the wasm target, the wasm-bindgen CLI (.tools/bin, shared with
# mobile-bridge) and wasm-opt from npm binaryen (.tools/npm). Then runs scripts/build-web.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# The CLI must equal the wasm-bindgen crate version in Cargo.lock (0.2.130 today); same check as setup-bridge.sh.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
BINARYEN_VERSION=132           # Debian's binaryen cannot read wasm-bindgen 0.2.130 output

mkdir -p .tools
[ -f .tools/.gitignore ] || echo '*' > .tools/.gitignore   # installed tools never enter git

step "web: wasm target"
need_wasm_target

if [ "$(.tools/bin/wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "web: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into .tools (about 2 min)"
  # Without --locked: the CLI's own lock file does not build with this toolchain (ENGINEERING.md).
  cargo install --quiet wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --root .tools --force
fi

if [ "$(.tools/npm/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -o 'version [0-9]*' | awk '{print $2}')" != "$BINARYEN_VERSION" ]; then
  step "web: installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/npm"
  need_apt npm npm
  mkdir -p .tools/npm
  npm install --prefix .tools/npm --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
fi

bash scripts/build-web.sh
