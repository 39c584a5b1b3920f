# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The KVM probe: can qemu on a libvirt host really run a KVM guest? Asked once per host.

``/dev/kvm`` existing proves little (permissions, a nested host without VMX,
qemu's sandbox): the probe asks libvirt for KVM capabilities, then starts a
tiny paused KVM domain with no disks and destroys it at once.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt.domain import Domain, domain_xml

try:
    import libvirt
except ImportError:  # pragma: no cover - the callers report missing bindings
    libvirt = None

_DOMAIN_TYPES = {}  # connection URI -> 'kvm' | 'qemu'


def _kvm_runs(conn, probe_name):
    try:
        conn.getDomainCapabilities(None, 'x86_64', None, 'kvm', 0)
    except libvirt.libvirtError:
        return False
    probe = Domain(probe_name, type='kvm', memory_kib=16384, memballoon='none')
    try:
        dom = conn.createXML(domain_xml(probe), libvirt.VIR_DOMAIN_START_PAUSED)
    except libvirt.libvirtError:
        return False
    try:
        dom.destroy()
    except libvirt.libvirtError:
        pass  # a transient domain that is already gone
    return True


def domain_type(conn, probe_name):
    """``'kvm'`` when KVM works on ``conn``'s host, else ``'qemu'``; probed once per URI.

    ``probe_name``: the name of the transient probe domain (one of the caller's own names).
    """
    uri = conn.getURI()
    if uri not in _DOMAIN_TYPES:
        _DOMAIN_TYPES[uri] = 'kvm' if _kvm_runs(conn, probe_name) else 'qemu'
    return _DOMAIN_TYPES[uri]


def forget():
    """Drop the remembered answers (a host whose KVM changed; tests)."""
    _DOMAIN_TYPES.clear()
