#!/usr/bin/env bash
# Integration tests of the CIMI modules against the real reference provider (memory backend,
# 0.3 s latency so every create/action is asynchronous), on loopback at a free port.
# Usage: tools/integration.sh [ansible-test targets...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.venv/bin:$PATH
# shellcheck source=tools/cimi_provider.sh
. "$ROOT/tools/cimi_provider.sh"
work=$(mktemp -d)
# shellcheck disable=SC2317  # called through the EXIT trap
on_exit() {
  cimi_provider_stop
  rm -rf "$work"
}
trap on_exit EXIT
cimi_provider_start "$ROOT" "$work"

# ansible-test lists targets with git when the tree is inside a repository, and .build is
# ignored there: run from a copy outside the checkout.
tree=$(tools/collection_tree.sh)
mkdir -p "$work/ansible_collections/cloudmgmt"
cp -a "$tree" "$work/ansible_collections/cloudmgmt/dmtf"
cd "$work/ansible_collections/cloudmgmt/dmtf"
printf 'cimi_endpoint: %s\n' "$CIMI_ENDPOINT" > tests/integration/integration_config.yml

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in tests/integration/targets/*/; do
    targets+=("$(basename "$dir")")
  done
fi
status=0
ansible-test integration --python 3.11 --color no "${targets[@]}" || status=$?
if [ $status -ne 0 ]; then
  echo "---- provider log (tail) ----"
  tail -n 40 "$work/provider.log"
fi
exit $status
