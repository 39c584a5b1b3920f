#!/usr/bin/env bash
# Demo of the reference CIMI provider: start it (memory backend, a little latency) on a free
# loopback port, run a real CIMI session against it, stop it. Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$PWD/.venv/bin/python}
LATENCY=${DEMO_LATENCY:-0.4}
work=$(mktemp -d)
pid=""
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting cimi-provider (memory backend, latency ${LATENCY}s, database $work/demo.db)"
"$PY" -m cimi_provider.cli serve --backend memory --db "$work/demo.db" --listen 127.0.0.1:0 \
  --port-file "$work/port" --latency "$LATENCY" --log-level warning >"$work/provider.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/port" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "provider exited early:"; cat "$work/provider.log"; exit 1
  fi
  sleep 0.1
done
[ -s "$work/port" ] || { echo "provider did not start"; cat "$work/provider.log"; exit 1; }
port=$(cat "$work/port")
echo "== provider listening on 127.0.0.1:$port"

status=0
export CIMI_ENDPOINT="http://127.0.0.1:$port/cimi/cloudEntryPoint"
"$PY" tools/demo_session.py "$CIMI_ENDPOINT" || status=$?
if [ "$status" -eq 0 ]; then
  echo "== the same cloud through the collection: playbooks/demo.yml"
  ANSIBLE_COLLECTIONS_PATH=$PWD/.collections .venv/bin/ansible-playbook playbooks/demo.yml || status=$?
fi
[ "$status" -ne 0 ] || tools/tour.sh || status=$?

echo "== stopping the provider"
kill -TERM "$pid"
wait "$pid" || { echo "provider did not shut down cleanly"; status=1; }
pid=""
if [ "$status" -ne 0 ]; then
  echo "== demo FAILED; provider log:"; cat "$work/provider.log"
else
  echo "== demo OK"
fi
exit "$status"
