#!/usr/bin/env bash
# The credential lifecycle at -vvv: the canary secret must appear neither in any registered
# result (asserted in the playbook) nor anywhere in the verbose output (checked here).
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An inline inventory has no interpreter: use the one ansible-test runs the target with.
export ANSIBLE_PYTHON_INTERPRETER=${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(command -v python)}
export ANSIBLE_NOCOLOR=1
canary="it-cred-canary-$(date +%s)-$$"
# ansible-test passes integration_config.yml (cimi_endpoint) to role targets only.
config=../../integration_config.yml
extra=()
if [ -f "$config" ]; then
  extra=(-e "@$config")
fi
status=0
printf 'canary_secret: %s\n' "$canary" >"$work/secret.yml"
ansible-playbook -i localhost, -c local credential.yml -vvv -e "@$work/secret.yml" "${extra[@]}" "$@" \
  >"$work/output.log" 2>&1 || status=$?
cat "$work/output.log"
if [ "$status" -ne 0 ]; then
  echo "credential.yml failed (rc $status)" >&2
  exit "$status"
fi
grep -q -F -- "$canary" "$work/secret.yml"  # the search itself works
if grep -q -F -- "$canary" "$work/output.log"; then
  echo "the secret leaked into the playbook output" >&2
  exit 1
fi
echo "secret not found in $(wc -l <"$work/output.log") lines of -vvv output"
