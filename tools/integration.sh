#!/usr/bin/env bash
# Integration tests of the CIMI modules against the real reference provider, on loopback at a
# free port, in two passes that run side by side (each with its own provider and copy of the
# collection; their output is printed when each ends):
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
work=$(mktemp -d)
pass_pids=()
# shellcheck disable=SC2317  # called through the EXIT trap
on_exit() {
  local pid
  for pid in "${pass_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap on_exit EXIT

# ansible-test lists targets with git when the tree is inside a repository, and .build is
# ignored there: each pass runs from its own copy outside the checkout.
tree=$(tools/collection_tree.sh)
requested=("$@")

# pass_targets BACKEND COLLECTION: the targets of a pass, one a line.
pass_targets() {
  local backend=$1 collection=$2 dir target
  local -a targets=("${requested[@]}")
  if [ ${#targets[@]} -eq 0 ]; then
    for dir in "$collection"/tests/integration/targets/*/; do
      targets+=("$(basename "$dir")")
    done
  fi
  for target in "${targets[@]}"; do
    # Only the CIMI targets talk to the provider; the rest run in the memory pass only.
    if [ "$backend" = memory ] || { [[ $target == cimi_* ]] && ! grep -qx cimi_memory_only \
        "$collection/tests/integration/targets/$target/aliases" 2>/dev/null; }; then
      echo "$target"
    fi
  done
}

# run_pass BACKEND: provider + ansible-test; runs in a subshell of its own.
run_pass() {
  local backend=$1 dir=$work/$1 collection status=0 started=$SECONDS test_pid
  # shellcheck source=tools/cimi_provider.sh
  . "$ROOT/tools/cimi_provider.sh"
  trap cimi_provider_stop EXIT
  trap 'kill "${test_pid:-0}" 2>/dev/null; exit 143' TERM INT
  collection="$dir/ansible_collections/cloudmgmt/dmtf"
  mkdir -p "$dir/ansible_collections/cloudmgmt"
  cp -a "$tree" "$collection"
  local -a targets
  mapfile -t targets < <(pass_targets "$backend" "$collection")
  [ ${#targets[@]} -gt 0 ] || { echo "==== $backend pass: no targets"; return 0; }
  echo "==== integration pass: $backend backend (${#targets[@]} targets: ${targets[*]})"
  cimi_provider_start "$ROOT" "$dir" "$backend"
  {
    # the provider's access log (one JSON line per request): targets count the requests a task makes
    printf 'cimi_endpoint: %s\ncimi_backend: %s\ncimi_access_log: %s\n' "$CIMI_ENDPOINT" "$backend" "$CIMI_ACCESS_LOG"
    # a real qcow2 for targets that register images (the memory backend reads none, under its import root)
    if [ -n "${CIMI_SEED_IMAGE:-}" ]; then printf 'cimi_image_file: %s\n' "$CIMI_SEED_IMAGE"; fi
  } > "$collection/tests/integration/integration_config.yml"
  (cd "$collection" && exec ansible-test integration --python 3.11 --color no \
    --continue-on-error "${targets[@]}") &
  test_pid=$!
  wait "$test_pid" || status=$?
  if [ $status -ne 0 ]; then
    echo "---- provider log ($backend, tail) ----"
    tail -n 40 "$dir/provider.log"
  fi
  cimi_provider_stop
  echo "==== $backend pass: exit $status in $((SECONDS - started)) s"
  return $status
}

backends=()
for backend in ${CIMI_IT_BACKENDS:-memory libvirt}; do
  mkdir -p "$work/$backend"
  (run_pass "$backend") > "$work/$backend.log" 2>&1 &
  pass_pids+=($!)
  backends+=("$backend")
  echo "==== $backend pass started"
done
status=0
for i in "${!pass_pids[@]}"; do
  pass=0
  wait "${pass_pids[$i]}" || pass=$?
  cat "$work/${backends[$i]}.log"
  [ $pass -eq 0 ] || status=$pass
done
pass_pids=()
exit $status
