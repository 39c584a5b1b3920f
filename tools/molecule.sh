#!/usr/bin/env bash
set -euo pipefail
echo "tools/molecule.sh: nothing yet"
