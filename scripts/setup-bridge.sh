#!/usr/bin/env bash
# Installs what building and testing the mobile-bridge npm package needs. Idempotent; seconds when done.
#  - the wasm32-unknown-unknown Rust target
#  - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock, into .tools/bin (project-local)
#  - binaryen@132 (wasm-opt) and typescript from the npm registry, into mobile-bridge/node_modules
#  - Debian's wabt (wasm-validate) to prove the mini-program module is WebAssembly 1.0
#  - Debian's chromium, for the README's browser snippet in a real browser
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_wasm_target
need_apt wasm-validate wabt
need_apt chromium chromium
command -v node >/dev/null 2>&1 || need_apt node nodejs npm

# The CLI must equal the crate version the lock file resolved, or wasm-bindgen refuses the module.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$bindgen_version" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
# Shared with the web app's setup (same root, same pinned version): installed once per machine.
mkdir -p .tools && [ -e .tools/.gitignore ] || echo '*' > .tools/.gitignore
if [ "$(.tools/bin/wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  step "cargo install wasm-bindgen-cli $bindgen_version into .tools (about 2 minutes, once)"
  # Without --locked: with it this version's lock file fails to build on Rust 1.95 (ENGINEERING.md).
  cargo install --quiet wasm-bindgen-cli --version "=$bindgen_version" --root .tools --force
fi

if [ ! -x mobile-bridge/node_modules/.bin/wasm-opt ] || [ ! -x mobile-bridge/node_modules/.bin/tsc ]; then
  step "npm ci in mobile-bridge (binaryen, typescript)"
  (cd mobile-bridge && npm ci --no-audit --no-fund --loglevel=error)
fi
