# shellcheck shell=bash
# Sourced by tools/integration.sh and tools/molecule.sh: start the reference CIMI provider on
# loopback at a free port, export CIMI_ENDPOINT, and stop it on exit.
# CIMI_PROVIDER_SRC points at the provider sources to run (default: <checkout>/provider).
# Names starting with it-fail- make the provider fail their create/start jobs (FAILED job tests).
#
# Backends:
#   memory   0.3 s latency, so every create/action is asynchronous (the default).
#   libvirt  real qemu domains on qemu:///system (CIMI_LIBVIRT_TEST_URI), latency 0; the pool
#            directory, a seed image and every libvirt object (prefix it<random>-, or
#            $CIMI_LIBVIRT_PREFIX_STEM<random>-) are private to
#            this run and removed by cimi_provider_stop. The memory backend's seed images
#            (debian-12, cirros) are registered from a tiny blank qcow2 so the same names work.
#   guests   the libvirt backend booting real guests: every machine's SSH is forwarded from
#            127.0.0.1 (ports CIMI_GUEST_PORTS, default 42400-42499) and the guest image
#            ($CIMI_GUEST_IMAGE, else tools/guest_image.sh build) is registered as debian-12-guest. CIMI_GUEST_DOMAIN_TYPE
#            (auto, kvm or qemu) chooses the domain type (default: what tools/guest_accel.sh
#            finds boots the guest here).

cimi_provider_stop() {
  if [ -n "${CIMI_PROVIDER_PID:-}" ] && kill -0 "$CIMI_PROVIDER_PID" 2>/dev/null; then
    kill "$CIMI_PROVIDER_PID" 2>/dev/null || true
    wait "$CIMI_PROVIDER_PID" 2>/dev/null || true
  fi
  CIMI_PROVIDER_PID=
  if [ -n "${CIMI_LIBVIRT_RUN_PREFIX:-}" ]; then
    cimi_libvirt_cleanup "$CIMI_LIBVIRT_RUN_PREFIX" "${CIMI_LIBVIRT_RUN_POOL:-}"
    CIMI_LIBVIRT_RUN_PREFIX=
  fi
}

