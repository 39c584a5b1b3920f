# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared domain-XML builder: the shapes ovf_deploy and the provider ask for."""
from __future__ import annotations

from lxml import etree

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt.domain import (
    QEMU_NS, Disk, Domain, ForwardedNic, Interface, Metadata, disk_xml, domain_xml)

NS = 'urn:test:meta'


def _parse(text):
    return etree.fromstring(text.encode('utf-8'))


def test_minimal_domain_has_no_optional_devices():
    root = _parse(domain_xml(Domain('m1')))
    assert root.get('type') == 'qemu' and root.findtext('name') == 'm1'
    assert root.findtext('memory') == str(512 << 10) and root.find('memory').get('unit') == 'KiB'
    assert root.findtext('currentMemory') == root.findtext('memory')
    assert root.findtext('vcpu') == '1'
    assert root.find('os/type').attrib == {'arch': 'x86_64'} and root.find('os').get('firmware') is None
    assert root.find('features/acpi') is not None and root.find('cpu') is None
    assert [c.tag for c in root.find('devices')] == []
    for tag in ('uuid', 'description', 'metadata'):
        assert root.find(tag) is None


def test_full_shape_disks_cdrom_interfaces_console_machine_type():
    dom = Domain(
        'm2', type='kvm', memory_kib=2 << 20, vcpus=4, cores_per_socket=2, firmware='efi',
        machine='q35', uuid='0f2d3c4b-1111-2222-3333-444455556666', description='a <b> & c',
        disks=[Disk('/p/a.qcow2', 'sda', bus='scsi'), Disk('/p/b.raw', 'vdb', 'raw'),
               Disk('/p/env.iso', 'sdc', 'raw', 'cdrom', bus='sata')],
        interfaces=[Interface('net-a'), Interface('net-b', '52:54:00:00:00:01', 9000, 'e1000')],
        metadata=Metadata(NS, 'm', 'machine', children=[('id', 'rid-1')]),
        serial_console=True, vnc=True, memballoon='none')
    root = _parse(domain_xml(dom))
    assert root.get('type') == 'kvm' and root.findtext('uuid') == dom.uuid
    assert root.findtext('description') == 'a <b> & c'
    assert root.find('metadata/{%s}machine/{%s}id' % (NS, NS)).text == 'rid-1'
    assert root.find('os').get('firmware') == 'efi'
    assert root.find('os/type').attrib == {'arch': 'x86_64', 'machine': 'q35'}
    assert root.find('cpu/topology').attrib == {'sockets': '2', 'dies': '1', 'cores': '2',
                                                'threads': '1'}
    devices = root.find('devices')
    assert [c.tag for c in devices] == ['controller', 'disk', 'disk', 'disk', 'interface',
                                        'interface', 'serial', 'console', 'graphics',
                                        'memballoon']
    assert devices.find('controller').attrib == {'type': 'scsi', 'index': '0',
                                                 'model': 'virtio-scsi'}
    disks = devices.findall('disk')
    assert [(d.find('driver').get('type'), d.find('target').get('dev'),
             d.find('target').get('bus'), d.find('readonly') is not None) for d in disks] == [
        ('qcow2', 'sda', 'scsi', False), ('raw', 'vdb', 'virtio', False),
        ('raw', 'sdc', 'sata', True)]
    assert disks[2].get('device') == 'cdrom'
    second = devices.findall('interface')[1]
    assert (second.find('mac').get('address'), second.find('source').get('network'),
            second.find('model').get('type'), second.find('mtu').get('size')) == (
        '52:54:00:00:00:01', 'net-b', 'e1000', '9000')
    assert devices.findall('interface')[0].find('mac') is None
    assert devices.find('graphics').get('listen') == '127.0.0.1'
    assert devices.find('memballoon').get('model') == 'none'


def test_topology_only_when_cores_divide_the_vcpus():
    assert _parse(domain_xml(Domain('t', vcpus=3, cores_per_socket=2))).find('cpu') is None
    assert _parse(domain_xml(Domain('t', vcpus=2, cores_per_socket=1))).find('cpu') is None


def test_metadata_text_and_values_stay_text():
    hostile = "x'/><devices><disk type='block'/></devices><name>"
    root = _parse(domain_xml(Domain(hostile, metadata=Metadata(NS, 'm', 'record', '{"a": "<b>"}'),
                                    disks=[Disk(hostile, 'vda')])))
    assert root.findtext('name') == hostile
    assert root.find('metadata/{%s}record' % NS).text == '{"a": "<b>"}'
    assert [d.find('source').get('file') for d in root.iter('disk')] == [hostile]


def test_disk_xml_cdrom_defaults_to_ide_and_read_only():
    el = _parse(disk_xml(Disk('/p/ud.iso', 'hdc', 'raw', 'cdrom')))
    assert el.tag == 'disk' and el.get('device') == 'cdrom'
    assert el.find('target').attrib == {'dev': 'hdc', 'bus': 'ide'}
    assert el.find('readonly') is not None
    plain = _parse(disk_xml(Disk('/p/v.qcow2', 'vdb')))
    assert plain.find('driver').attrib == {'name': 'qemu', 'type': 'qcow2'}
    assert plain.find('target').get('bus') == 'virtio' and plain.find('readonly') is None


def test_forwarded_nic_is_a_restricted_user_netdev_on_loopback():
    nic = ForwardedNic('52:54:00:0a:0b:0c', [(42201, 22), (42202, 80)])
    root = _parse(domain_xml(Domain('m3', forwarded_nic=nic)))
    args = [a.get('value') for a in root.findall('{%s}commandline/{%s}arg' % (QEMU_NS, QEMU_NS))]
    assert args[0] == '-netdev' and args[2] == '-device'
    # restrict=on: the guest reaches nothing; only the host's loopback reaches it.
    assert args[1] == ('user,id=cimifwd0,restrict=on,hostfwd=tcp:127.0.0.1:42201-:22,'
                       'hostfwd=tcp:127.0.0.1:42202-:80')
    assert args[3] == 'virtio-net-pci,netdev=cimifwd0,mac=52:54:00:0a:0b:0c,bus=pci.0,addr=0x1f'
    assert root.find('devices/interface') is None
    # Without one, no qemu namespace at all.
    assert 'libvirt.org/schemas/domain/qemu' not in domain_xml(Domain('m4'))
