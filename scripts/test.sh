#!/usr/bin/env bash
# Runs every test Basalt has, on a fresh machine too: formatting and lint gates, the Rust
# unit/contract/HTTP suites, and the official-JS-SDK suite against the built binary.
# Installs what the tests need (node packages; node itself from Debian if missing; the SQLite
# headers and libclang that sqlx's `sqlite-unbundled` build needs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target

step() { printf '\n==> %s\n' "$*"; }

if ! command -v cargo >/dev/null; then
  echo "cargo is required (https://rustup.rs)" >&2
  exit 1
fi
missing=()
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
# sqlx's sqlite-unbundled generates its bindings at build time (bindgen: libclang) from the
# system's sqlite3.h; the SQLite actually linked is libsql-ffi's (see ARCHITECTURE.md).
for pkg in libclang-dev libsqlite3-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (Debian)"
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo build (binary and every test target)"
cargo build --workspace --all-targets --locked

step "one SQLite in the binary: ldd lists no libsqlite3"
if ldd "$target/debug/basalt" | grep -i libsqlite3; then
  echo "target/debug/basalt links the system libsqlite3: two SQLite engines in one process" >&2
  exit 1
fi

step "cargo test (HTTP suite on the default driver, sqlx-SQLite)"
cargo test --workspace --locked

step "HTTP suite again on the libsql driver (BASALT_DB=libsql:)"
http_tests=()
for f in tests/tests/*.rs; do http_tests+=(--test "$(basename "$f" .rs)"); done
BASALT_DB=libsql: cargo test --workspace --locked "${http_tests[@]}"

step "JS SDK suite (official pocketbase npm package) against target/debug/basalt"
(cd tests/sdk && npm ci --no-audit --no-fund --silent && BASALT_BIN="$target/debug/basalt" npm test)
