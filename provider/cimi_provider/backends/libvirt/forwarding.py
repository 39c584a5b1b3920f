"""Guests reached through loopback only: each machine's SSH forwarded from a port of 127.0.0.1.

For hosts without a routable guest network (and for tests, which may send nothing beyond
loopback), every machine gets one more NIC, first in its CIMI interfaces: user-mode networking
with ``restrict=on`` (the guest reaches nothing; see ``ForwardedNic``) and guest port 22 forwarded
from ``127.0.0.1:PORT``. PORT comes from the operator's range; it lives in the domain definition
itself, so it survives a provider restart, and is free again once the domain is undefined.
"""
from __future__ import annotations

import contextlib
import random
import socket
import threading

import libvirt

from .host import HostError
from .xmldefs import ForwardedNic, parse_domain

ADDRESS = "127.0.0.1"
SSH_PORT = 22


def parse_range(text: str) -> range:
    """``"42200-42299"`` -> range(42200, 42300); refuses ports below 1024 and empty ranges."""
    try:
        low, _, high = str(text).partition("-")
        first, last = int(low), int(high or low)
    except ValueError:
        raise ValueError(f"invalid port range {text!r}: use FIRST-LAST, e.g. 42200-42299") from None
    if not 1024 <= first <= last <= 65535:
        raise ValueError(f"invalid port range {text!r}: ports 1024-65535, first <= last")
    return range(first, last + 1)


def _free_now(port: int) -> bool:
    """Whether nothing listens on ADDRESS:port at this moment (another program may own it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((ADDRESS, port))
        except OSError:
            return False
    return True


def random_mac() -> str:
    return "52:54:00:%02x:%02x:%02x" % tuple(random.randrange(256) for _ in range(3))


class Forwarder:
    """Allocates forwarded ports without collisions: not in any of this provider's domain
    definitions (running or not), not reserved by a create in flight, not bound right now."""

    def __init__(self, ports: range):
        self.ports = ports
        self.lock = threading.Lock()
        self.reserved: set = set()

    @staticmethod
    def used_by(hosts) -> set:
        used = set()
        for host in hosts:
            for dom in host.conn.listAllDomains(0):
                if not host.names.owns(dom.name()):
                    continue
                try:
                    nic = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)).forwarded_nic
                except libvirt.libvirtError:
                    continue  # removed meanwhile
                if nic is not None:
                    used.update(port for port, _ in nic.forwards)
        return used

    @contextlib.contextmanager
    def nic(self, hosts):
        """A new ``ForwardedNic`` whose port stays reserved until the block ends (by then the
        domain is defined and holds it, or creation failed and it is free again)."""
        with self.lock:
            taken = self.used_by(hosts) | self.reserved
            port = next((p for p in self.ports if p not in taken and _free_now(p)), None)
            if port is None:
                raise HostError(f"no free forwarded port left in {self.ports.start}-"
                                f"{self.ports.stop - 1} on {ADDRESS}")
            self.reserved.add(port)
        try:
            yield ForwardedNic(random_mac(), [(port, SSH_PORT)], host_address=ADDRESS)
        finally:
            with self.lock:
                self.reserved.discard(port)
