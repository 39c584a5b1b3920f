#!/usr/bin/env bash
# Give /dev/kvm the owner and mode Debian's udev rule sets on a normal host (root:kvm 0660).
# Without udev it stays root:root 0600, and libvirtd then re-probes qemu's capabilities on every
# API call (seconds each, tens of seconds under load). A libvirtd that started before the change
# keeps re-probing, so it is stopped here; tools/libvirtd.sh starts it again.
set -euo pipefail
[ -c /dev/kvm ] || exit 0
getent group kvm >/dev/null || exit 0
[ "$(stat -c '%G %a' /dev/kvm)" = "kvm 660" ] && exit 0
chgrp kvm /dev/kvm
chmod 0660 /dev/kvm
echo "kvm_permissions.sh: /dev/kvm set to root:kvm 0660, as udev does on a normal host"
if pgrep -x libvirtd >/dev/null; then
  pkill -x libvirtd || true
  for _ in $(seq 1 50); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
fi
