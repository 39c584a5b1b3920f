#!/usr/bin/env bash
# Molecule scenarios. The CIMI scenarios run against the reference provider started here on
# loopback (CIMI_ENDPOINT is exported for the modules' environment fallback): the memory backend,
# except cimi_instances, whose instances are real guests (the provider's "guests" set-up in
# tools/cimi_provider.sh: libvirt, forwarded SSH ports, the guest image).
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

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  for dir in extensions/molecule/*/molecule.yml; do scenarios+=("$(basename "$(dirname "$dir")")"); done
fi
GUEST_SCENARIOS=" cimi_instances "

run_scenarios() {  # $1: memory | guests; runs the scenarios that need that provider
  local kind=$1 scenario
  local -a chosen=()
  for scenario in "${scenarios[@]}"; do
    case "$GUEST_SCENARIOS" in
      *" $scenario "*) [ "$kind" = guests ] && chosen+=("$scenario") ;;
      *) [ "$kind" = memory ] && chosen+=("$scenario") ;;
    esac
  done
  [ ${#chosen[@]} -gt 0 ] || return 0
  mkdir -p "$work/$kind"
  cimi_provider_start "$ROOT" "$work/$kind" "$kind"
  for scenario in "${chosen[@]}"; do
    # Molecule keeps per-scenario state (e.g. "prepared") across runs and checkouts; start clean.
    (cd extensions && molecule reset -s "$scenario" >/dev/null && molecule test -s "$scenario")
  done
  cimi_provider_stop
}

run_scenarios memory
run_scenarios guests
