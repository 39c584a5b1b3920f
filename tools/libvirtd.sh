#!/usr/bin/env bash
# Start virtlogd and libvirtd when they are not running (there is no init system on the CI
# machines), after giving /dev/kvm its udev permissions, then wait until qemu:///system answers.
set -euo pipefail
"$(dirname "$0")/kvm_permissions.sh"
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
for _ in $(seq 1 150); do
  virsh -q -c qemu:///system version >/dev/null 2>&1 && exit 0
  sleep 0.2
done
echo "libvirtd did not answer on qemu:///system within 30 s" >&2
exit 1
