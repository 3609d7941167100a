#!/usr/bin/env bash
# Builds the npm package directory mobile-bridge/pkg/ (or $1): both flavours, types, README, sizes.
# Needs nothing installed beforehand: scripts/setup-bridge.sh brings the pinned tools (registries only).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
out=$(realpath -m "${1:-mobile-bridge/pkg}")

bash scripts/setup-bridge.sh
target=$(cargo metadata --no-deps --format-version 1 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
wasm_dir=$target/wasm32-unknown-unknown/wasm
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

step "build the wasm-bindgen module (profile wasm) and the guest's three C-ABI modules without the agency toolkit (scripts/build-guest.sh --phone, --estimate, --hospital)"
# `cargo rustc --crate-type cdylib`, not `cargo build`: for a crate that is also an rlib cargo leaves the profile's
# `-C lto` out (scripts/build-guest.sh has the same), and this module is best whole-program optimised.
cargo rustc --locked --target wasm32-unknown-unknown --profile wasm -p yidi-bridge --lib --crate-type cdylib
# Insured persons' phones never clear a month: the mini-program modules leave clearing.* / calendar.* out. One
# module per kind of page: the filing page's ops, the estimate page's, the hospital's and agency's (README "Sizes").
guest=$(bash scripts/build-guest.sh --phone)
guest_estimate=$(bash scripts/build-guest.sh --estimate)
guest_hospital=$(bash scripts/build-guest.sh --hospital)

step "wasm-bindgen $bindgen_version --target web"
gen=$target/yidi-bridge-bindgen
rm -rf "$gen"
.tools/bin/wasm-bindgen --target web --out-dir "$gen" "$wasm_dir/yidi_bridge.wasm"

step "assemble the package in $out"
node mobile-bridge/build.mjs --bindgen "$gen" --guest "$guest" --guest-estimate "$guest_estimate" --guest-hospital "$guest_hospital" --out "$out"
