#!/usr/bin/env bash
# Driver comparison: the same HTTP workloads on Basalt's sqlx-SQLite driver and on libsql's
# local engine, reported side by side. Everything runs on 127.0.0.1 and stops by itself.
#
#   bash bench/drivers.sh              # release build, 10 s per workload
#   DURATION=5 CONNECTIONS=8 bash bench/drivers.sh
#
# A run on the 2-core dev box (release, 10 s, 16 connections, 2000 records), req/s:
#   list   sqlx-SQLite 18412 | libsql-local 25287  (1.37x)
#   create sqlx-SQLite  3064 | libsql-local  3120  (1.02x)
#
# Workloads (on a `posts` collection with public list/create rules):
#   create — POST /api/collections/posts/records {"title":…, "views":…}
#   list   — GET  /api/collections/posts/records?perPage=30&sort=-created on SEED records
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
duration=${DURATION:-10}
connections=${CONNECTIONS:-16}
threads=${THREADS:-2}
seed=${SEED:-2000}
drivers=(sqlite: libsql:)

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

cargo build --release --locked -p basalt >&2
bin=$target/release/basalt
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/create.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"title":"post ' .. n .. '","views":' .. n .. '}')
end
LUA

# Prints "requests/s p50 p99" from wrk --latency output.
summarize() {
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rps, p50, p99}'
}

declare -A result
for driver in "${drivers[@]}"; do
  dir="$work/${driver%:}"
  port=$(( 20000 + RANDOM % 20000 ))
  url="http://127.0.0.1:$port"
  BASALT_DB=$driver "$bin" superuser upsert bench@example.com 'Passw0rd!1234' --dir "$dir" >/dev/null
  BASALT_DB=$driver "$bin" serve --http "127.0.0.1:$port" --dir "$dir" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -fs "$url/api/health" >/dev/null && break; sleep 0.1; done
  token=$(curl -fs -X POST "$url/api/collections/_superusers/auth-with-password" \
    -H 'content-type: application/json' \
    -d '{"identity":"bench@example.com","password":"Passw0rd!1234"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -fs -X POST "$url/api/collections" -H "Authorization: $token" \
    -H 'content-type: application/json' \
    -d '{"name":"posts","type":"base","listRule":"","viewRule":"","createRule":"",
         "fields":[{"name":"title","type":"text","required":true},{"name":"views","type":"number"}]}' >/dev/null
  seq "$seed" | xargs -P 8 -I{} curl -fs -o /dev/null -X POST "$url/api/collections/posts/records" \
    -H 'content-type: application/json' -d '{"title":"seed {}","views":{}}'
  result[$driver,list]=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
    "$url/api/collections/posts/records?perPage=30&sort=-created" | summarize)
  result[$driver,create]=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
    -s "$work/create.lua" "$url/api/collections/posts/records" | summarize)
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done

printf '\n%s s per workload, %s connections, %s seeded records; release build\n' \
  "$duration" "$connections" "$seed"
printf '%-8s | %-28s | %-28s | %s\n' workload "sqlx-SQLite req/s (p50, p99)" \
  "libsql-local req/s (p50, p99)" "libsql/sqlx"
for w in list create; do
  read -r a50 a1 a2 <<<"${result[sqlite:,$w]}"
  read -r b50 b1 b2 <<<"${result[libsql:,$w]}"
  printf '%-8s | %-28s | %-28s | %s\n' "$w" "$a50 ($a1, $a2)" "$b50 ($b1, $b2)" \
    "$(awk -v a="$a50" -v b="$b50" 'BEGIN {printf "%.2fx", b / a}')"
done
