#!/usr/bin/env bash
set -euo pipefail
echo "tools/demo.sh: nothing yet"
