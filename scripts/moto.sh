#!/usr/bin/env bash
# A local S3 (moto's server) for the FileStore contract suite (app/tests/files_contract.rs).
#
#   eval "$(bash scripts/moto.sh start)"   # installs moto when missing, starts it on a free port,
#                                          # exports BASALT_TEST_S3_ENDPOINT and BASALT_MOTO_PID
#   bash scripts/moto.sh stop "$BASALT_MOTO_PID"
#
# moto is installed from PyPI into a venv under ${BASALT_TOOLS_HOME:-$HOME/.cache/basalt-tools}.
# Only the `export ...` line goes to stdout; progress and errors go to stderr.
set -euo pipefail

MOTO_VERSION=5.2.6
tools=${BASALT_TOOLS_HOME:-$HOME/.cache/basalt-tools}
venv=$tools/moto-venv

log() { printf 'moto.sh: %s\n' "$*" >&2; }

install() {
  if [[ -x $venv/bin/moto_server ]] &&
    [[ $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null) == "$MOTO_VERSION" ]]; then
    return
  fi
  log "installing moto[server]==$MOTO_VERSION into $venv"
  mkdir -p "$tools"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  install
  local port pid log_file i
  port=$(free_port)
  log_file=$tools/moto-$port.log
  # setsid + nohup: the server outlives this script and the shell that eval'd its output.
  setsid nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log_file" 2>&1 </dev/null &
  pid=$!
  for i in $(seq 1 150); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1)" 2>/dev/null; then
      log "moto_server $MOTO_VERSION listening on 127.0.0.1:$port (pid $pid, log $log_file)"
      echo "export BASALT_TEST_S3_ENDPOINT=http://127.0.0.1:$port; export BASALT_MOTO_PID=$pid"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "moto_server exited before answering; its log:"
      cat "$log_file" >&2
      exit 1
    fi
    sleep 0.2
  done
  log "moto_server did not answer on port $port within 30 s; its log:"
  cat "$log_file" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  local pid=${1:?usage: moto.sh stop PID}
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
