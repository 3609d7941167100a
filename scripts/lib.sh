# Shared helpers for the project's scripts (sourced, not run).
step() { printf '\n==> %s\n' "$*"; }
# Install Debian packages only when a command is missing; `apt-get update` once per machine.
need_apt() { # need_apt COMMAND PACKAGE...
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ ! -e /var/lib/apt/lists/.yidi-updated ]; then apt-get update -qq && touch /var/lib/apt/lists/.yidi-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
need_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}
