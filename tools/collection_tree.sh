#!/usr/bin/env bash
# Lay the collection's files (tracked, plus untracked ones git does not ignore)
# out as .build/ansible_collections/cloudmgmt/dmtf, the layout ansible-test
# requires, and print that path. The copy is made afresh each time.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.build/ansible_collections/cloudmgmt/dmtf
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -co --exclude-standard -z | grep -zv -e '^provider/' -e '^bench/' \
  | rsync -a --files-from=- --from0 ./ "$dest/"
echo "$PWD/$dest"
