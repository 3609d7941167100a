#!/usr/bin/env bash
# Runs every test of the project. `.ci/run` calls exactly this. A fresh machine needs nothing beforehand:
# each component's setup script installs what it needs (idempotent, fast when already done).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# Incremental caches double the disk a one-off run needs (6 GB of 26 GB once) and buy nothing on a fresh clone.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "format";  cargo fmt --all -- --check
step "clippy";  cargo clippy --workspace --all-targets --locked -- -D warnings
step "core and cross-crate tests"; cargo test --workspace --locked
# Each component adds its own suite (wasm builds, browser, Node, databases) as scripts/test-<name>.sh.
for t in scripts/test-*.sh; do
  [ -e "$t" ] || continue
  step "$(basename "$t" .sh)"; bash "$t"
done
step "all suites passed"
