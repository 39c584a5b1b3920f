#!/usr/bin/env bash
# Integration tests of the CIMI modules against the real reference provider (memory backend,
# 0.3 s latency so every create/action is asynchronous), on loopback at a free port.
# Usage: tools/integration.sh [ansible-test targets...]   (default: every cimi_ target)
# CIMI_PROVIDER_SRC points at the provider sources to run (default: ./provider).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.venv/bin:$PATH
PROVIDER_SRC=${CIMI_PROVIDER_SRC:-$ROOT/provider}
work=$(mktemp -d)
provider_pid=
cleanup() {
  if [ -n "$provider_pid" ] && kill -0 "$provider_pid" 2>/dev/null; then
    kill "$provider_pid" 2>/dev/null || true
    wait "$provider_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Names starting with it-fail- make the provider fail their create/start job (FAILED job tests).
PYTHONPATH=$PROVIDER_SRC cimi-provider serve --backend memory --db "$work/provider.db" \
  --listen 127.0.0.1:0 --port-file "$work/port" --latency 0.3 --inject-failure '^it-fail-' \
  >"$work/provider.log" 2>&1 &
provider_pid=$!
for _ in $(seq 1 150); do
  [ -s "$work/port" ] && break
  kill -0 "$provider_pid" 2>/dev/null || { cat "$work/provider.log"; echo "provider died" >&2; exit 1; }
  sleep 0.2
done
[ -s "$work/port" ] || { cat "$work/provider.log"; echo "provider did not start" >&2; exit 1; }
endpoint="http://127.0.0.1:$(cat "$work/port")/cimi/cloudEntryPoint"
echo "provider at $endpoint"

# ansible-test lists targets with git when the tree is inside a repository, and .build is
# ignored there: run from a copy outside the checkout.
tree=$(tools/collection_tree.sh)
mkdir -p "$work/ansible_collections/cloudmgmt"
cp -a "$tree" "$work/ansible_collections/cloudmgmt/dmtf"
cd "$work/ansible_collections/cloudmgmt/dmtf"
cat > tests/integration/integration_config.yml <<YAML
cimi_endpoint: $endpoint
YAML

if [ $# -eq 0 ]; then
  set -- $(ls tests/integration/targets | grep '^cimi_')
fi
status=0
ansible-test integration --python 3.11 --color no "$@" || status=$?
if [ $status -ne 0 ]; then
  echo "---- provider log (tail) ----"
  tail -n 40 "$work/provider.log"
fi
exit $status
