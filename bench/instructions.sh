#!/usr/bin/env bash
# Instructions per request (valgrind's callgrind: the same count on every run, whatever else
# the machine does), workload by workload, for one or two Basalt binaries on the same data:
#   bash bench/instructions.sh BIN_A [BIN_B] [REQUESTS]      (REQUESTS per workload, default 30)
# The data (10 users; 3,000 posts each in `posts`, rule "", and `owned_posts`, rule
# `author = @request.auth.id`) is seeded once through BIN_A's API, then copied for each run.
# Each workload gets 3 warm-up requests, then its counters are zeroed and REQUESTS sequential
# requests counted (every thread of the server). Needs valgrind, node and curl.
set -euo pipefail
a=$(realpath "$1"); b=${2:+$(realpath "$2")}; n=${3:-30}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/basalt-instructions.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 240); do curl -sf "http://127.0.0.1:$1/api/health" >/dev/null && return; sleep 0.5; done; echo "server on $1 did not start" >&2; exit 1; }

mkdir -p "$work/seed"
"$a" superuser upsert admin@example.com 'Passw0rd!1234' --dir "$work/seed/pb_data" >/dev/null
port=$(free_port)
"$a" serve --http "127.0.0.1:$port" --dir "$work/seed/pb_data" >"$work/seed.log" 2>&1 &
pid=$!
wait_up "$port"
node "$here/instructions-seed.mjs" "http://127.0.0.1:$port" >"$work/tokens.json"
kill "$pid"; wait "$pid" 2>/dev/null || true
user=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).user)' "$work/tokens.json")
post=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).post)' "$work/tokens.json")

measure() { # BIN NAME
  local bin=$1 name=$2 dir=$work/$2 port
  mkdir -p "$dir"; cp -r "$work/seed/pb_data" "$dir/"
  port=$(free_port)
  valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" "$bin" serve --http "127.0.0.1:$port" --dir "$dir/pb_data" >"$dir/server.log" 2>&1 &
  local vpid=$!
  wait_up "$port"
  local u=http://127.0.0.1:$port/api/collections
  local f='filter=views%20%3E%20500%20%26%26%20published%20%3D%20true&sort=-views'
  local -A w=(
    [1_list_guest]="curl -sf $u/posts/records?page=1&perPage=30&$f"
    [2_list_owner_rule]="curl -sf -H Authorization:$user $u/owned_posts/records?page=1&perPage=30&$f"
    [3_list_owner_rule_expand]="curl -sf -H Authorization:$user $u/owned_posts/records?page=1&perPage=30&$f&expand=author"
    [4_list_skiptotal_100]="curl -sf $u/posts/records?perPage=100&skipTotal=1"
    [5_view_owner_rule]="curl -sf -H Authorization:$user $u/owned_posts/records/$post"
    [6_create]="curl -sf -X POST -H content-type:application/json -d {\"title\":\"x\",\"views\":1,\"published\":true} $u/posts/records"
  )
  for k in $(printf '%s\n' "${!w[@]}" | sort); do
    for _ in 1 2 3; do ${w[$k]} >/dev/null; done
    callgrind_control --zero "$vpid" >/dev/null
    for _ in $(seq "$n"); do ${w[$k]} >/dev/null; done
    callgrind_control --dump="$k" "$vpid" >/dev/null
  done
  kill "$vpid"; wait "$vpid" 2>/dev/null || true
  for file in "$dir"/cg.out.*; do
    local part total
    part=$(grep -m1 '^desc: Trigger: dump ' "$file" | sed 's/.*dump //')
    total=$(grep -m1 '^summary:' "$file" | awk '{print $2}')
    echo "$part $((total / n))"
  done | sort >"$dir/result"
}

measure "$a" a
[[ -n $b ]] && measure "$b" b
echo "| workload | A instructions/request | B instructions/request | B ÷ A |"
echo "|---|---|---|---|"
while read -r k va; do
  vb=$( [[ -n $b ]] && awk -v k="$k" '$1 == k {print $2}' "$work/b/result" || echo "")
  if [[ -n $vb ]]; then
    printf '| %s | %s | %s | %s |\n' "$k" "$va" "$vb" "$(awk -v x="$va" -v y="$vb" 'BEGIN {printf "%.3f", y / x}')"
  else
    printf '| %s | %s | | |\n' "$k" "$va"
  fi
done <"$work/a/result"
rm -rf "$work"
