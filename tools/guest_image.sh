#!/usr/bin/env bash
# The tests' guest: a small bootable Debian bookworm disk (qcow2) built from the Debian archive.
#
#   tools/guest_image.sh build   build it unless the cache holds one of this recipe; print its path
#   tools/guest_image.sh path    print where it is (or would be); exit 1 when it is not built
#   tools/guest_image.sh kernel  the same for its kernel, kept beside it
#
# It is built once and cached outside the work tree, keyed by a hash of this file: editing the
# recipe makes a new image, anything else reuses it. It holds linux-image-cloud-amd64, systemd,
# openssh-server, cloud-init (NoCloud and OVF data sources only, so no boot ever probes a
# metadata address off loopback), python3 for Ansible, and qemu-guest-agent; the first NIC takes
# DHCP (libvirt's passt or a libvirt network answers it). cloud-init's default user is `debian`.
#
# Nothing here mounts a file system: the root is an ext4 image written by `mke2fs -d`, and the
# boot partition is FAT, filled with mtools and made bootable by syslinux, behind syslinux's MBR.
# The kernel and initrd are copied to that FAT partition once, so a kernel upgrade inside a guest
# does not change what boots; these are throwaway test guests.
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=bookworm
MIRROR=${GUEST_IMAGE_MIRROR:-http://deb.debian.org/debian}
CACHE=${CLOUDMGMT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cloudmgmt-dmtf}/guest-image
RECIPE=$(sha256sum "$0" | cut -c1-12)
IMAGE=$CACHE/debian-$SUITE-$RECIPE.qcow2
KERNEL=${IMAGE%.qcow2}.vmlinuz  # the image's kernel alone, for tools/guest_accel.sh
PACKAGES=linux-image-cloud-amd64,systemd-sysv,udev,openssh-server,cloud-init,python3,qemu-guest-agent,netbase,iproute2,sudo,dbus
BOOT_MIB=96
ROOT_MIB=2048
SECTOR=512
BOOT_START=2048  # sectors: 1 MiB, the usual alignment

say() { printf '\033[1;34m[guest-image]\033[0m %s\n' "$*" >&2; }

configure_root() {  # $1: the root directory mmdebstrap filled
  local root=$1
  echo 'LABEL=root / ext4 defaults,errors=remount-ro 0 1' > "$root/etc/fstab"
  echo debian > "$root/etc/hostname"
  : > "$root/etc/machine-id"  # each guest makes its own at first boot
  cat > "$root/etc/cloud/cloud.cfg.d/90-cloudmgmt.cfg" <<'EOF'
# Only local seeds: a NoCloud ISO (label cidata) or an OVF environment ISO. No network probing.
datasource_list: [NoCloud, OVF, None]
# systemd-networkd below configures the NIC; cloud-init must not write a second configuration.
network: {config: disabled}
# Under software emulation (see docs/performance.md) each of these costs tens of seconds at boot.
ssh_genkeytypes: [ed25519]
resize_rootfs: false
growpart: {mode: "off"}
EOF
  cat > "$root/etc/systemd/network/50-dhcp.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=ipv4
EOF
  # A NIC on a network with no DHCP must not hold the boot (cloud-init waits for "online").
  mkdir -p "$root/etc/systemd/system/systemd-networkd-wait-online.service.d"
  cat > "$root/etc/systemd/system/systemd-networkd-wait-online.service.d/any.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=15
EOF
  chroot "$root" systemctl enable systemd-networkd.service >/dev/null 2>&1
  chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
    >/dev/null 2>&1
  rm -f "$root"/etc/ssh/ssh_host_*  # cloud-init makes unique host keys at first boot
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
}

boot_partition() {  # $1: root directory, $2: the FAT image to write
  local root=$1 fat=$2
  mkfs.vfat -n BOOT -h "$BOOT_START" -C "$fat" $((BOOT_MIB * 1024)) >/dev/null
  MTOOLS_SKIP_CHECK=1 mcopy -i "$fat" "$(readlink -f "$root/vmlinuz")" ::/vmlinuz
  MTOOLS_SKIP_CHECK=1 mcopy -i "$fat" "$(readlink -f "$root/initrd.img")" ::/initrd.img
  cat > "$WORK/syslinux.cfg" <<'EOF'
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND root=LABEL=root ro console=ttyS0,115200 quiet
EOF
  MTOOLS_SKIP_CHECK=1 mcopy -i "$fat" "$WORK/syslinux.cfg" ::/syslinux.cfg
  syslinux --install "$fat"
}

assemble_disk() {  # $1: FAT image, $2: ext4 image, $3: the raw disk to write
  local fat=$1 ext=$2 disk=$3
  local boot_sectors=$((BOOT_MIB * 1024 * 1024 / SECTOR))
  local root_start=$((BOOT_START + boot_sectors))
  truncate -s $(((root_start * SECTOR) + ROOT_MIB * 1024 * 1024)) "$disk"
  sfdisk -q "$disk" <<EOF
label: dos
start=$BOOT_START, size=$boot_sectors, type=c, bootable
start=$root_start, type=83
EOF
  dd if=/usr/lib/syslinux/mbr/mbr.bin of="$disk" bs=440 count=1 conv=notrunc status=none
  dd if="$fat" of="$disk" bs=$SECTOR seek=$BOOT_START conv=notrunc,sparse status=none
  dd if="$ext" of="$disk" bs=$SECTOR seek=$root_start conv=notrunc,sparse status=none
}

build() {
  say "building $IMAGE from $MIRROR (a few minutes, once per recipe)"
  mkdir -p "$CACHE"
  WORK=$(mktemp -d "$CACHE/build.XXXXXX")
  # --one-file-system: never follow a mount mmdebstrap might leave behind if it is killed.
  trap 'rm -rf --one-file-system "$WORK"' EXIT
  mmdebstrap --quiet --mode=unshare --variant=apt --include="$PACKAGES" \
    "$SUITE" "$WORK/root" "deb $MIRROR $SUITE main" >&2
  configure_root "$WORK/root"
  mke2fs -q -t ext4 -L root -d "$WORK/root" "$WORK/root.ext4" "${ROOT_MIB}M"
  boot_partition "$WORK/root" "$WORK/boot.fat"
  assemble_disk "$WORK/boot.fat" "$WORK/root.ext4" "$WORK/disk.raw"
  qemu-img convert -q -c -f raw -O qcow2 "$WORK/disk.raw" "$WORK/disk.qcow2"
  cp "$(readlink -f "$WORK/root/vmlinuz")" "$KERNEL"
  mv "$WORK/disk.qcow2" "$IMAGE"
  # Older recipes' images are dead weight once this one exists.
  find "$CACHE" -maxdepth 1 -name "debian-$SUITE-*" ! -name "$(basename "${IMAGE%.qcow2}").*" \
    -delete
  say "built $(du -h "$IMAGE" | cut -f1) at $IMAGE"
}

case ${1:-} in
  path) echo "$IMAGE"; [ -f "$IMAGE" ] ;;
  kernel) echo "$KERNEL"; [ -f "$KERNEL" ] ;;
  build)
    if [ ! -f "$IMAGE" ] || [ ! -f "$KERNEL" ]; then build; fi
    echo "$IMAGE" ;;
  *) echo "usage: $0 build|path|kernel" >&2; exit 2 ;;
esac
