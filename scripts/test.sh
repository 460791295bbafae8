#!/usr/bin/env bash
# Runs every test Basalt has, on a fresh machine too: formatting and lint gates, the Rust
# unit/contract/HTTP suites, and the official-JS-SDK suite against the built binary.
# Installs what the tests need (node packages; node itself from Debian if missing).
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
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  step "installing node and npm (Debian)"
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo build (binary and every test target)"
cargo build --workspace --all-targets --locked

step "cargo test"
cargo test --workspace --locked

step "JS SDK suite (official pocketbase npm package) against target/debug/basalt"
(cd tests/sdk && npm ci --no-audit --no-fund --silent && BASALT_BIN="$target/debug/basalt" npm test)
