#!/usr/bin/env bash
# Molecule scenarios. The cimi scenario runs against the reference provider started here on
# loopback (CIMI_ENDPOINT is exported for the modules' environment fallback).
# Usage: tools/molecule.sh [scenario...]   (default: cimi)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=$ROOT/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$ROOT/.collections}
# shellcheck source=tools/cimi_provider.sh
. "$ROOT/tools/cimi_provider.sh"
work=$(mktemp -d)
on_exit() {
  cimi_provider_stop
  rm -rf "$work"
}
trap on_exit EXIT
cimi_provider_start "$ROOT" "$work"

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(cimi)
cd extensions
for scenario in "${scenarios[@]}"; do
  molecule test -s "$scenario"
done
