#!/usr/bin/env bash
# Checks the host binaries and services the make targets use, and names the Debian package of
# whatever is missing (bindep.txt and test-bindep.txt list them; `make setup` installs them). Exit 1 if anything
# a target needs is missing or broken. Read-only: it starts and changes nothing.
# --quiet (make setup's last step): print only what is missing, and notes.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
failed=0
quiet=${1:-}
ok() { [ "$quiet" = --quiet ] || printf '  ok       %s\n' "$*"; }
bad() { printf '  MISSING  %s\n' "$*"; failed=1; }
note() { printf '  note     %s\n' "$*"; }

[ "$quiet" = --quiet ] || echo "doctor: host checks"
# binary, package: what each target runs.
while read -r binary package; do
  if command -v "$binary" >/dev/null 2>&1 || [ -x "/usr/sbin/$binary" ]; then
    ok "$binary"
  else
    bad "$binary (apt-get install $package)"
  fi
done <<'LIST'
virsh libvirt-clients
libvirtd libvirt-daemon
virtlogd libvirt-daemon
qemu-system-x86_64 qemu-system-x86
qemu-img qemu-utils
dnsmasq dnsmasq-base
gcc gcc
pkg-config pkgconf
rsync rsync
shellcheck shellcheck
chromium chromium
unshare util-linux
nsenter util-linux
ip iproute2
LIST

if [ -x .venv/bin/python ]; then
  if out=$(.venv/bin/python -c 'import ansible, libvirt, lxml, pycdlib, requests, cimi_provider' 2>&1); then
    ok "Python packages in .venv (ansible-core, libvirt-python, lxml, pycdlib, requests, cimi-provider)"
  else
    bad "Python packages in .venv: ${out##*$'\n'} (make setup installs them)"
  fi
else
  bad ".venv (make setup creates it)"
fi

if [ ! -e /dev/kvm ]; then
  note "/dev/kvm absent: guests run under qemu emulation (slower, still correct)"
elif [ "$(stat -c '%G %a' /dev/kvm)" = "kvm 660" ]; then
  ok "/dev/kvm is root:kvm 0660"
else
  bad "/dev/kvm is $(stat -c '%U:%G %a' /dev/kvm): libvirtd re-probes qemu on every call (make libvirt sets root:kvm 0660, as udev does)"
fi

# The first call after libvirtd starts probes qemu once (seconds); a daemon that re-probes on
# every call (root-only /dev/kvm) is slow twice in a row.
virsh_ms() {
  local start
  start=$(date +%s%N)
  timeout 30 virsh -q -c qemu:///system version >/dev/null 2>&1 || return 1
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}
if pgrep -x libvirtd >/dev/null; then
  if ms=$(virsh_ms); then
    [ "$ms" -lt 2000 ] || ms=$(virsh_ms) || ms=30000
    if [ "$ms" -lt 2000 ]; then ok "libvirtd answers on qemu:///system (${ms} ms)"
    else bad "libvirtd answers slowly on qemu:///system (${ms} ms; check /dev/kvm above)"; fi
  else
    bad "libvirtd runs but qemu:///system does not answer"
  fi
else
  note "libvirtd is not running (make libvirt, and every target that needs it, starts it)"
fi

# The second libvirt host of the multi-host tests and benchmark (tools/libvirtd_second.sh):
# the tests start and stop it themselves, so "not started" is only a note.
if out=$(tools/libvirtd_second.sh status 2>&1); then ok "$out"
elif [ $? -eq 3 ]; then note "$out (the multi-host tests and make bench start it)"
else bad "$out (tools/libvirtd_second.sh stop; tools/libvirtd_second.sh start)"; fi

if [ "$failed" -ne 0 ]; then
  echo "doctor: something is missing; see MISSING above"
  exit 1
fi
[ "$quiet" = --quiet ] || echo "doctor: all good"
