#!/usr/bin/env bash
# The filter differential test (filters.mjs): Basalt always; side by side with the reference
# PocketBase too when it can be installed from PyPI (skipped with a note when it can't).
#   bash tests/differential/run.sh [BASALT_BIN]     (default: target/debug/basalt)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
basalt=${1:-${CARGO_TARGET_DIR:-$root/target}/debug/basalt}
args=(--basalt "$basalt")
if ref=$(bash "$here/reference-bin.sh"); then
  args+=(--reference "$ref")
else
  echo "note: running against Basalt only (no reference PocketBase)"
fi
exec node "$here/filters.mjs" "${args[@]}"
