#!/usr/bin/env bash
# Build the Yidi guest module (the core behind the i32 C ABI, see guest/README.md) and print its path.
#   scripts/build-guest.sh          -> <target>/wasm32-unknown-unknown/wasm/yidi_guest.wasm
#   scripts/build-guest.sh --opt    -> also runs wasm-opt -Oz (npm binaryen@132), prints yidi_guest.opt.wasm
#   scripts/build-guest.sh --mvp    -> --opt plus lowering to WebAssembly 1.0 (no sign-ext / bulk-memory),
#                                      for engines such as iOS mini-programs; prints yidi_guest.mvp.wasm
#   scripts/build-guest.sh --lite [--opt|--mvp]
#                                   -> the same without the core's agency toolkit (guest feature `clearing` off:
#                                      clearing.* / calendar.* answer E_UNKNOWN_OP) and without runtime packs
#                                      (`runtime-packs` off: a request with `packs` answers E_PACK), with the per-call
#                                      arena allocator (guest feature `arena`), for insured persons' phones
#                                      (mobile-bridge's mini-program modules); prints yidi_guest.lite[.opt|.mvp].wasm
#   scripts/build-guest.sh --phone [--opt|--mvp]
#                                   -> as --lite with only the filing page's ops (core feature `filing-ops`:
#                                      version, amount.daxie, packs.list, pack.get, filing.*, coverage.resolve); the
#                                      other ops answer E_UNKNOWN_OP, and inline catalogs E_PACK at catalogs (it
#                                      reads no catalog). mobile-bridge's first module; prints
#                                      yidi_guest.phone[…].wasm
#   scripts/build-guest.sh --estimate [--opt|--mvp]
#                                   -> as --lite with only the estimate page's ops (`estimate-ops`: version,
#                                      estimate, amount.daxie; inline catalogs E_PACK, it uses its shipped ones).
#                                      mobile-bridge's estimate module; prints
#                                      yidi_guest.estimate[…].wasm
#   scripts/build-guest.sh --hospital [--opt|--mvp]
#                                   -> as --lite with only the hospital's and agency's ops (`hospital-ops`: lines.split,
#                                      settle, settle.reverse, settle.refund, verify, precheck; and version).
#                                      mobile-bridge's hospital module; prints yidi_guest.hospital[…].wasm
# Only the path goes to stdout; progress goes to stderr, so `WASM=$(scripts/build-guest.sh)` works.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
features=()
# The phone flavours build without the guest's `std` feature (--no-default-features): a no_std module whose panics
# trap at once, without std's panic and formatting machinery (guest/src/lib.rs).
# The phone module also takes the per-call arena allocator (guest feature `arena`): ~7 KB smaller than dlmalloc,
# and mobile-bridge's loader keeps the ABI's alloc / call / free cycle (it drops the instance on any error).
flavour=
case "${1:-}" in
  --lite) flavour=lite; features=(--no-default-features --features arena,insured-ops,hospital-ops); shift ;;
  --phone) flavour=phone; features=(--no-default-features --features arena,filing-ops); shift ;;
  --estimate) flavour=estimate; features=(--no-default-features --features arena,estimate-ops); shift ;;
  --hospital) flavour=hospital; features=(--no-default-features --features arena,hospital-ops); shift ;;
esac
mode=${1:-}
need_wasm_target >&2
target_dir=${CARGO_TARGET_DIR:-target}
# `cargo rustc --crate-type cdylib`, not `cargo build`: for a crate that is also an rlib (the host's --native path
# links it), cargo leaves out the profile's `-C lto`, so the module was never whole-program optimised. With LTO
# LLVM also sees that the no-std flavours' panic handler ignores its message and drops core's panic formatting:
# the estimate module 221.5 -> 191.8 KB raw after wasm-opt (std and no LTO -> no std and LTO).
cargo rustc --locked -p yidi-guest --lib --crate-type cdylib --target wasm32-unknown-unknown --profile wasm \
  "${features[@]}" >&2
wasm="$target_dir/wasm32-unknown-unknown/wasm/yidi_guest.wasm"
[ -f "$wasm" ] || { echo "build-guest: $wasm was not produced" >&2; exit 1; }
# Every flavour links to the same file name: keep each reduced one under its own name.
if [ -n "$flavour" ]; then cp "$wasm" "${wasm%.wasm}.$flavour.wasm"; wasm="${wasm%.wasm}.$flavour.wasm"; fi
if [ -z "$mode" ]; then echo "$(cd "$(dirname "$wasm")" && pwd)/$(basename "$wasm")"; exit 0; fi

# wasm-opt from npm binaryen@132 (Debian's binaryen is too old for Rust 1.95 output), kept under the target dir.
tools="$target_dir/yidi-tools"
if [ ! -x "$tools/node_modules/.bin/wasm-opt" ]; then
  need_apt npm npm >&2
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" binaryen@132 >&2
fi
wasm_opt="$tools/node_modules/.bin/wasm-opt"
case "$mode" in
  --opt) out="${wasm%.wasm}.opt.wasm"; "$wasm_opt" -Oz --strip-debug --strip-producers "$wasm" -o "$out" >&2 ;;
  --mvp) out="${wasm%.wasm}.mvp.wasm"
         "$wasm_opt" -Oz --strip-debug --strip-producers --signext-lowering --llvm-memory-copy-fill-lowering \
           --llvm-nontrapping-fptoint-lowering "$wasm" -o "$out" >&2 ;;
  *) echo "usage: $0 [--lite|--phone|--estimate|--hospital] [--opt|--mvp]" >&2; exit 2 ;;
esac
echo "$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
