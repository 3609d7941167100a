#!/usr/bin/env bash
# Build the web app into web/dist: cargo (wasm32, size profile) → wasm-bindgen --target web → wasm-opt -Oz
# → static files with a build id for cache busting and the service worker's cache name. No trunk.
# Skips everything when web/dist is newer than every input. Tools come from scripts/setup-web.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
PROFILE="${YIDI_WEB_PROFILE:-wasm}"          # `dev` for a quick unoptimised build while editing
OUT=web/dist
BINDGEN=.tools/bin/wasm-bindgen
WASM_OPT=.tools/npm/node_modules/.bin/wasm-opt
[ -x "$BINDGEN" ] && [ -x "$WASM_OPT" ] || { echo "web tools missing: run scripts/setup-web.sh" >&2; exit 1; }

if [ -f "$OUT/.stamp" ] && [ "${1:-}" != "--force" ] && [ "$(cat "$OUT/.stamp")" = "$PROFILE" ] \
   && [ -z "$(find web/src web/static web/Cargo.toml core/src core/packs core/catalogs core/Cargo.toml Cargo.lock \
             -newer "$OUT/.stamp" -type f 2>/dev/null | head -1)" ]; then
  echo "web/dist is up to date"; exit 0
fi

step "web: cargo build ($PROFILE, wasm32)"
cargo build --locked --target wasm32-unknown-unknown --profile "$PROFILE" -p yidi-web
dir=$PROFILE; [ "$PROFILE" = dev ] && dir=debug
WASM="$TARGET_DIR/wasm32-unknown-unknown/$dir/yidi-web.wasm"

step "web: wasm-bindgen + wasm-opt"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
"$BINDGEN" --target web --no-typescript --out-dir "$TMP" --out-name yidi_web "$WASM"
if [ "$PROFILE" != dev ]; then
  "$WASM_OPT" -Oz "$TMP/yidi_web_bg.wasm" -o "$TMP/yidi_web_bg.opt.wasm"
  mv "$TMP/yidi_web_bg.opt.wasm" "$TMP/yidi_web_bg.wasm"
fi
cp web/static/* "$TMP/"
BUILD="$(cat "$TMP/yidi_web_bg.wasm" "$TMP/yidi_web.js" web/static/* | sha256sum | cut -c1-12)"
sed -i "s/__BUILD__/$BUILD/g" "$TMP/index.html" "$TMP/sw.js"

rm -rf "$OUT.new"; mv "$TMP" "$OUT.new"; trap - EXIT
rm -rf "$OUT"; mv "$OUT.new" "$OUT"
echo "$PROFILE" > "$OUT/.stamp"
echo "$BUILD" > "$OUT/BUILD"
raw=$(stat -c %s "$OUT/yidi_web_bg.wasm"); js=$(stat -c %s "$OUT/yidi_web.js")
gz=$(gzip -9c "$OUT/yidi_web_bg.wasm" | wc -c)
echo "web/dist built ($BUILD): wasm $raw B (gzip -9 $gz B), js $js B"
