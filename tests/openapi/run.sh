#!/usr/bin/env bash
# The OpenAPI harness, against a Basalt started here on a free port in a temp dir and seeded
# with a schema (seed.mjs):
#   1. a typed client generated from the OpenAPI document (openapi-typescript + openapi-fetch,
#      type-checked by tsc --strict) runs a record create/list/view/update/delete scenario;
#   2. schemathesis (PyPI, pinned) over the same document, as the superuser: fails on any
#      5xx, any response that does not match its documented schema, status or content type.
#
#   bash tests/openapi/run.sh [BASALT_BIN]      (default: target/debug/basalt)
#
# The document is the server's live one, `GET /api/openapi.json` (with typed paths for the
# seeded collections), fetched as the superuser once the schema is seeded; BASALT_OPENAPI_DOC
# names another path on the server starting with /api/, or a file (e.g. openapi/openapi.json,
# the built-in operations only; its paths are relative to `/api`). Installs schemathesis into a venv under ${XDG_CACHE_HOME:-$HOME/.cache}/basalt/
# and the npm packages with `npm ci` (tests/openapi/package-lock.json).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
basalt=${1:-${CARGO_TARGET_DIR:-$root/target}/debug/basalt}
basalt=$(cd "$(dirname "$basalt")" && pwd)/$(basename "$basalt")
doc=${BASALT_OPENAPI_DOC:-/api/openapi.json}
[[ $doc == /api/* ]] || doc=$(cd "$(dirname "$doc")" && pwd)/$(basename "$doc")
seed=${SCHEMATHESIS_SEED:-20240501}
examples=${SCHEMATHESIS_MAX_EXAMPLES:-40}
# Extra schemathesis arguments, word-split (e.g. `--include-path-regex records`).
extra=(${SCHEMATHESIS_ARGS:-})
email=admin@example.com
password='Passw0rd!1234'

# --- tools ---------------------------------------------------------------------------------
st_version=4.32.5
# One venv per requirements.txt content, so a changed pin gets a fresh install.
venv=${XDG_CACHE_HOME:-$HOME/.cache}/basalt/schemathesis-$st_version-$(sha256sum "$here/requirements.txt" | cut -c1-12)
if [[ ! -x $venv/bin/schemathesis ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
(cd "$here" && npm ci --no-audit --no-fund --silent)

# --- the server ----------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/basalt-openapi.XXXXXX")
pid=
stop() {
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT
"$basalt" superuser upsert "$email" "$password" --dir "$work/pb_data" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
(cd "$work" && exec "$basalt" serve --http="127.0.0.1:$port" --dir "$work/pb_data" >"$work/server.log" 2>&1) &
pid=$!
if ! token=$(node "$here/seed.mjs" "$url" "$email" "$password"); then
  echo "seeding $url failed; server log:" >&2
  tail -n 50 "$work/server.log" >&2
  exit 1
fi
if [[ $doc == /api/* ]]; then
  TOKEN=$token python3 - "$url$doc" "$work/openapi.json" <<'PY'
import os, sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"Authorization": os.environ["TOKEN"]})
with urllib.request.urlopen(req, timeout=10) as res, open(sys.argv[2], "wb") as out:
    out.write(res.read())
PY
  doc=$work/openapi.json
fi

# --- 1. the typed client (first: it needs the seeded collections, which the fuzzer may change) -------------------------------------------------------------------
echo "typed client: openapi-typescript + openapi-fetch, tsc --strict, CRUD scenario"
(
  cd "$here"
  npx --no-install openapi-typescript "$doc" --output generated/schema.d.ts >/dev/null
  npx --no-install tsc -p tsconfig.json
  node dist/scenario.js "$url" "$email" "$password"
)

# --- 2. schemathesis -----------------------------------------------------------------------
# `updateSuperusers` (PATCH /collections/_superusers/records/{id}, from the live document)
# is left out: it lets the fuzzer change the email or password of the superuser it runs as,
# which ends its authentication half-way (superusers may change any superuser, by design).
# `restoreBackup` is left out too: a restore of a backup the fuzzer made replaces the data
# dir and restarts the server mid-run (it is covered by tests/tests/backups.rs and the SDK
# suite instead).
# Checks left out: `unsupported_method` (PocketBase answers 404, not 405, to a method a path
# does not have, and Basalt does too) and `positive_data_acceptance` (PocketBase answers 400
# to requests that fit the schema but not the data: a filter that does not parse, a wrong
# password, a taken name, a collection that relations point at).
echo "schemathesis $st_version over ${doc#"$root/"} against $url (seed $seed, at most $examples examples per operation)"
status=0
# (in $work: schemathesis keeps a `.schemathesis/` cache in its working directory)
(cd "$work" && exec "$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" --no-color run "$doc" \
  --url "$url/api" -H "Authorization: $token" \
  --seed "$seed" --max-examples "$examples" --workers 1 --generation-database none \
  --exclude-checks positive_data_acceptance,unsupported_method \
  --exclude-operation-id updateSuperusers --exclude-operation-id restoreBackup "${extra[@]}" \
  >"$work/schemathesis.log" 2>&1) || status=$?
if [[ $status -ne 0 ]]; then
  cat "$work/schemathesis.log"
  echo "schemathesis failed (exit $status); server log:" >&2
  tail -n 50 "$work/server.log" >&2
  exit 1
fi
sed -n '/^Test cases:/,/^$/p; /^API Operations:/,/^$/p' "$work/schemathesis.log"
# The fuzzer must not have locked the superuser out (e.g. by deleting the only superuser).
if ! python3 - "$url" "$email" "$password" <<'PY'
import json, sys, urllib.request
url, email, password = sys.argv[1:]
body = json.dumps({"identity": email, "password": password}).encode()
req = urllib.request.Request(f"{url}/api/collections/_superusers/auth-with-password", data=body,
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as res:
    sys.exit(0 if res.status == 200 else 1)
PY
then
  echo "after the schemathesis run the superuser $email can no longer log in" >&2
  exit 1
fi
if grep -q 'panicked\|ERROR' "$work/server.log"; then
  echo "the server logged errors during the schemathesis run:" >&2
  grep -B2 -A8 'panicked\|ERROR' "$work/server.log" | head -n 60 >&2
  exit 1
fi
