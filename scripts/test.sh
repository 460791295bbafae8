#!/usr/bin/env bash
# Runs every test Basalt has, on a fresh machine too: formatting and lint gates, the Rust
# unit/contract/HTTP suites, and the official-JS-SDK suite against the built binary.
# Installs what the tests need (node packages; node itself and python3's venv from Debian if
# missing; the SQLite headers and libclang that sqlx's `sqlite-unbundled` build needs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target

step() { printf '\n==> %s\n' "$*"; }

extra_pkgs=()
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  extra_pkgs+=(nodejs npm)
fi
# tests/openapi installs schemathesis into a venv (pip needs ensurepip)
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  extra_pkgs+=(python3 python3-venv)
fi
# the mail tests relay through sendmail: Debian's msmtp-mta
if ! command -v msmtp >/dev/null; then
  extra_pkgs+=(msmtp-mta)
fi
bash scripts/build-deps.sh "${extra_pkgs[@]}"
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

step "a real S3-compatible server (moto, scripts/moto.sh) for the FileStore contract suite and the S3 file tests"
eval "$(bash scripts/moto.sh start)"
trap 'bash scripts/moto.sh stop "$BASALT_MOTO_PID"' EXIT
export BASALT_REQUIRE_S3=1

step "a real SMTP server (npm smtp-server, scripts/mailcatcher.sh) for the mail tests, sendmail (msmtp) relaying to it"
eval "$(bash scripts/mailcatcher.sh start)"
trap 'bash scripts/moto.sh stop "$BASALT_MOTO_PID"; bash scripts/mailcatcher.sh stop "$BASALT_MAILCATCHER_PID"' EXIT

step "cargo test (HTTP suite on the default driver, sqlx-SQLite)"
cargo test --workspace --locked

step "HTTP suite again on the libsql driver (BASALT_DB=libsql:)"
http_tests=()
for f in tests/tests/*.rs; do http_tests+=(--test "$(basename "$f" .rs)"); done
BASALT_DB=libsql: cargo test --workspace --locked "${http_tests[@]}"

step "JS SDK suite (official pocketbase npm package) against target/debug/basalt"
(cd tests/sdk && npm ci --no-audit --no-fund --silent && BASALT_BIN="$target/debug/basalt" npm test)

step "filter differential test (tests/differential) against target/debug/basalt, and side by side with PocketBase when pip can install it"
bash tests/differential/run.sh "$target/debug/basalt"

step "OpenAPI harness (tests/openapi) against target/debug/basalt: a generated typed client's record CRUD scenario, then schemathesis (0 server errors, 0 schema or status violations)"
bash tests/openapi/run.sh "$target/debug/basalt"

step "fuzzing the filter language for 60 s (scripts/fuzz.sh; installs cargo-fuzz if missing)"
bash scripts/fuzz.sh 60
