"""Command-line options of the libvirt backend, for ``cimi-provider serve --backend libvirt``."""
from __future__ import annotations

import argparse

from .names import DEFAULT_PREFIX


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("libvirt backend")
    group.add_argument("--libvirt-uri", action="append", dest="libvirt_uris", metavar="URI",
                       help="libvirt connection URI; repeat for several hosts, machines go to the "
                            "least loaded one (default qemu:///system)")
    group.add_argument("--pool", dest="pool_path", metavar="PATH",
                       help="directory of the storage pool for images, disks and volumes "
                            "(created when missing)")
    group.add_argument("--libvirt-prefix", dest="libvirt_prefix", default=DEFAULT_PREFIX,
                       help="prefix of every libvirt object the provider creates (default cimi-)")
    group.add_argument("--libvirt-domain-type", dest="libvirt_domain_type", default="auto",
                       choices=("auto", "kvm", "qemu"),
                       help="auto: kvm when qemu can use /dev/kvm on the host, else qemu")
    group.add_argument("--libvirt-disk-mode", dest="libvirt_disk_mode", default="overlay",
                       choices=("overlay", "copy"),
                       help="machine disks as qcow2 overlays on the image or as full copies")
    group.add_argument("--libvirt-stop-timeout", dest="libvirt_stop_timeout", type=float,
                       default=30.0, metavar="SECONDS",
                       help="how long a stop waits for the guest to power off after ACPI "
                            "shutdown before failing (force=true destroys at once)")


def options_from_args(args: argparse.Namespace) -> dict:
    """Keyword arguments of ``LibvirtBackend`` from parsed arguments."""
    return {
        "libvirt_uris": getattr(args, "libvirt_uris", None) or ["qemu:///system"],
        "pool_path": getattr(args, "pool_path", None),
        "prefix": getattr(args, "libvirt_prefix", DEFAULT_PREFIX),
        "domain_type": getattr(args, "libvirt_domain_type", "auto"),
        "disk_mode": getattr(args, "libvirt_disk_mode", "overlay"),
        "stop_timeout": getattr(args, "libvirt_stop_timeout", 30.0),
    }
