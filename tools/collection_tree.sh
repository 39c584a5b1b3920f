#!/usr/bin/env bash
# Lay the collection's files (tracked, plus untracked ones git does not ignore)
# out as <tmp>/ansible_collections/cloudmgmt/dmtf, the layout ansible-test
# requires, and print that path. The copy is made afresh each time, outside
# this git work tree: inside it, ansible-test would ask git for the file list
# and find the copy ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${COLLECTION_TREE_BASE:-${TMPDIR:-/tmp}/cloudmgmt-dmtf-$(pwd | sha256sum | cut -c1-12)}
dest=$base/ansible_collections/cloudmgmt/dmtf
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -co --exclude-standard -z | grep -zv -e '^provider/' -e '^bench/' -e '^tools/' \
  | rsync -a --files-from=- --from0 ./ "$dest/"
echo "$dest"
