#!/usr/bin/env bash
# Print the libvirt domain type that really boots a Linux guest here: `kvm`, else `qemu`.
#
# /dev/kvm answering is not enough. On some nested hosts (this project's CI machines among them)
# KVM starts a domain and runs its firmware, yet a Linux kernel never gets past its first
# instructions. So this boots the guest image's own kernel under KVM, with no disk, and waits for
# the kernel's first line on the serial port. The answer is cached per kernel and per host boot.
set -euo pipefail
cd "$(dirname "$0")/.."
kernel=$(tools/guest_image.sh kernel) || { echo "no guest image: make guest-image" >&2; exit 1; }
boot_id=$(cat /proc/sys/kernel/random/boot_id)
cache=${kernel%.vmlinuz}.accel-$boot_id
if [ -f "$cache" ]; then cat "$cache"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
answer=qemu
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
  timeout 20 qemu-system-x86_64 -accel kvm -m 256 -display none -monitor none -no-reboot \
    -nodefaults -serial "file:$work/serial" -kernel "$kernel" \
    -append "console=ttyS0 panic=-1 loglevel=7" >/dev/null 2>&1 &
  qemu=$!
  for _ in $(seq 1 60); do
    if grep -qa "Linux version" "$work/serial" 2>/dev/null; then answer=kvm; break; fi
    kill -0 "$qemu" 2>/dev/null || break
    sleep 0.25
  done
  kill "$qemu" 2>/dev/null || true
  wait "$qemu" 2>/dev/null || true
fi
rm -f "${kernel%.vmlinuz}".accel-*
echo "$answer" | tee "$cache"
