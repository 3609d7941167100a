#!/usr/bin/env bash
# Web app suite: builds web/dist (scripts/setup-web.sh), then runs the browser tests (web/e2e) in Debian's
# headless Chromium via playwright-core against the real `yidi serve`. Screenshots and the measured bundle
# size / time-to-first-estimate go to artifacts/web-e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/setup-web.sh

step "web: Chromium and Node for the browser tests"
need_apt chromium chromium chromium-driver
# Chinese glyphs for the screenshots (Chromium renders boxes without a CJK font).
if ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk"; then
  [ -e /var/lib/apt/lists/.yidi-updated ] || { apt-get update -qq && touch /var/lib/apt/lists/.yidi-updated; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
fi
need_apt node nodejs
need_apt npm npm
(cd web/e2e && npm ci --no-audit --no-fund --loglevel=error)

step "web: the server under test (yidi serve)"
cargo build --locked -p yidi-host
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
export YIDI_BIN="$(cd "$TARGET_DIR" && pwd)/debug/yidi"

step "web: browser tests"
rm -rf artifacts/web-e2e
(cd web/e2e && node --test --test-concurrency=1 ./*.test.mjs)
