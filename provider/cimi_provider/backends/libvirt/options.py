"""Command-line options of the libvirt backend, for ``cimi-provider serve --backend libvirt``."""
from __future__ import annotations

import argparse
import os

from .names import DEFAULT_PREFIX


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("libvirt backend")
    group.add_argument("--libvirt-uri", action="append", dest="libvirt_uris",
                       metavar="[LABEL=]URI",
                       help="libvirt connection URI, optionally labelled (the machines' host "
                            "attribute); repeat for several hosts, machines go to the least "
                            "loaded one (default qemu:///system)")
    group.add_argument("--libvirt-migration-uri", action="append", dest="libvirt_migration_uris",
                       metavar="LABEL=URI",
                       help="how the other hosts' daemons reach host LABEL for a peer-to-peer "
                            "migrate (default: its --libvirt-uri); repeat per host")
    group.add_argument("--pool", dest="pool_path", metavar="PATH",
                       help="directory of the storage pool for images, disks and volumes "
                            "(created when missing)")
    group.add_argument("--libvirt-prefix", dest="libvirt_prefix",
                       help="prefix of every libvirt object the provider creates (default cimi-)")
    group.add_argument("--libvirt-domain-type", dest="libvirt_domain_type",
                       choices=("auto", "kvm", "qemu"),
                       help="auto: kvm when qemu can use /dev/kvm on the host, else qemu")
    group.add_argument("--libvirt-disk-mode", dest="libvirt_disk_mode",
                       choices=("overlay", "copy"),
                       help="machine disks as qcow2 overlays on the image or as full copies")
    group.add_argument("--libvirt-stop-timeout", dest="libvirt_stop_timeout", type=float,
                       metavar="SECONDS",
                       help="how long a stop waits for the guest to power off after ACPI "
                            "shutdown before failing (force=true destroys at once)")
    group.add_argument("--libvirt-health-interval", dest="libvirt_health_interval", type=float,
                       metavar="SECONDS",
                       help="how often each libvirt host is checked; an unreachable host's "
                            "machines turn ERROR (default 5; a broken connection is seen at once)")
    group.add_argument("--libvirt-forward-ports", dest="libvirt_forward_ports",
                       metavar="FIRST-LAST",
                       help="give every machine a user-mode NIC (no way out) with its SSH "
                            "forwarded from 127.0.0.1:PORT, PORT from this range; the machine "
                            "reports 127.0.0.1 and PORT as its first interface's endpoint")


def options_from_args(args: argparse.Namespace) -> dict:
    """Keyword arguments of ``LibvirtBackend`` from parsed arguments."""
    uris = getattr(args, "libvirt_uris", None)
    return {
        "libvirt_uris": [uris] if isinstance(uris, str) else uris,
        "migration_uris": getattr(args, "libvirt_migration_uris", None),
        "pool_path": getattr(args, "pool_path", None),
        "prefix": getattr(args, "libvirt_prefix", None),
        "domain_type": getattr(args, "libvirt_domain_type", None),
        "disk_mode": getattr(args, "libvirt_disk_mode", None),
        "stop_timeout": getattr(args, "libvirt_stop_timeout", None),
        "health_interval": getattr(args, "libvirt_health_interval", None),
        "forward_ports": getattr(args, "libvirt_forward_ports", None),
    }


def env_defaults() -> dict:
    """Defaults from the environment (``CIMI_LIBVIRT_*``), for launchers that pass no flags."""
    env = os.environ
    uris = [u for u in env.get("CIMI_LIBVIRT_URIS", "").split(",") if u.strip()]
    try:
        stop_timeout = float(env.get("CIMI_LIBVIRT_STOP_TIMEOUT", "30"))
    except ValueError:
        stop_timeout = 30.0
    try:
        health_interval = float(env.get("CIMI_LIBVIRT_HEALTH_INTERVAL", "5"))
    except ValueError:
        health_interval = 5.0
    return {
        "libvirt_uris": uris or ["qemu:///system"],
        "pool_path": env.get("CIMI_LIBVIRT_POOL") or None,
        "prefix": env.get("CIMI_LIBVIRT_PREFIX") or DEFAULT_PREFIX,
        "domain_type": env.get("CIMI_LIBVIRT_DOMAIN_TYPE") or "auto",
        "disk_mode": env.get("CIMI_LIBVIRT_DISK_MODE") or "overlay",
        "stop_timeout": stop_timeout,
        "health_interval": health_interval,
        "forward_ports": env.get("CIMI_LIBVIRT_FORWARD_PORTS") or None,
    }
