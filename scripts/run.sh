#!/usr/bin/env bash
# The README's first command: set up this machine (idempotent), build everything the server needs,
# and run `yidi serve` with the web app at http://127.0.0.1:8787 (override with YIDI_ADDR).
#
# An agency key for the agency endpoints is generated into yidi-data/agency-key on first run
# (or taken from YIDI_AGENCY_KEY) and printed, so a newcomer can try the agency pages at once.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

for s in scripts/setup-*.sh; do
  [ -e "$s" ] || continue
  step "$(basename "$s" .sh)"
  bash "$s"
done

step "building yidi (release)"
cargo build --release --locked -p yidi-host

mkdir -p yidi-data
if [ -z "${YIDI_AGENCY_KEY:-}" ]; then
  [ -s yidi-data/agency-key ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > yidi-data/agency-key
  YIDI_AGENCY_KEY=$(cat yidi-data/agency-key)
fi
export YIDI_AGENCY_KEY
addr=${YIDI_ADDR:-127.0.0.1:8787}
bin="${CARGO_TARGET_DIR:-target}/release/yidi"
step "Yidi is starting at http://$addr/  (agency key: $YIDI_AGENCY_KEY, also in yidi-data/agency-key; Ctrl-C stops)"
exec "$bin" serve --addr "$addr" --db yidi-data/filings.sqlite3 --web web/dist
