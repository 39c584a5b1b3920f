#!/usr/bin/env bash
# The Galaxy artifact must hold collection content only: no provider, benchmarks,
# virtualenv, build trees or caches, nor this project's own pins and test packages.
set -euo pipefail
tarball=$1
bad=$(tar -tzf "$tarball" | grep -E '^(provider|bench|tools|\.venv|\.build|\.collections|\.cache|\.ci)/|__pycache__|tests/output/|^(constraints|test-requirements|test-bindep)\.txt$' || true)
if [ -n "$bad" ]; then
  echo "artifact $tarball holds files that are not collection content:" >&2
  echo "$bad" | head -20 >&2
  exit 1
fi
echo "artifact ok: $tarball ($(tar -tzf "$tarball" | wc -l) entries, $(du -h "$tarball" | cut -f1))"
