#!/usr/bin/env bash
# Every benchmark under bench/, one after the other; each prints its figures and its ratio to
# the floor or peer its issue names. Nothing here asserts: figures go to docs/performance.md.
# Usage: tools/bench.sh [name...]   (default: all; names are the bench/ directories)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$PWD/.venv/bin/python
export PATH=$PWD/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$PWD/.collections}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for dir in bench/*/; do names+=("$(basename "$dir")"); done
fi
for name in "${names[@]}"; do
  script=bench/$name/run.py
  [ -f "$script" ] || script=bench/$name/bench.py
  echo "===== bench/$name ($(date -u +%FT%TZ))"
  "$PY" "$script"
done
