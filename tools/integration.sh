#!/usr/bin/env bash
# Integration tests of the CIMI modules against the real reference provider, on loopback at a
# free port, in two passes:
#   memory   0.3 s latency, so every create/action is asynchronous: every target;
#   libvirt  real qemu domains on qemu:///system (private pool and prefix, removed afterwards):
#            every cimi_* target except those with the alias `cimi_memory_only` (see their aliases
#            files for why). Targets read `cimi_backend` from integration_config.yml.
# Usage: tools/integration.sh [ansible-test targets...]   (default: every target)
# CIMI_IT_BACKENDS="memory libvirt" chooses the passes (default both).
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

# ansible-test lists targets with git when the tree is inside a repository, and .build is
# ignored there: run from a copy outside the checkout.
tree=$(tools/collection_tree.sh)
mkdir -p "$work/ansible_collections/cloudmgmt"
cp -a "$tree" "$work/ansible_collections/cloudmgmt/dmtf"
collection="$work/ansible_collections/cloudmgmt/dmtf"

requested=("$@")
status=0
for backend in ${CIMI_IT_BACKENDS:-memory libvirt}; do
  targets=()
  if [ ${#requested[@]} -gt 0 ]; then
    targets=("${requested[@]}")
  else
    for dir in "$collection"/tests/integration/targets/*/; do
      targets+=("$(basename "$dir")")
    done
  fi
  if [ "$backend" != memory ]; then
    # Only the CIMI targets talk to the provider; the rest ran in the memory pass already.
    kept=()
    for target in "${targets[@]}"; do
      aliases="$collection/tests/integration/targets/$target/aliases"
      if [[ $target == cimi_* ]] && ! grep -qx cimi_memory_only "$aliases" 2>/dev/null; then
        kept+=("$target")
      fi
    done
    targets=("${kept[@]}")
    [ ${#targets[@]} -gt 0 ] || continue
  fi
  echo "==== integration pass: $backend backend (${#targets[@]} targets)"
  started=$SECONDS
  mkdir -p "$work/$backend"
  cimi_provider_start "$ROOT" "$work/$backend" "$backend"
  {
    printf 'cimi_endpoint: %s\ncimi_backend: %s\n' "$CIMI_ENDPOINT" "$backend"
    # a real qcow2 for targets that register images (the memory backend takes any location)
    if [ -n "${CIMI_SEED_IMAGE:-}" ]; then printf 'cimi_image_file: %s\n' "$CIMI_SEED_IMAGE"; fi
  } > "$collection/tests/integration/integration_config.yml"
  pass=0
  (cd "$collection" && ansible-test integration --python 3.11 --color no --continue-on-error "${targets[@]}") || pass=$?
  if [ $pass -ne 0 ]; then
    echo "---- provider log ($backend, tail) ----"
    tail -n 40 "$work/$backend/provider.log"
    status=$pass
  fi
  cimi_provider_stop
  echo "==== $backend pass: exit $pass in $((SECONDS - started)) s"
done
exit $status
