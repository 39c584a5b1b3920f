#!/usr/bin/env bash
# A second, independent libvirt host on this machine, for the multi-host tests and benchmark.
#
# There is no init system, and one system-mode libvirtd owns /run/libvirt, /var/lib/libvirt and
# /etc/libvirt. The second daemon runs in private mount and network namespaces: its own copies of
# those directories are bound over the usual paths, /var/tmp is private too (so a storage pool
# path under /var/tmp names different files on each host, as it would on two machines), and its
# networks and bridges cannot collide with the first daemon's. Its socket directory is an
# ordinary directory outside, so the provider reaches it as
#   qemu+unix:///system?socket=$LIBVIRT2_DIR/run/libvirt-sock
# A holder process keeps the namespaces alive while libvirtd is killed and restarted (the
# host-failure tests), and lets `stop` find every process of this host (qemu included) and no
# other.
#
# Usage: tools/libvirtd_second.sh start|stop|status|uri|kill-daemon|start-daemon
#   LIBVIRT2_DIR  state directory (default: <checkout>/.cache/libvirtd2)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${LIBVIRT2_DIR:-$repo/.cache/libvirtd2}
sock=$dir/run/libvirt-sock
uri="qemu+unix:///system?socket=$sock"
holder_pid_file=$dir/holder.pid
daemon_pid_file=$dir/libvirtd.pid   # as the namespace sees it: the same path inside and out

holder() { local pid; pid=$(cat "$holder_pid_file" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -e "/proc/$pid/ns/mnt" ] && echo "$pid"; }
daemon_pid() { local pid; pid=$(cat "$daemon_pid_file" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = libvirtd ] && echo "$pid"; }
in_ns() { nsenter --target "$(holder)" --mount --net -- "$@"; }
answers() { timeout 10 virsh -q -c "$uri" version >/dev/null 2>&1; }

wait_answer() {
  for _ in $(seq 1 150); do answers && return 0; sleep 0.2; done
  echo "second libvirtd did not answer on $uri within 30 s (log: $dir/log/libvirtd.log)" >&2
  return 1
}

prepare() {
  mkdir -p "$dir"/{run,lib/qemu,lib/images,log/qemu,cache/qemu,vartmp}
  chmod 1777 "$dir/vartmp"
  chown libvirt-qemu:libvirt-qemu "$dir/lib/qemu" 2>/dev/null || true
  chmod 0751 "$dir/lib/qemu"
  if [ ! -d "$dir/etc" ]; then
    cp -a /etc/libvirt "$dir/etc"
    # No domains or networks of the first host; no default network autostarting here.
    rm -f "$dir"/etc/qemu/*.xml "$dir"/etc/qemu/networks/*.xml "$dir"/etc/qemu/networks/autostart/*
    rm -f "$dir"/etc/qemu/autostart/* "$dir"/etc/storage/*.xml "$dir"/etc/storage/autostart/* 2>/dev/null || true
    # Its own host UUID: libvirt tells hosts apart by it (migration refuses "the same host").
    printf 'host_uuid = "%s"\n' "$(cat /proc/sys/kernel/random/uuid)" >>"$dir/etc/libvirtd.conf"
  fi
}

start_daemon() {
  daemon_pid >/dev/null && { wait_answer; return; }
  rm -f "$sock" "$dir/run/libvirt-sock-ro" "$dir/run/libvirt-admin-sock"
  in_ns libvirtd -d --pid-file "$daemon_pid_file" --config /etc/libvirt/libvirtd.conf
  wait_answer
}

start() {
  if holder >/dev/null; then start_daemon; echo "$uri"; return; fi
  command -v unshare nsenter >/dev/null || { echo "unshare/nsenter missing (util-linux)" >&2; exit 1; }
  "$repo/tools/kvm_permissions.sh"
  prepare
  # The holder: new mount + network namespaces, private mounts bound, then it just waits.
  # shellcheck disable=SC2016  # the script's variables expand in the inner shell
  setsid unshare --mount --net --propagation private -- bash -c '
    set -e; d=$1
    mount --bind "$d/etc" /etc/libvirt
    mount --bind "$d/run" /run/libvirt
    mount --bind "$d/lib" /var/lib/libvirt
    mount --bind "$d/log" /var/log/libvirt
    mount --bind "$d/cache" /var/cache/libvirt
    mount --bind "$d/vartmp" /var/tmp
    ip link set lo up
    exec sleep infinity' holder "$dir" </dev/null >"$dir/holder.log" 2>&1 &
  echo $! >"$holder_pid_file"
  for _ in $(seq 1 50); do
    # Ready once the holder sees its own /run/libvirt (the bind mounts are done).
    [ "$(in_ns stat -c %i /run/libvirt 2>/dev/null)" = "$(stat -c %i "$dir/run")" ] && break
    sleep 0.1
  done
  in_ns virtlogd -d --pid-file "$dir/virtlogd.pid"
  start_daemon
  echo "$uri"
}

# Every process in this host's mount namespace (the holder, virtlogd, libvirtd, qemu, dnsmasq).
ns_pids() {
  local ns pid
  ns=$(readlink "/proc/$(holder)/ns/mnt") || return 0
  for pid in /proc/[0-9]*; do
    [ "$(readlink "$pid/ns/mnt" 2>/dev/null)" = "$ns" ] && echo "${pid#/proc/}"
  done
  return 0
}

stop() {
  holder >/dev/null || { echo "second libvirtd not running"; return 0; }
  local pids
  pids=$(ns_pids)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086  # a list of pids
    kill -9 $pids 2>/dev/null || true
  fi
  rm -f "$holder_pid_file" "$daemon_pid_file" "$dir/virtlogd.pid" "$sock"
  # Guests' disks live in the private /var/tmp: gone with the host, as its domains are.
  rm -rf "${dir:?}/vartmp" "${dir:?}/lib/qemu" "${dir:?}/run" "${dir:?}/etc"
  echo "second libvirtd stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  uri) echo "$uri" ;;
  # A host failure: the daemon dies, its guests keep running (as they do when libvirtd crashes).
  kill-daemon) pid=$(daemon_pid) && kill -9 "$pid" && echo "killed libvirtd $pid" ;;
  start-daemon) holder >/dev/null || { echo "not started" >&2; exit 1; }; start_daemon ;;
  status)
    if ! holder >/dev/null; then echo "second libvirtd: not started"; exit 3; fi
    if answers; then echo "second libvirtd: answers on $uri"
    else echo "second libvirtd: namespace up, daemon not answering on $uri"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|uri|kill-daemon|start-daemon" >&2; exit 2 ;;
esac
