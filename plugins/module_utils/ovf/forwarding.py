# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovf_deploy's ``forward_ports`` and ``domain_type``: checked here, turned into libvirt terms.

``forward_ports`` adds one user-mode NIC (``module_utils/libvirt/domain.ForwardedNic``) whose
only way in is TCP ports forwarded from 127.0.0.1 on the libvirt host; the guest reaches
nothing through it. ``domain_type`` says how the guest runs: ``auto`` asks the KVM probe
(``module_utils/libvirt/kvm``), ``kvm`` and ``qemu`` are taken as given.
"""

from __future__ import annotations

import errno
import hashlib
import socket

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt.domain import ForwardedNic
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DeployError

DOMAIN_TYPES = ('auto', 'kvm', 'qemu')
HOST_ADDRESS = '127.0.0.1'


def _port(entry, index, key):
    value = entry.get(key) if isinstance(entry, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeployError('forward_ports[%d].%s must be an integer port number, got %r'
                          % (index, key, value), 'bad_forward_ports')
    if not 1 <= value <= 65535:
        raise DeployError('forward_ports[%d].%s must be between 1 and 65535, got %d'
                          % (index, key, value), 'bad_forward_ports')
    return value


def parse_forward_ports(value):
    """``[(host port, guest port)]`` from the option's list of ``{host_port, guest_port}``.

    Refused (``bad_forward_ports``): a port outside 1-65535 or not an integer, a host port
    given twice, unknown keys.
    """
    forwards, seen = [], set()
    for index, entry in enumerate(value or []):
        if not isinstance(entry, dict):
            raise DeployError('forward_ports[%d] must be a mapping with host_port and guest_port'
                              % index, 'bad_forward_ports')
        unknown = sorted(set(entry) - {'host_port', 'guest_port'})
        if unknown:
            raise DeployError('forward_ports[%d] has unknown keys: %s' % (index, ', '.join(unknown)),
                              'bad_forward_ports')
        host, guest = _port(entry, index, 'host_port'), _port(entry, index, 'guest_port')
        if host in seen:
            raise DeployError('forward_ports: host port %d is given twice' % host,
                              'bad_forward_ports')
        seen.add(host)
        forwards.append((host, guest))
    return forwards


def as_options(forwards):
    """The parsed ports as the option spells them (for the plan and the domain's record)."""
    return [{'host_port': host, 'guest_port': guest} for host, guest in forwards]


def mac_for(name):
    """A stable, locally administered MAC (QEMU's 52:54:00 prefix) for domain ``name``."""
    tail = hashlib.sha256(name.encode('utf-8')).digest()[:3]
    return '52:54:00:' + ':'.join('%02x' % b for b in tail)


def forwarded_nic(name, forwards):
    """The ForwardedNic of domain ``name`` (None without forwards)."""
    if not forwards:
        return None
    return ForwardedNic(mac_for(name), list(forwards), host_address=HOST_ADDRESS)


def check_free(forwards):
    """Refuse (``port_in_use``) when a host port is taken on 127.0.0.1: qemu could not start.

    Binding and closing a loopback socket sends nothing anywhere.
    """
    for host, _guest in forwards:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((HOST_ADDRESS, host))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise DeployError('host port %s:%d is already in use' % (HOST_ADDRESS, host),
                                  'port_in_use')
            # EACCES (a privileged port for this user): qemu runs as another user; let it try.
        finally:
            sock.close()


def check_domain_type(value):
    if value not in DOMAIN_TYPES:
        raise DeployError('domain_type must be one of %s, got %r' % (', '.join(DOMAIN_TYPES), value),
                          'bad_domain_type')
    return value
