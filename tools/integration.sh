#!/usr/bin/env bash
set -euo pipefail
echo "tools/integration.sh: nothing yet"
