# shellcheck shell=bash
# Sourced by tools/integration.sh and tools/molecule.sh: start the reference CIMI provider
# (memory backend) on loopback at a free port, export CIMI_ENDPOINT, and stop it on exit.
# CIMI_PROVIDER_SRC points at the provider sources to run (default: <checkout>/provider).
# Names starting with it-fail- make the provider fail their create/start jobs (FAILED job tests).

cimi_provider_stop() {
  if [ -n "${CIMI_PROVIDER_PID:-}" ] && kill -0 "$CIMI_PROVIDER_PID" 2>/dev/null; then
    kill "$CIMI_PROVIDER_PID" 2>/dev/null || true
    wait "$CIMI_PROVIDER_PID" 2>/dev/null || true
  fi
}

# cimi_provider_start ROOT WORKDIR
cimi_provider_start() {
  local root=$1 work=$2 i
  PYTHONPATH=${CIMI_PROVIDER_SRC:-$root/provider} "$root/.venv/bin/cimi-provider" serve \
    --backend memory --db "$work/provider.db" --listen 127.0.0.1:0 --port-file "$work/port" \
    --latency 0.3 --inject-failure '^it-fail-' >"$work/provider.log" 2>&1 &
  CIMI_PROVIDER_PID=$!
  for i in $(seq 1 150); do
    [ -s "$work/port" ] && break
    if ! kill -0 "$CIMI_PROVIDER_PID" 2>/dev/null; then
      cat "$work/provider.log" >&2
      echo "the CIMI provider died at start (try $i)" >&2
      return 1
    fi
    sleep 0.2
  done
  if [ ! -s "$work/port" ]; then
    cat "$work/provider.log" >&2
    echo "the CIMI provider did not start" >&2
    return 1
  fi
  CIMI_ENDPOINT="http://127.0.0.1:$(cat "$work/port")/cimi/cloudEntryPoint"
  export CIMI_ENDPOINT
  echo "CIMI provider at $CIMI_ENDPOINT"
}
