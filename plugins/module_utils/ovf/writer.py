# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write an OVF 2.0 package (DSP0243 2.1, descriptor valid under DSP8023 2.0.1) and its OVA.

The descriptor is built from plain values (never from anyone's XML): one VirtualSystem, or a
VirtualSystemCollection with a StartupSection when there are several. Each system has its
ProductSection, an OperatingSystemSection and a VirtualHardwareSection with CPU, memory, a
disk controller, its disks (``ovf:/disk/<id>``) and NICs (``Connection``). Disks are
streamOptimized VMDK files. The OVA is a USTAR archive: descriptor, manifest (SHA256), then
the files in References order, then extra files (a SWID tag).
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.xmlsafe import etree

OVF = 'http://schemas.dmtf.org/ovf/envelope/2'
RASD = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData'
VSSD = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData'
CIM = 'http://schemas.dmtf.org/wbem/wscim/1/common'
VMDK_STREAM = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized'
OS_OTHER_64 = '102'  # CIM_OperatingSystem OsType "Other 64-Bit"
PRODUCT_TAGS = (('product', 'Product'), ('vendor', 'Vendor'), ('version', 'Version'),
                ('full_version', 'FullVersion'), ('product_url', 'ProductUrl'),
                ('vendor_url', 'VendorUrl'))
BLOCK = 1024 * 1024


def _q(tag, ns=OVF):
    return '{%s}%s' % (ns, tag)


def _info(parent, text):
    etree.SubElement(parent, _q('Info')).text = text


def _item(hardware, fields):
    """An ``Item`` whose rasd elements follow the CIM schema's (alphabetical) order."""
    item = etree.SubElement(hardware, _q('Item'))
    for tag in sorted(fields):
        values = fields[tag] if isinstance(fields[tag], list) else [fields[tag]]
        for value in values:
            etree.SubElement(item, _q(tag, RASD)).text = str(value)
    return item


def _product(parent, product, properties=(), klass=None):
    section = etree.SubElement(parent, _q('ProductSection'))
    if klass:
        section.set(_q('class'), klass)
    _info(section, 'the product of this appliance')
    for key, tag in PRODUCT_TAGS:
        if product.get(key):
            etree.SubElement(section, _q(tag)).text = product[key]
    for key, value in properties:
        prop = etree.SubElement(section, _q('Property'))
        prop.set(_q('key'), key)
        prop.set(_q('type'), 'string')
        prop.set(_q('userConfigurable'), 'true')
        prop.set(_q('value'), value)
    return section


def _system(parent, system, disks_by_id):
    vs = etree.SubElement(parent, _q('VirtualSystem'))
    vs.set(_q('id'), system['id'])
    _info(vs, 'the virtual machine %s' % system['name'])
    etree.SubElement(vs, _q('Name')).text = system['name']
    if system.get('product') or system.get('properties'):
        _product(vs, system.get('product') or {}, system.get('properties') or ())
    os_section = etree.SubElement(vs, _q('OperatingSystemSection'))
    os_section.set(_q('id'), OS_OTHER_64)
    _info(os_section, 'the guest operating system')
    hardware = etree.SubElement(vs, _q('VirtualHardwareSection'))
    hardware.set(_q('transport'), 'iso')
    _info(hardware, 'virtual hardware requirements')
    settings = etree.SubElement(hardware, _q('System'))
    etree.SubElement(settings, _q('ElementName', VSSD)).text = 'Virtual Hardware Family'
    etree.SubElement(settings, _q('InstanceID', VSSD)).text = '0'
    etree.SubElement(settings, _q('VirtualSystemIdentifier', VSSD)).text = system['name']
    etree.SubElement(settings, _q('VirtualSystemType', VSSD)).text = 'kvm'
    instance = [0]

    def next_id():
        instance[0] += 1
        return instance[0]
    _item(hardware, {'AllocationUnits': 'hertz * 10^6', 'Description': 'Number of virtual CPUs',
                     'ElementName': '%d virtual CPU(s)' % system['cpu'],
                     'InstanceID': next_id(), 'ResourceType': 3,
                     'VirtualQuantity': system['cpu']})
    _item(hardware, {'AllocationUnits': 'byte * 2^20', 'Description': 'Memory Size',
                     'ElementName': '%d MiB of memory' % system['memory_mib'],
                     'InstanceID': next_id(), 'ResourceType': 4,
                     'VirtualQuantity': system['memory_mib']})
    controller = next_id()
    _item(hardware, {'Address': 0, 'Description': 'SCSI Controller',
                     'ElementName': 'SCSI controller 0', 'InstanceID': controller,
                     'ResourceSubType': 'virtio-scsi', 'ResourceType': 6})
    for unit, disk_id in enumerate(system['disks']):
        _item(hardware, {'AddressOnParent': unit, 'ElementName': 'disk %d' % unit,
                         'HostResource': 'ovf:/disk/%s' % disk_id, 'InstanceID': next_id(),
                         'Parent': controller, 'ResourceType': 17})
        if disk_id not in disks_by_id:
            raise ValueError('system %s names an unknown disk %s' % (system['id'], disk_id))
    for index, network in enumerate(system['nics']):
        _item(hardware, {'AddressOnParent': index, 'AutomaticAllocation': 'true',
                         'Connection': network, 'ElementName': 'ethernet adapter %d' % index,
                         'InstanceID': next_id(), 'ResourceSubType': 'virtio',
                         'ResourceType': 10})
    return vs


def descriptor(systems, disks, networks, name=None, product=None, startup=True):
    """The descriptor (UTF-8 bytes).

    ``systems``: dicts ``id``, ``name``, ``cpu``, ``memory_mib``, ``disks`` (disk ids),
    ``nics`` (network names), optional ``product`` (ProductSection keys as ``Product.as_dict``)
    and ``properties`` (``(key, value)``); several systems make a VirtualSystemCollection
    ``name`` whose StartupSection starts them in list order. ``disks``: dicts ``id``, ``file``
    (href), ``size`` (file bytes), ``capacity`` (bytes). ``networks``: names.
    """
    nsmap = {None: OVF, 'ovf': OVF, 'rasd': RASD, 'vssd': VSSD, 'cim': CIM}
    env = etree.Element(_q('Envelope'), nsmap=nsmap)
    env.set(_q('version'), '2.0')
    refs = etree.SubElement(env, _q('References'))
    for index, disk in enumerate(disks):
        ref = etree.SubElement(refs, _q('File'))
        ref.set(_q('id'), 'file%d' % (index + 1))
        ref.set(_q('href'), disk['file'])
        ref.set(_q('size'), str(disk['size']))
    if disks:
        section = etree.SubElement(env, _q('DiskSection'))
        _info(section, 'the virtual disks')
        for index, disk in enumerate(disks):
            element = etree.SubElement(section, _q('Disk'))
            element.set(_q('diskId'), disk['id'])
            element.set(_q('capacity'), str(disk['capacity']))
            element.set(_q('fileRef'), 'file%d' % (index + 1))
            element.set(_q('format'), VMDK_STREAM)
    if networks:
        section = etree.SubElement(env, _q('NetworkSection'))
        _info(section, 'the logical networks')
        for network in networks:
            element = etree.SubElement(section, _q('Network'))
            element.set(_q('name'), network)
            etree.SubElement(element, _q('Description')).text = 'the %s network' % network
    disks_by_id = dict((d['id'], d) for d in disks)
    if len(systems) == 1:
        _system(env, systems[0], disks_by_id)
    else:
        collection = etree.SubElement(env, _q('VirtualSystemCollection'))
        collection.set(_q('id'), name or 'vapp')
        _info(collection, 'a collection of %d virtual systems' % len(systems))
        etree.SubElement(collection, _q('Name')).text = name or 'vapp'
        if startup:
            section = etree.SubElement(collection, _q('StartupSection'))
            _info(section, 'the start order; stopped in reverse')
            for order, system in enumerate(systems, 1):
                entry = etree.SubElement(section, _q('Item'))
                for attr, value in (('id', system['id']), ('order', str(order)),
                                    ('startDelay', '0'), ('waitingForGuest', 'false'),
                                    ('stopDelay', '0'), ('startAction', 'powerOn'),
                                    ('stopAction', 'powerOff')):
                    entry.set(_q(attr), value)
        if product:
            _product(collection, product)
        for system in systems:
            _system(collection, system, disks_by_id)
    return etree.tostring(env, xml_declaration=True, encoding='UTF-8', pretty_print=True)


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(BLOCK), b''):
            digest.update(block)
    return digest.hexdigest()


def write_ova(out, base, desc, files, extra=()):
    """Write the OVA to the binary file object ``out``.

    ``base``: member names' stem (``<base>.ovf``, ``<base>.mf``); ``files``: ``(href, path)``
    of the referenced files, in References order; ``extra``: ``(name, bytes)`` members
    (listed in the manifest too). Returns ``{name: sha256 hex}`` of every member but the
    manifest.
    """
    digests = {base + '.ovf': hashlib.sha256(desc).hexdigest()}
    for href, path in files:
        digests[href] = _sha256_file(path)
    for name, data in extra:
        digests[name] = hashlib.sha256(data).hexdigest()
    manifest = ''.join('SHA256(%s)= %s\n' % (name, digest)
                       for name, digest in digests.items()).encode('ascii')
    with tarfile.open(fileobj=out, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        for name, data in [(base + '.ovf', desc), (base + '.mf', manifest)]:
            _add_bytes(tar, name, data)
        for href, path in files:
            info = tarfile.TarInfo(href)
            info.size = os.path.getsize(path)
            info.mode = 0o644
            with open(path, 'rb') as handle:
                tar.addfile(info, handle)
        for name, data in extra:
            _add_bytes(tar, name, data)
    return digests


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))
