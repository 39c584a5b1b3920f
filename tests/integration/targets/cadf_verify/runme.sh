#!/usr/bin/env bash
# Write a real trail with the callback, verify it, tamper with it, verify again.
set -eux
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An inline inventory has no interpreter: use the one ansible-test runs the target with.
export ANSIBLE_PYTHON_INTERPRETER=${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(command -v python)}
printf 'integration-hmac-key-0123456789\n' > "$work/audit.key"
ANSIBLE_CALLBACKS_ENABLED=cloudmgmt.dmtf.cadf \
ANSIBLE_CALLBACK_CADF_PATH="$work/audit.jsonl" \
ANSIBLE_CALLBACK_CADF_SIGNING_KEY_FILE="$work/audit.key" \
  ansible-playbook -i localhost, -c local changes.yml "$@"
ansible-playbook -i localhost, -c local verify.yml -e "trail=$work/audit.jsonl key=$work/audit.key expect_valid=true" "$@"
sed -i '2d' "$work/audit.jsonl"
ansible-playbook -i localhost, -c local verify.yml -e "trail=$work/audit.jsonl key=$work/audit.key expect_valid=false" "$@"
