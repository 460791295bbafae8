#!/usr/bin/env bash
# Fuzzes the filter / API-rule language (fuzz/fuzz_targets/filter.rs: parse + compile on a
# fixed schema, every compiled filter checked in SQLite) for a bounded time with cargo-fuzz
# and libFuzzer. Exits non-zero on a crash; the input is saved under fuzz/artifacts/filter/
# (reproduce, from the repository root:
#  RUSTC_BOOTSTRAP=1 cargo fuzz run -s none --fuzz-dir fuzz filter fuzz/artifacts/filter/crash-…).
#
#   bash scripts/fuzz.sh            # 60 s
#   bash scripts/fuzz.sh 600        # longer; FUZZ_SECONDS=600 works too
#
# Stable Rust is enough: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its unstable -Z/-C flags
# (the sancov passes libFuzzer needs), and `-s none` skips AddressSanitizer — the code under
# test is safe Rust, and the sanitizer runtimes are a nightly matter. fuzz/ is its own Cargo
# workspace with its own target dir (fuzz/target), so it never touches the main build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs=${1:-${FUZZ_SECONDS:-60}}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (cargo install --locked cargo-fuzz)"
  cargo install --locked --quiet cargo-fuzz
fi

export RUSTC_BOOTSTRAP=1
unset CARGO_TARGET_DIR
# 16 codegen units: a much shorter cold build for a slightly slower fuzzer
flags=(-s none --codegen-units 16 --fuzz-dir "$root/fuzz" --target-dir "$root/fuzz/target")
corpus=$root/fuzz/corpus/filter # grows from run to run (ignored by git); seeds stay read-only
mkdir -p "$corpus"

# (cargo fuzz run builds first; a separate `cargo fuzz build` would build twice)
# -timeout: an input that takes 10 s is a hang, reported like a crash
cargo fuzz run "${flags[@]}" filter "$corpus" "$root/fuzz/seeds/filter" -- \
  -dict="$root/fuzz/filter.dict" -max_total_time="$secs" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1