# cimi_libvirt_cleanup PREFIX POOLDIR: remove every libvirt object named PREFIX* and the pool dir.
cimi_libvirt_cleanup() {
  local prefix=$1 pooldir=$2 uri=${CIMI_LIBVIRT_TEST_URI:-qemu:///system} name pool
  for name in $(virsh -q -c "$uri" list --all --name | grep "^$prefix" || true); do
    virsh -q -c "$uri" destroy "$name" >/dev/null 2>&1 || true
    virsh -q -c "$uri" undefine "$name" --nvram >/dev/null 2>&1 \
      || virsh -q -c "$uri" undefine "$name" >/dev/null 2>&1 || true
  done
  for name in $(virsh -q -c "$uri" net-list --all --name | grep "^$prefix" || true); do
    virsh -q -c "$uri" net-destroy "$name" >/dev/null 2>&1 || true
    virsh -q -c "$uri" net-undefine "$name" >/dev/null 2>&1 || true
  done
  for pool in $(virsh -q -c "$uri" pool-list --all --name | grep "^$prefix" || true); do
    for name in $(virsh -q -c "$uri" vol-list "$pool" | awk '{print $1}'); do
      virsh -q -c "$uri" vol-delete "$name" --pool "$pool" >/dev/null 2>&1 || true
    done
    virsh -q -c "$uri" pool-destroy "$pool" >/dev/null 2>&1 || true
    virsh -q -c "$uri" pool-undefine "$pool" >/dev/null 2>&1 || true
  done
  if [ -n "$pooldir" ]; then rm -rf "$pooldir" "$pooldir.src"; fi
}

# cimi_provider_wait_ready PID PORTFILE LOG PYTHON: wait until the provider wrote its port file
# and its Cloud Entry Point answers over HTTP (any status: with authentication on it is 401),
# within CIMI_PROVIDER_START_TIMEOUT seconds (default 180: libvirt start-up on a loaded host is
# slow). On failure print the provider's log and return 1.
cimi_provider_wait_ready() {
  local pid=$1 portfile=$2 log=$3 python=$4 deadline
  deadline=$(( $(date +%s) + ${CIMI_PROVIDER_START_TIMEOUT:-180} ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the CIMI provider exited during start-up; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    if [ -s "$portfile" ] && "$python" - "$(cat "$portfile")" <<'PYEOF' 2>/dev/null; then
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/cimi/cloudEntryPoint", timeout=5)
except urllib.error.HTTPError:
    pass  # an answer all the same
PYEOF
      return 0
    fi
    sleep 0.2
  done
  echo "the CIMI provider did not answer within ${CIMI_PROVIDER_START_TIMEOUT:-180} s; its log:" >&2
  cat "$log" >&2
  return 1
}

# cimi_provider_start ROOT WORKDIR [BACKEND]
cimi_provider_start() {
  local root=$1 work=$2 backend=${3:-memory} guest_image=
  unset CIMI_SEED_IMAGE
  if [ "$backend" = guests ]; then
    guest_image=${CIMI_GUEST_IMAGE:-$("$root/tools/guest_image.sh" build | tail -n 1)}
    backend=libvirt
  fi
  local -a args=(--backend "$backend" --db "$work/provider.db" --listen 127.0.0.1:0
                 --port-file "$work/port" --inject-failure '^it-fail-' --access-log "$work/access.log")
  if [ "$backend" = libvirt ]; then
    CIMI_LIBVIRT_RUN_PREFIX="${CIMI_LIBVIRT_PREFIX_STEM:-it}$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')-"
    # qemu (user libvirt-qemu) must reach the pool: /var/tmp, not a private tmp directory.
    CIMI_LIBVIRT_RUN_POOL=$(mktemp -d /var/tmp/cimi-it-XXXXXX)
    chmod 0755 "$CIMI_LIBVIRT_RUN_POOL"
    mkdir -p "$CIMI_LIBVIRT_RUN_POOL.src"
    qemu-img create -q -f qcow2 "$CIMI_LIBVIRT_RUN_POOL.src/blank.qcow2" 32M
    args+=(--libvirt-uri "${CIMI_LIBVIRT_TEST_URI:-qemu:///system}"
           --pool "$CIMI_LIBVIRT_RUN_POOL/pool" --libvirt-prefix "$CIMI_LIBVIRT_RUN_PREFIX"
           --libvirt-stop-timeout 2 --import-root "$CIMI_LIBVIRT_RUN_POOL.src")
    if [ -n "$guest_image" ]; then
      args+=(--libvirt-forward-ports "${CIMI_GUEST_PORTS:-42400-42499}"
             --libvirt-domain-type "${CIMI_GUEST_DOMAIN_TYPE:-$("$root/tools/guest_accel.sh")}"
             --import-root "$(dirname "$guest_image")")
    fi
  else
    # The memory backend reads nothing, but refuses image locations outside an import root too.
    args+=(--latency 0.3 --import-root /srv/it-mimage)
  fi
  rm -f "$work/port"
  PYTHONPATH=${CIMI_PROVIDER_SRC:-$root/provider} "$root/.venv/bin/cimi-provider" serve \
    "${args[@]}" >"$work/provider.log" 2>&1 &
  CIMI_PROVIDER_PID=$!
  cimi_provider_wait_ready "$CIMI_PROVIDER_PID" "$work/port" "$work/provider.log" "$root/.venv/bin/python" \
    || return 1
  CIMI_ENDPOINT="http://127.0.0.1:$(cat "$work/port")/cimi/cloudEntryPoint"
  CIMI_ACCESS_LOG="$work/access.log"
  export CIMI_ENDPOINT CIMI_ACCESS_LOG
  echo "CIMI provider ($backend) at $CIMI_ENDPOINT"
  if [ "$backend" = libvirt ]; then
    CIMI_SEED_IMAGE="$CIMI_LIBVIRT_RUN_POOL.src/blank.qcow2"
    export CIMI_SEED_IMAGE
    "$root/.venv/bin/python" "$root/tools/cimi_seed_images.py" "$CIMI_ENDPOINT" \
      "file://$CIMI_LIBVIRT_RUN_POOL.src/blank.qcow2" debian-12 cirros
  fi
  if [ -n "$guest_image" ]; then
    "$root/.venv/bin/python" "$root/tools/cimi_seed_images.py" "$CIMI_ENDPOINT" \
      "file://$guest_image" debian-12-guest
  fi
}
