#!/usr/bin/env bash
set -euo pipefail
echo "tools/bench.sh: nothing yet"
