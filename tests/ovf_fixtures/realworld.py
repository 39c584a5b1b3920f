# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shapes real exporters produce, written by this project (never copied from an export).

Each builder returns the path of a package it wrote under ``workdir``:

- ``vapp``: a VirtualSystemCollection of three systems (web, app, db) with a StartupSection,
  ProductSections told apart by ``ovf:class``, one disk each, networks shared at package level.
- ``vmware_2008``: a prefixed ``ovf:Envelope`` whose children carry no prefix and no default
  namespace (ovftool 1.x era).
- ``xencenter``: ``encoding="utf-16"`` declared on UTF-8 bytes, disks as ResourceType 19.
- ``virtualbox_efi``: firmware only in ``vbox:Machine/Hardware/Firmware type="EFI"``.
- ``tar_dot_dir`` / ``per_file_manifests`` / ``v2v_chunks``: OVA layouts of ``tar -C dir .``,
  one ``.mf`` per file, and chunks named ``<href>.000000000`` without ``ovf:chunkSize``.
"""

from __future__ import annotations

import copy
import io
import os
import tarfile

from lxml import etree

import ovfgen

OVF1 = ovfgen.OVF1
VBOX = 'http://www.virtualbox.org/ovf/machine'
RASD = ovfgen.RASD
VSSD = ovfgen.VSSD
VAPP_SYSTEMS = (
    # id, startup order, start delay (s), stop delay (s), stop action
    ('db', 1, 2, 1, 'powerOff'),
    ('app', 2, 1, 1, 'powerOff'),
    ('web', 3, 0, 0, 'powerOff'),
)


def _q(tag, ns=OVF1):
    return '{%s}%s' % (ns, tag)


def _system_spec(workdir, system_id, prefix):
    """A small single system (one raw disk, one NIC, two properties) for the vApp builders."""
    spec = ovfgen.Spec(system_id)
    href = '%s-%s-disk1.img' % (prefix, system_id)
    path = ovfgen.make_disk(workdir, href, 'raw', size_mib=1,
                            payload=('%s disk\n' % system_id).encode())
    spec.files = [{'id': '%s-file1' % system_id, 'href': href, 'size': os.path.getsize(path)}]
    spec.disks = [{'id': '%s-disk1' % system_id, 'file': '%s-file1' % system_id, 'capacity': 1,
                   'units': 'byte * 2^20', 'fmt': 'raw'}]
    spec.networks = ['Frontend', 'Backend']
    spec.nics = [{'network': 'Backend' if system_id != 'web' else 'Frontend', 'model': 'virtio'}]
    spec.cpus = {None: 1}
    spec.memory_mib = {None: 64}
    spec.product = {'Product': 'Shop %s tier' % system_id, 'Vendor': 'cloudmgmt',
                    'Version': '1.0'}
    spec.properties = [{'key': 'hostname', 'value': system_id},
                       {'key': 'password', 'value': '', 'password': True}]
    return spec, {href: path}


def vapp_descriptor(workdir, prefix='shop', systems=VAPP_SYSTEMS, classes=True):
    """(descriptor bytes, {href: path}) of a three-tier vApp."""
    env = etree.Element(_q('Envelope'), nsmap={None: OVF1, 'ovf': OVF1, 'rasd': RASD,
                                               'vssd': VSSD, 'vmw': ovfgen.VMW})
    refs = etree.SubElement(env, _q('References'))
    disk_section = etree.SubElement(env, _q('DiskSection'))
    etree.SubElement(disk_section, _q('Info')).text = 'the disks of every tier'
    net_section = etree.SubElement(env, _q('NetworkSection'))
    etree.SubElement(net_section, _q('Info')).text = 'networks'
    for name in ('Frontend', 'Backend'):
        net = etree.SubElement(net_section, _q('Network'), {_q('name'): name})
        etree.SubElement(net, _q('Description')).text = 'the %s network' % name
    collection = etree.SubElement(env, _q('VirtualSystemCollection'), {_q('id'): prefix})
    etree.SubElement(collection, _q('Info')).text = 'a three-tier shop'
    etree.SubElement(collection, _q('Name')).text = prefix
    startup = etree.SubElement(collection, _q('StartupSection'))
    etree.SubElement(startup, _q('Info')).text = 'database first, web last'
    for system_id, order, start_delay, stop_delay, stop_action in systems:
        etree.SubElement(startup, _q('Item'), {
            _q('id'): system_id, _q('order'): str(order), _q('startDelay'): str(start_delay),
            _q('stopDelay'): str(stop_delay), _q('startAction'): 'powerOn',
            _q('stopAction'): stop_action, _q('waitingForGuest'): 'false'})
    product = etree.SubElement(collection, _q('ProductSection'))
    etree.SubElement(product, _q('Info')).text = 'the vApp'
    etree.SubElement(product, _q('Product')).text = 'Shop'
    etree.SubElement(product, _q('Version')).text = '1.0'
    files = {}
    for system_id, _order, _start, _stop, _action in sorted(systems, key=lambda s: -s[1]):
        spec, system_files = _system_spec(workdir, system_id, prefix)
        files.update(system_files)
        single = etree.fromstring(ovfgen.descriptor(spec))
        for element in single.find(_q('References')):
            refs.append(copy.deepcopy(element))
        for element in single.find(_q('DiskSection')).findall(_q('Disk')):
            disk_section.append(copy.deepcopy(element))
        system = copy.deepcopy(single.find(_q('VirtualSystem')))
        if classes:
            system.find(_q('ProductSection')).set(_q('class'), 'com.example.' + system_id)
        collection.append(system)
    return etree.tostring(env, xml_declaration=True, encoding='UTF-8', pretty_print=True), files


def vapp(workdir, prefix='shop', **kwargs):
    desc, files = vapp_descriptor(workdir, prefix, **kwargs)
    return _ova(workdir, prefix, desc, files)


def _ova(workdir, name, desc, files, manifest=True):
    members = [(name + '.ovf', desc)]
    if manifest:
        members.append((name + '.mf', ovfgen.manifest(
            [(name + '.ovf', desc)] + [(h, ovfgen.read(p)) for h, p in files.items()])))
    members += list(files.items())
    return ovfgen.write_tar(os.path.join(workdir, name + '.ova'), members)


def _single_disk(workdir, name):
    href = name + '-disk1.vmdk'
    path = ovfgen.make_disk(workdir, href, 'vmdk', size_mib=2, payload=b'real world\n')
    return href, path


CIM = ('xmlns:rasd="%s"\n    xmlns:vssd="%s"' % (RASD, VSSD))
VMWARE_2008 = '''<?xml version="1.0" encoding="UTF-8"?>
<!--Generated by VMware ovftool 1.0.0 (build-00000), a 2008-era export shape-->
<ovf:Envelope xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    {cim}
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ovf:version="1.0.0">
  <References>
    <File ovf:href="{href}" ovf:id="file1" ovf:size="{size}"/>
  </References>
  <DiskSection>
    <Info>Meta-information about the virtual disks</Info>
    <Disk ovf:capacity="2" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="vmdisk1"
        ovf:fileRef="file1"
        ovf:format="http://www.vmware.com/specifications/vmdk.html#sparse"/>
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="VM Network">
      <Description>The VM Network network</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="legacy-vm">
    <Info>A virtual machine</Info>
    <Name>legacy-vm</Name>
    <OperatingSystemSection ovf:id="36">
      <Info>The kind of installed guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemType>vmx-04</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:ElementName>1 virtual CPU(s)</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>1</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>256MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>256</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:ElementName>scsiController0</rasd:ElementName>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:ElementName>ethernet0</rasd:ElementName>
        <rasd:InstanceID>6</rasd:InstanceID>
        <rasd:ResourceSubType>PCNet32</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:ElementName>disk1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>8</rasd:InstanceID>
        <rasd:Parent>4</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</ovf:Envelope>
'''


def vmware_2008(workdir):
    href, path = _single_disk(workdir, 'legacy')
    desc = VMWARE_2008.format(cim=CIM, href=href, size=os.path.getsize(path)).encode()
    return _ova(workdir, 'legacy', desc, {href: path})


XENCENTER = '''<?xml version="1.0" encoding="utf-16"?>
<ovf:Envelope xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns="http://schemas.dmtf.org/ovf/envelope/1"
    {cim}
    xmlns:xenovf="http://schemas.citrix.com/ovf/envelope/1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xml:lang="en-US">
  <References>
    <File ovf:id="f6b1c2d4-0001" ovf:href="{href}" ovf:size="{size}"/>
  </References>
  <DiskSection>
    <Info>Disks of the exported VM \u2013 \u00e9t\u00e9 \u2603</Info>
    <Disk ovf:diskId="d0a1b2c3-0002" ovf:fileRef="f6b1c2d4-0001" ovf:capacity="2097152"
        ovf:format="http://www.vmware.com/specifications/vmdk.html#sparse"/>
  </DiskSection>
  <NetworkSection>
    <Info>Networks</Info>
    <Network ovf:name="e4f5a6b7-0003">
      <Description>Pool-wide network associated with eth0</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="c1d2e3f4-0004">
    <Info>A XenServer virtual machine</Info>
    <Name>xen-vm</Name>
    <OperatingSystemSection ovf:id="1" ovf:version="1.0">
      <Info>Guest operating system</Info>
      <Description>Other</Description>
    </OperatingSystemSection>
    <VirtualHardwareSection ovf:transport="iso">
      <Info>Virtual hardware</Info>
      <System>
        <vssd:ElementName>Virtual System Type</vssd:ElementName>
        <vssd:InstanceID>c1d2e3f4-0004</vssd:InstanceID>
        <vssd:VirtualSystemType>xen-3.0-unknown</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>count</rasd:AllocationUnits>
        <rasd:Caption>1 virtual CPU</rasd:Caption>
        <rasd:InstanceID>a0000001</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>1</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:Caption>256 MB of memory</rasd:Caption>
        <rasd:InstanceID>a0000002</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>256</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Caption>Ethernet adapter</rasd:Caption>
        <rasd:Connection>e4f5a6b7-0003</rasd:Connection>
        <rasd:InstanceID>a0000003</rasd:InstanceID>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:Caption>Virtual disk storage</rasd:Caption>
        <rasd:HostResource>ovf:/disk/d0a1b2c3-0002</rasd:HostResource>
        <rasd:InstanceID>a0000004</rasd:InstanceID>
        <rasd:ResourceType>19</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
    <xenovf:VirtualSystemOtherConfigurationDataSection ovf:required="false">
      <Info>Other configuration data</Info>
    </xenovf:VirtualSystemOtherConfigurationDataSection>
  </VirtualSystem>
</ovf:Envelope>
'''


def xencenter(workdir):
    href, path = _single_disk(workdir, 'xen')
    desc = XENCENTER.format(cim=CIM, href=href, size=os.path.getsize(path)).encode('utf-8')
    return _ova(workdir, 'xen', desc, {href: path})


def virtualbox_efi(workdir):
    spec = ovfgen.Spec('vbox-efi')
    spec.networks = ['NAT']
    spec.nics = [{'network': 'NAT', 'model': 'E1000'}]
    machine = ('<vbox:Machine xmlns:vbox="%s" xmlns:ovf="%s" xmlns="%s" ovf:required="false" '
               'version="1.16-linux" uuid="{00000000-0000-4000-8000-000000000001}" '
               'name="vbox-efi" OSType="Ubuntu_64"><ovf:Info>Complete VirtualBox machine '
               'configuration in VirtualBox format</ovf:Info><Hardware><CPU count="1"/>'
               '<Memory RAMSize="128"/><Firmware type="EFI"/></Hardware></vbox:Machine>'
               % (VBOX, OVF1, OVF1))
    spec.extra_sections = [machine]
    return _ova(workdir, 'vbox-efi', ovfgen.descriptor(spec), {})


def tar_dot_dir(workdir):
    """``tar -C dir -cf x.ova .``: a ``./`` directory member and ``./`` on every name."""
    spec, files = ovfgen.standard_spec(workdir, name='dotdir')
    desc = ovfgen.descriptor(spec)
    entries = [('dotdir.ovf', desc)] + [(h, ovfgen.read(p)) for h, p in files.items()]
    top = tarfile.TarInfo('./')
    top.type = tarfile.DIRTYPE
    top.mode = 0o755
    members = [top] + [('./' + name, data) for name, data in
                       entries[:1] + [('dotdir.mf', ovfgen.manifest(entries))] + entries[1:]]
    return ovfgen.write_tar(os.path.join(workdir, 'dotdir.ova'), members, fmt=tarfile.GNU_FORMAT)


def per_file_manifests(workdir):
    """One manifest per file (``dotdir.ovf`` in ``ovf.mf``, each disk in ``diskN.mf``)."""
    spec, files = ovfgen.standard_spec(workdir, name='permf', disk_formats=('vmdk', 'raw'))
    desc = ovfgen.descriptor(spec)
    members = [('permf.ovf', desc), ('ovf.mf', ovfgen.manifest([('permf.ovf', desc)]))]
    for index, (href, path) in enumerate(files.items(), 1):
        members.append(('disk%d.mf' % index, ovfgen.manifest([(href, ovfgen.read(path))])))
    members += list(files.items())
    return ovfgen.write_tar(os.path.join(workdir, 'permf.ova'), members)


def v2v_chunks(workdir, chunk=1 << 20):
    """A disk stored as ``<href>.000000000``, ``.000000001``... with no ovf:chunkSize."""
    spec, files = ovfgen.standard_spec(workdir, name='chunks', disk_formats=('raw',))
    href, path = list(files.items())[0]
    data = ovfgen.read(path)
    spec.files[0]['size'] = len(data)
    desc = ovfgen.descriptor(spec)
    chunks = [('%s.%09d' % (href, i // chunk), data[i:i + chunk]) for i in range(0, len(data), chunk)]
    members = [('chunks.ovf', desc),
               ('chunks.mf', ovfgen.manifest([('chunks.ovf', desc)] + chunks))] + chunks
    return ovfgen.write_tar(os.path.join(workdir, 'chunks.ova'), members)


def edited(spec, edit):
    """The descriptor of ``spec`` after ``edit(root)`` changed its lxml tree in place."""
    root = etree.fromstring(ovfgen.descriptor(spec))
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8')


def hardware(root):
    return root.find('%s/%s' % (_q('VirtualSystem'), _q('VirtualHardwareSection')))


def add_tar_member(path, name, data):
    with tarfile.open(path, 'a') as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
