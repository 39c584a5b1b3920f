#!/usr/bin/env bash
# Demo of the reference CIMI provider: start it on a free loopback port, run a real CIMI session
# against it, stop it. Uses the libvirt backend (real qemu domains, named cimi-demo-<random>-...)
# when libvirtd answers on qemu:///system, the memory backend otherwise (with a notice).
# DEMO_BACKEND=memory forces the memory backend. Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/cimi_provider.sh
. tools/cimi_provider.sh
PY=${PYTHON:-$PWD/.venv/bin/python}
LATENCY=${DEMO_LATENCY:-0.4}
URI=qemu:///system
work=$(mktemp -d)
pid=""
tag=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
prefix="cimi-demo-$tag-"
pool="/var/lib/libvirt/images/cimi-demo-$tag"

virsh_q() { virsh -q -c "$URI" "$@"; }
demo_domains() { virsh_q list --all --name 2>/dev/null | grep -F "$prefix" || true; }

# Best effort: whatever carries the demo prefix goes (a failed run must not leave domains).
# shellcheck disable=SC2317  # called from cleanup, through the EXIT trap
remove_libvirt_leftovers() {
  local dom
  for dom in $(demo_domains); do
    virsh_q destroy "$dom" >/dev/null 2>&1 || true
    virsh_q undefine "$dom" --remove-all-storage >/dev/null 2>&1 || true
  done
  virsh_q pool-destroy "${prefix}pool" >/dev/null 2>&1 || true
  virsh_q pool-undefine "${prefix}pool" >/dev/null 2>&1 || true
  rm -rf "$pool" "$pool.src"
}

# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
  cimi_provider_stop
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$backend" = libvirt ]; then remove_libvirt_leftovers; fi
  rm -rf "$work"
}

backend=memory
if [ "${DEMO_BACKEND:-auto}" != memory ] && tools/libvirtd.sh >/dev/null 2>&1 \
    && "$PY" -c "import libvirt" 2>/dev/null; then
  backend=libvirt
fi
trap cleanup EXIT

session_args=()
if [ "$backend" = libvirt ]; then
  # qemu (user libvirt-qemu) must reach the pool: /var/lib/libvirt/images, not a private tmp.
  mkdir -p "$pool" "$pool.src"
  qemu-img create -q -f qcow2 "$pool.src/blank.qcow2" 64M
  echo "== starting cimi-provider (libvirt backend on $URI, pool $pool, prefix $prefix)"
  "$PY" -m cimi_provider.cli serve --backend libvirt --libvirt-uri "$URI" --pool "$pool" \
    --libvirt-prefix "$prefix" --libvirt-stop-timeout 2 --import-root "$pool.src" --db "$work/demo.db" \
    --listen 127.0.0.1:0 --port-file "$work/port" --log-level warning >"$work/provider.log" 2>&1 &
  session_args=(--image-location "file://$pool.src/blank.qcow2" --force-stop
                --after-start "virsh -q -c $URI list --all | grep -F ' $prefix'")
else
  echo "!! NOTICE: libvirtd does not answer on $URI (or DEMO_BACKEND=memory):"
  echo "!! NOTICE: running on the MEMORY backend, machines are simulated"
  echo "== starting cimi-provider (memory backend, latency ${LATENCY}s, database $work/demo.db)"
  "$PY" -m cimi_provider.cli serve --backend memory --db "$work/demo.db" --listen 127.0.0.1:0 \
    --port-file "$work/port" --latency "$LATENCY" --log-level warning >"$work/provider.log" 2>&1 &
fi
pid=$!
cimi_provider_wait_ready "$pid" "$work/port" "$work/provider.log" "$PY" || exit 1
port=$(cat "$work/port")
echo "== provider listening on 127.0.0.1:$port"

status=0
"$PY" tools/demo_session.py "http://127.0.0.1:$port/cimi/cloudEntryPoint" "${session_args[@]}" \
  || status=$?

echo "== stopping the provider"
kill -TERM "$pid"
wait "$pid" || { echo "provider did not shut down cleanly"; status=1; }
pid=""
if [ "$backend" = libvirt ]; then
  left=$(demo_domains)
  if [ -n "$left" ]; then
    echo "== libvirt domains left behind with prefix $prefix:"; echo "$left"; status=1
  else
    echo "== no libvirt domain with prefix $prefix is left"
  fi
fi
if [ "$status" -eq 0 ]; then
  # The collection itself, against a provider with the seeded catalogue (memory backend).
  mkdir -p "$work/tour"
  cimi_provider_start "$PWD" "$work/tour"
  echo "== the same kind of cloud through the collection: playbooks/demo.yml"
  ANSIBLE_COLLECTIONS_PATH=$PWD/.collections .venv/bin/ansible-playbook playbooks/demo.yml || status=$?
  [ "$status" -ne 0 ] || tools/tour.sh || status=$?
  cimi_provider_stop
fi
if [ "$status" -ne 0 ]; then
  echo "== demo FAILED ($backend backend); provider log:"; cat "$work/provider.log"
else
  echo "== demo OK ($backend backend)"
fi
exit "$status"
