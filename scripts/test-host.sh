#!/usr/bin/env bash
# Host suite beyond `cargo test --workspace` (which already runs the differential, CLI and server tests):
# the PostgreSQL registry path against a real throwaway PostgreSQL server on loopback (Debian's postgresql).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/setup-host.sh

step "host: the browser's .wasm (size-optimised, and lowered to WebAssembly 1.0) answers like the embedded one"
for flavour in "" --mvp; do
  wasm=$(bash scripts/build-guest.sh $flavour)
  YIDI_TEST_BROWSER_WASM="$wasm" cargo test --locked -p yidi-host --test differential -- --ignored the_browser_module
done

step "host: PostgreSQL for the registry tests"
need_apt pg_ctlcluster postgresql
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pgdir=$(mktemp -d /tmp/yidi-pg.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
as_pg "$bindir/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 >/dev/null
stop_pg() { as_pg "$bindir/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap stop_pg EXIT
as_pg "$bindir/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/log" \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
export YIDI_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"

step "host: registry tests against PostgreSQL $(basename "$(dirname "$bindir")")"
cargo test --locked -p yidi-host --test registry_pg -- --ignored --test-threads 1
