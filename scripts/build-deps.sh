#!/usr/bin/env bash
# Installs what building Basalt needs beyond a Rust toolchain, when missing (Debian):
# sqlx's `sqlite-unbundled` generates its bindings at build time (bindgen: libclang) from
# the system's sqlite3.h; the SQLite actually linked is libsql-ffi's (see ARCHITECTURE.md).
# Extra Debian packages may be passed as arguments (the test script adds node and npm, and
# msmtp-mta, the sendmail the mail tests relay through).
set -euo pipefail
if ! command -v cargo >/dev/null; then
  echo "cargo is required (https://rustup.rs)" >&2
  exit 1
fi
missing=()
for pkg in libclang-dev libsqlite3-dev "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]} (Debian)"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
