#!/usr/bin/env bash
# A real OpenID Connect provider (npm oidc-provider, scripts/oidc/oidc.mjs) for the OAuth2 tests
# (tests/tests/oauth2.rs, tests/sdk/oauth2.test.mjs).
#
#   eval "$(bash scripts/oidc.sh start)"   # installs scripts/oidc's pinned packages (npm ci) when
#                                          # missing, starts the provider on a free port, exports
#                                          # BASALT_TEST_OIDC (its issuer URL) and BASALT_OIDC_PID
#   bash scripts/oidc.sh stop "$BASALT_OIDC_PID"
#
# Only the `export ...` line goes to stdout; progress and errors go to stderr.
set -euo pipefail

dir=$(cd "$(dirname "$0")/oidc" && pwd)
tools=${BASALT_TOOLS_HOME:-$HOME/.cache/basalt-tools}

log() { printf 'oidc.sh: %s\n' "$*" >&2; }

install() {
  if [[ -f $dir/node_modules/oidc-provider/package.json ]] &&
    [[ $(node -p "require('$dir/node_modules/oidc-provider/package.json').version") == \
      $(node -p "require('$dir/package.json').dependencies['oidc-provider']") ]]; then
    return
  fi
  log "installing oidc-provider (npm ci in $dir)"
  (cd "$dir" && npm ci --no-audit --no-fund --silent >&2)
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  install
  local port pid log_file
  port=$(free_port)
  mkdir -p "$tools"
  log_file=$tools/oidc-$port.log
  # setsid + nohup: the server outlives this script and the shell that eval'd its output.
  setsid nohup node "$dir/oidc.mjs" "$port" >"$log_file" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 150); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/.well-known/openid-configuration', timeout=1)" 2>/dev/null; then
      log "oidc-provider listening on 127.0.0.1:$port (pid $pid, log $log_file)"
      echo "export BASALT_TEST_OIDC=http://127.0.0.1:$port; export BASALT_OIDC_PID=$pid"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "oidc-provider exited before answering; its log:"
      cat "$log_file" >&2
      exit 1
    fi
    sleep 0.2
  done
  log "oidc-provider did not answer on port $port within 30 s; its log:"
  cat "$log_file" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  local pid=${1:?usage: oidc.sh stop PID}
  [[ $pid =~ ^[0-9]+$ ]] || { log "not a pid: $pid"; exit 2; }
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || return 0
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

case ${1:-} in
  start) start ;;
  stop) shift; stop "$@" ;;
  *)
    echo "usage: $0 start | stop PID" >&2
    exit 2
    ;;
esac
