#!/usr/bin/env bash
# A capturing SMTP server for the mail tests (tests/tests/mail.rs, tests/sdk/mail.test.mjs):
# scripts/mailcatcher/catcher.mjs (npm smtp-server + mailparser, versions pinned by its
# package-lock.json) keeps every message it receives and serves them as JSON over HTTP.
#
#   eval "$(bash scripts/mailcatcher.sh start)"  # installs its npm packages when missing, starts
#                                                # it on two free ports and exports
#                                                # BASALT_TEST_SMTP_HOST, BASALT_TEST_SMTP_PORT,
#                                                # BASALT_TEST_MAIL_API and BASALT_MAILCATCHER_PID
#   bash scripts/mailcatcher.sh stop "$BASALT_MAILCATCHER_PID"
#
# Only the `export ...` line goes to stdout; progress and errors go to stderr.
set -euo pipefail
cd "$(dirname "$0")/mailcatcher"
tools=${BASALT_TOOLS_HOME:-$HOME/.cache/basalt-tools}

log() { printf 'mailcatcher.sh: %s\n' "$*" >&2; }

install() {
  if [[ -d node_modules/smtp-server && -d node_modules/mailparser ]] &&
    cmp -s package-lock.json node_modules/.package-lock.json.installed 2>/dev/null; then
    return
  fi
  log "installing smtp-server and mailparser (npm ci) in scripts/mailcatcher"
  npm ci --no-audit --no-fund --silent >&2
  cp package-lock.json node_modules/.package-lock.json.installed
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  install
  local smtp_port http_port pid log_file
  smtp_port=$(free_port)
  http_port=$(free_port)
  while [[ $http_port == "$smtp_port" ]]; do http_port=$(free_port); done
  mkdir -p "$tools"
  log_file=$tools/mailcatcher-$smtp_port.log
  # setsid + nohup: the server outlives this script and the shell that eval'd its output.
  setsid nohup node catcher.mjs "$smtp_port" "$http_port" >"$log_file" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 150); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$http_port/health', timeout=1)" 2>/dev/null; then
      log "listening: SMTP 127.0.0.1:$smtp_port, HTTP 127.0.0.1:$http_port (pid $pid, log $log_file)"
      echo "export BASALT_TEST_SMTP_HOST=127.0.0.1; export BASALT_TEST_SMTP_PORT=$smtp_port; export BASALT_TEST_MAIL_API=http://127.0.0.1:$http_port; export BASALT_MAILCATCHER_PID=$pid"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the catcher exited before answering; its log:"
      cat "$log_file" >&2
      exit 1
    fi
    sleep 0.2
  done
  log "the catcher did not answer within 30 s; its log:"
  cat "$log_file" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  local pid=${1:?usage: mailcatcher.sh stop PID}
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
