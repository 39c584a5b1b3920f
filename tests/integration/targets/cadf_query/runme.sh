#!/usr/bin/env bash
# Write a real trail with the callback (one task per target, one that fails), then query it.
set -eux
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An inline inventory has no interpreter: use the one ansible-test runs the target with.
export ANSIBLE_PYTHON_INTERPRETER=${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(command -v python)}
ANSIBLE_CALLBACKS_ENABLED=cloudmgmt.dmtf.cadf \
ANSIBLE_CALLBACK_CADF_PATH="$work/audit.jsonl" \
ANSIBLE_CALLBACK_CADF_ANCHOR_PATH="$work/anchor.json" \
  ansible-playbook -i localhost, -c local trail.yml -e '{"cadf_tags": {"ticket": "CHG-1"}}' "$@"
ansible-playbook -i localhost, -c local query.yml -e "trail=$work/audit.jsonl out=$work" "$@"
