# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt domain XML from a plain description, built with lxml (never by string formatting).

Used by ``ovf_deploy`` (OVF hardware) and the provider's libvirt backend (CIMI
machines). Disk formats are always explicit: qemu never probes a guest-writable
image.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

LXML_IMPORT_ERROR = None
try:
    from lxml import etree
except ImportError:  # pragma: no cover - reported by the caller
    etree = None
    LXML_IMPORT_ERROR = traceback.format_exc()


@dataclass
class Disk:
    path: str
    target: str  # vda, sdb, hdc, ...
    format: str = 'qcow2'
    device: str = 'disk'  # disk | cdrom (a cdrom is always read-only)
    readonly: bool = False
    bus: Optional[str] = None  # None: ide for a cdrom, else virtio

    def bus_name(self):
        return self.bus or ('ide' if self.device == 'cdrom' else 'virtio')


@dataclass
class Interface:
    network: str  # libvirt network name
    mac: Optional[str] = None  # None: libvirt generates one
    mtu: Optional[int] = None
    model: str = 'virtio'


@dataclass
class ForwardedNic:
    """A user-mode NIC (QEMU slirp, ``restrict=on``) whose only way in or out is TCP ports
    forwarded from the host's loopback: the guest reaches nothing, the host reaches the guest
    on ``host_address:host_port``.

    libvirt 9.0 (Debian bookworm) refuses ``<backend type='passt'/>`` (libvirt issue 462) and has
    no forwarding for its own user-mode interface, so the NIC is passed to qemu as arguments.
    It sits on PCI slot ``slot`` (libvirt fills slots from the lowest up and never reaches it).
    """

    mac: str
    forwards: List[Tuple[int, int]]  # (host port, guest port), TCP
    host_address: str = '127.0.0.1'
    slot: int = 0x1f
    id: str = 'cimifwd0'

    def qemu_args(self):
        rules = ''.join(',hostfwd=tcp:%s:%d-:%d' % (self.host_address, host, guest)
                        for host, guest in self.forwards)
        return ['-netdev', 'user,id=%s,restrict=on%s' % (self.id, rules),
                '-device', 'virtio-net-pci,netdev=%s,mac=%s,bus=pci.0,addr=0x%x'
                % (self.id, self.mac, self.slot)]


@dataclass
class Metadata:
    """One element of the caller's namespace in <metadata>: text, or (tag, text) children."""

    namespace: str
    prefix: str
    tag: str
    text: Optional[str] = None
    children: List[Tuple[str, str]] = field(default_factory=list)


@dataclass
class Domain:
    name: str
    type: str = 'qemu'  # kvm | qemu
    memory_kib: int = 512 << 10
    vcpus: int = 1
    disks: List[Disk] = field(default_factory=list)
    interfaces: List[Interface] = field(default_factory=list)
    uuid: Optional[str] = None
    description: Optional[str] = None
    metadata: Optional[Metadata] = None
    arch: str = 'x86_64'
    machine: Optional[str] = None  # e.g. q35; None: libvirt's default
    firmware: Optional[str] = None  # efi; None: BIOS
    cores_per_socket: Optional[int] = None
    serial_console: bool = False  # serial + console on a pty
    vnc: bool = False  # VNC graphics on 127.0.0.1 only
    memballoon: Optional[str] = None  # 'none' removes the balloon; None: libvirt's default
    forwarded_nic: Optional[ForwardedNic] = None


def _disk_element(disk):
    el = etree.Element('disk', type='file', device=disk.device)
    etree.SubElement(el, 'driver', name='qemu', type=disk.format)
    etree.SubElement(el, 'source', file=disk.path)
    etree.SubElement(el, 'target', dev=disk.target, bus=disk.bus_name())
    if disk.readonly or disk.device == 'cdrom':
        etree.SubElement(el, 'readonly')
    return el


def _interface_element(iface):
    el = etree.Element('interface', type='network')
    if iface.mac:
        etree.SubElement(el, 'mac', address=iface.mac)
    etree.SubElement(el, 'source', network=iface.network)
    etree.SubElement(el, 'model', type=iface.model)
    if iface.mtu:
        etree.SubElement(el, 'mtu', size=str(iface.mtu))
    return el


QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'


def _metadata(parent, meta):
    qname = '{%s}%s' % (meta.namespace, meta.tag)
    el = etree.SubElement(parent, qname, nsmap={meta.prefix: meta.namespace})
    el.text = meta.text
    for tag, text in meta.children:
        etree.SubElement(el, '{%s}%s' % (meta.namespace, tag)).text = text


def _text(el):
    return etree.tostring(el, encoding='unicode', pretty_print=True)


def disk_xml(disk):
    """The <disk> of ``disk`` (for attaching or detaching it)."""
    return _text(_disk_element(disk))


def domain_xml(dom):
    """The <domain> of ``dom`` as text."""
    sub = etree.SubElement
    nsmap = {'qemu': QEMU_NS} if dom.forwarded_nic is not None else None
    root = etree.Element('domain', type=dom.type, nsmap=nsmap)
    sub(root, 'name').text = dom.name
    if dom.uuid:
        sub(root, 'uuid').text = dom.uuid
    if dom.description:
        sub(root, 'description').text = dom.description
    if dom.metadata is not None:
        _metadata(sub(root, 'metadata'), dom.metadata)
    sub(root, 'memory', unit='KiB').text = str(dom.memory_kib)
    sub(root, 'currentMemory', unit='KiB').text = str(dom.memory_kib)
    sub(root, 'vcpu', placement='static').text = str(dom.vcpus)
    os_el = sub(root, 'os')
    if dom.firmware == 'efi':
        os_el.set('firmware', 'efi')
    os_type = sub(os_el, 'type', arch=dom.arch)
    if dom.machine:
        os_type.set('machine', dom.machine)
    os_type.text = 'hvm'
    sub(os_el, 'boot', dev='hd')
    # ACPI: needed for ACPI shutdown requests and for PCI hot-plug of volumes.
    features = sub(root, 'features')
    sub(features, 'acpi')
    sub(features, 'apic')
    cores = dom.cores_per_socket
    if cores and cores > 1 and dom.vcpus % cores == 0:
        sub(sub(root, 'cpu'), 'topology', sockets=str(dom.vcpus // cores), dies='1',
            cores=str(cores), threads='1')
    sub(root, 'on_poweroff').text = 'destroy'
    sub(root, 'on_reboot').text = 'restart'
    sub(root, 'on_crash').text = 'destroy'
    devices = sub(root, 'devices')
    if any(d.bus_name() == 'scsi' for d in dom.disks):
        sub(devices, 'controller', type='scsi', index='0', model='virtio-scsi')
    for disk in dom.disks:
        devices.append(_disk_element(disk))
    for iface in dom.interfaces:
        devices.append(_interface_element(iface))
    if dom.serial_console:
        sub(devices, 'serial', type='pty')
        sub(devices, 'console', type='pty')
    if dom.vnc:
        sub(devices, 'graphics', type='vnc', listen='127.0.0.1', autoport='yes')
    if dom.memballoon:
        sub(devices, 'memballoon', model=dom.memballoon)
    if dom.forwarded_nic is not None:
        commandline = sub(root, '{%s}commandline' % QEMU_NS)
        for arg in dom.forwarded_nic.qemu_args():
            sub(commandline, '{%s}arg' % QEMU_NS, value=arg)
    return _text(root)
