# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt domain XML from the selected OVF hardware, built with lxml (never by string formatting)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

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


class DomainSpec(object):
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


def build(spec):
    etree = xmlsafe.etree
    sub = etree.SubElement
    dom = etree.Element('domain', type=spec.domain_type)
    sub(dom, 'name').text = spec.name
    if spec.uuid:
        sub(dom, 'uuid').text = spec.uuid
    if spec.description:
        sub(dom, 'description').text = spec.description
    meta = sub(dom, 'metadata')
    record = sub(meta, '{%s}deployment' % META_NS, nsmap={'ovf': META_NS})
    record.text = json.dumps(spec.metadata, sort_keys=True)
    memory_kib = max(1, spec.memory_bytes // 1024)
    sub(dom, 'memory', unit='KiB').text = str(memory_kib)
    sub(dom, 'currentMemory', unit='KiB').text = str(memory_kib)
    sub(dom, 'vcpu', placement='static').text = str(spec.vcpus)
    os_el = sub(dom, 'os')
    if spec.firmware == 'efi':
        os_el.set('firmware', 'efi')
    sub(os_el, 'type', arch='x86_64').text = 'hvm'
    sub(os_el, 'boot', dev='hd')
    features = sub(dom, 'features')
    sub(features, 'acpi')
    sub(features, 'apic')
    cores = spec.cores_per_socket
    if cores and cores > 1 and spec.vcpus % cores == 0:
        cpu = sub(dom, 'cpu')
        sub(cpu, 'topology', sockets=str(spec.vcpus // cores), dies='1', cores=str(cores),
            threads='1')
    sub(dom, 'on_poweroff').text = 'destroy'
    sub(dom, 'on_reboot').text = 'restart'
    sub(dom, 'on_crash').text = 'destroy'
    devices = sub(dom, 'devices')
    counters = {}
    if any(d['bus'] == 'scsi' for d in spec.disks):
        sub(devices, 'controller', type='scsi', index='0', model='virtio-scsi')
    for disk in spec.disks:
        el = sub(devices, 'disk', type='file', device='disk')
        sub(el, 'driver', name='qemu', type=disk['format'])
        sub(el, 'source', file=disk['path'])
        sub(el, 'target', dev=_target(counters, disk['bus']), bus=disk['bus'])
    for path in spec.cdroms:
        el = sub(devices, 'disk', type='file', device='cdrom')
        sub(el, 'driver', name='qemu', type='raw')
        sub(el, 'source', file=path)
        sub(el, 'target', dev=_target(counters, 'sata'), bus='sata')
        sub(el, 'readonly')
    for nic in spec.nics:
        el = sub(devices, 'interface', type='network')
        if nic.get('mac'):
            sub(el, 'mac', address=nic['mac'])
        sub(el, 'source', network=nic['network'])
        sub(el, 'model', type=nic['model'])
    sub(devices, 'serial', type='pty')
    sub(devices, 'console', type='pty')
    sub(devices, 'graphics', type='vnc', listen='127.0.0.1', autoport='yes')
    return etree.tostring(dom, encoding='unicode', pretty_print=True)


def read_metadata(xml_text):
    """The deployment record from a domain's XML, or None when ovf_deploy did not make it."""
    root = xmlsafe.parse(xml_text.encode('utf-8'), 'the domain XML')
    for el in root.iter('{%s}deployment' % META_NS):
        try:
            return json.loads(el.text or '{}')
        except ValueError:
            raise DeployError('the domain metadata of ovf_deploy is unreadable', 'bad_metadata')
    return None


def kvm_usable(qemu_user='libvirt-qemu'):
    """True when qemu, running as ``qemu_user``, can open /dev/kvm and create a VM."""
    if not os.path.exists('/dev/kvm'):
        return False
    try:
        import pwd
        account = pwd.getpwnam(qemu_user)
    except (ImportError, KeyError):
        account = None
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 1
        try:
            import fcntl
            if account is not None:
                os.setgroups(os.getgrouplist(qemu_user, account.pw_gid))
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)
            fd = os.open('/dev/kvm', os.O_RDWR)
            fcntl.ioctl(fd, 0xAE01, 0)  # KVM_CREATE_VM
            code = 0
        except Exception:
            code = 1
        os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
