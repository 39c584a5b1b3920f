# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt domain XML from the selected OVF hardware: OVF devices mapped to libvirt ones."""

from __future__ import annotations

import json

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import domain
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DeployError

META_NS = 'https://github.com/cloudmgmt/dmtf/ovf_deploy/1'
NIC_MODELS = {'virtio': 'virtio', 'e1000': 'e1000', 'e1000e': 'e1000e', 'vmxnet3': 'vmxnet3',
              'pcnet32': 'pcnet', 'pcnet': 'pcnet', 'rtl8139': 'rtl8139'}
# Models a stock qemu is sure to have; VMware-only ones fall back to virtio.
PORTABLE_NIC_MODELS = ('virtio', 'e1000', 'e1000e', 'rtl8139')
TARGET_PREFIX = {'virtio': 'vd', 'scsi': 'sd', 'sata': 'sd', 'ide': 'hd'}


def nic_model(sub_types, override=None):
    """(libvirt model, fell_back) from a ResourceSubType list such as ``VMXNET3 virtio``."""
    if override:
        return override, False
    for sub in sub_types:
        model = NIC_MODELS.get(sub.lower())
        if model in PORTABLE_NIC_MODELS:
            return model, False
    return 'virtio', bool(sub_types)


def disk_bus(controller, override=None):
    """libvirt bus for a disk whose parent controller Item is ``controller``."""
    if override:
        return override
    if controller is None:
        return 'virtio'
    rtype = controller.resource_type
    subs = [s.lower() for s in controller.sub_types]
    if rtype == 5:
        return 'ide'
    if rtype == 6:
        return 'virtio' if subs[:1] == ['virtio'] else 'scsi'
    if rtype == 20:
        return 'sata'
    return 'virtio'


def _target(counters, bus):
    prefix = TARGET_PREFIX[bus]
    index = counters.get(prefix, 0)
    counters[prefix] = index + 1
    letters = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord('a') + rest) + letters
    return prefix + letters


class DomainSpec:
    """Everything the XML needs; filled by the deployer."""

    def __init__(self, name):
        self.name = name
        self.uuid = None
        self.domain_type = 'qemu'
        self.memory_bytes = 512 << 20
        self.vcpus = 1
        self.cores_per_socket = None
        self.firmware = 'bios'
        self.disks = []    # dicts: path, format, bus
        self.cdroms = []   # paths (raw ISO images)
        self.nics = []     # dicts: network, model, mac
        self.metadata = {}
        self.description = None
        self.forwarded_nic = None  # a libvirt.domain.ForwardedNic, or None


def build(spec):
    """The domain XML of ``spec`` (through the shared builder, ``module_utils/libvirt/domain``)."""
    counters = {}
    disks = [domain.Disk(d['path'], _target(counters, d['bus']), d['format'], bus=d['bus'])
             for d in spec.disks]
    # The environment ISO (and any OVF cdrom) on IDE: every x86 guest kernel drives it (ata_piix),
    # where AHCI is missing from slim ones (Debian's cloud kernel); the guest sees /dev/sr0, the
    # device cloud-init's OVF data source and ds-identify look at.
    disks += [domain.Disk(path, _target(counters, 'ide'), 'raw', 'cdrom', bus='ide')
              for path in spec.cdroms]
    return domain.domain_xml(domain.Domain(
        spec.name, type=spec.domain_type, memory_kib=max(1, spec.memory_bytes // 1024),
        vcpus=spec.vcpus, disks=disks,
        interfaces=[domain.Interface(n['network'], mac=n.get('mac'), model=n['model'])
                    for n in spec.nics],
        uuid=spec.uuid, description=spec.description,
        metadata=domain.Metadata(META_NS, 'ovf', 'deployment',
                                 json.dumps(spec.metadata, sort_keys=True)),
        firmware=spec.firmware, cores_per_socket=spec.cores_per_socket, serial_console=True,
        vnc=True, forwarded_nic=spec.forwarded_nic))


def read_metadata(xml_text):
    """The deployment record from a domain's XML, or None when ovf_deploy did not make it."""
    root = xmlsafe.parse(xml_text.encode('utf-8'), 'the domain XML')
    for el in root.iter('{%s}deployment' % META_NS):
        try:
            return json.loads(el.text or '{}')
        except ValueError:
            raise DeployError('the domain metadata of ovf_deploy is unreadable', 'bad_metadata')
    return None
