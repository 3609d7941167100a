#!/usr/bin/env bash
# What the host (`yidi`, host/) needs on a fresh machine: the wasm target its build.rs compiles the guest for,
# and a C compiler for the bundled SQLite. Idempotent and fast when done.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_wasm_target
need_apt cc build-essential
