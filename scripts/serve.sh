#!/usr/bin/env bash
# Builds (release) and runs the server: data in ./pb_data, API on http://127.0.0.1:8090/api/.
# Extra arguments go to `basalt serve` (e.g. --http 0.0.0.0:8090 --dir /srv/pb_data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-deps.sh
exec cargo run --release --locked -- serve "$@"
