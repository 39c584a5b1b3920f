#!/usr/bin/env bash
# Molecule scenarios. The cimi scenario runs against the reference provider started here on
# loopback (CIMI_ENDPOINT is exported for the modules' environment fallback).
# Usage: tools/molecule.sh [scenario...]   (default: every scenario in extensions/molecule)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.collections}
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

scenarios=("$@")
cd extensions
if [ ${#scenarios[@]} -eq 0 ]; then
  for dir in molecule/*/molecule.yml; do scenarios+=("$(basename "$(dirname "$dir")")"); done
fi
for scenario in "${scenarios[@]}"; do
  # Molecule keeps per-scenario state (e.g. "prepared") across runs and checkouts; start clean.
  molecule reset -s "$scenario" >/dev/null
  molecule test -s "$scenario"
done
