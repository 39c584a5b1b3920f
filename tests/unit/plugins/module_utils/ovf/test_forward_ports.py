# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovf_deploy's forward_ports and domain_type without libvirt: validation, the plan and its
record, the domain XML, and the environment ISO read the way cloud-init's OVF data source reads
it (cloud-init 22.4: a cdrom device, ISO 9660 labelled OVF-TRANSPORT or holding the environment
namespace, ``ovf-env.xml``, the first PropertySection's oe:key / oe:value)."""
from __future__ import annotations

import io
import socket
from xml.dom import minidom

import pycdlib
import pytest
from lxml import etree

import guest_ova
import ovfgen
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import (
    domain_deployer, domain_xml, environment, forwarding, libvirt_domain, plan as planmod, writer)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DeployError

QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'


def _params(src, **extra):
    params = {'src': src, 'name': 'g1', 'uri': 'qemu:///system', 'pool': 'default',
              'networks': {}, 'properties': {}, 'deployment_option': None, 'accept_eula': False,
              'disk_format': 'qcow2', 'max_disk_size': None, 'manifest': 'require',
              'trusted_certs': None, 'cpus': None, 'memory': None, 'firmware': None,
              'nic_model': None, 'disk_bus': None, 'preserve_mac': False, 'forward_ports': [],
              'domain_type': 'auto', 'state': 'running', 'wait': True, 'wait_timeout': 120}
    params.update(extra)
    return params


@pytest.fixture(scope='module')
def small_guest_ova(tmp_path_factory):
    """The guest OVA's layout (tests/ovf_fixtures/guest_ova.py) around an 8 MiB disk."""
    work = str(tmp_path_factory.mktemp('ova'))
    image = ovfgen.make_disk(work, 'tiny.qcow2', 'qcow2')
    return guest_ova.build(work + '/guest.ova', image=image)


# -- option parsing and validation ----------------------------------------------------------
def test_forward_ports_parse_in_order():
    value = [{'host_port': 2222, 'guest_port': 22}, {'host_port': 8080, 'guest_port': 80}]
    forwards = forwarding.parse_forward_ports(value)
    assert forwards == [(2222, 22), (8080, 80)]
    assert forwarding.as_options(forwards) == value
    assert forwarding.parse_forward_ports([]) == [] and forwarding.parse_forward_ports(None) == []


@pytest.mark.parametrize('value, words', [
    ([{'host_port': 0, 'guest_port': 22}], 'forward_ports[0].host_port must be between'),
    ([{'host_port': 2222, 'guest_port': 65536}], 'forward_ports[0].guest_port must be between'),
    ([{'host_port': True, 'guest_port': 22}], 'must be an integer'),
    ([{'host_port': '2222', 'guest_port': 22}], 'must be an integer'),
    ([{'guest_port': 22}], 'forward_ports[0].host_port must be an integer'),
    ([{'host_port': 2222, 'guest_port': 22}, {'host_port': 2222, 'guest_port': 80}],
     'host port 2222 is given twice'),
    ([{'host_port': 2222, 'guest_port': 22, 'address': '0.0.0.0'}], 'unknown keys: address'),
    (['2222:22'], 'forward_ports[0] must be a mapping'),
])
def test_forward_ports_refused(value, words):
    with pytest.raises(DeployError) as info:
        forwarding.parse_forward_ports(value)
    assert info.value.code == 'bad_forward_ports' and words in info.value.message


def test_domain_type_values():
    for value in ('auto', 'kvm', 'qemu'):
        assert forwarding.check_domain_type(value) == value
    with pytest.raises(DeployError) as info:
        forwarding.check_domain_type('xen')
    assert info.value.code == 'bad_domain_type'


def test_explicit_domain_type_skips_the_probe():
    for wanted in ('kvm', 'qemu'):
        deployer = domain_deployer.DomainDeployer(_params(None, domain_type=wanted))
        assert deployer.conn is None and deployer.domain_type() == wanted  # no connection used


def test_mac_is_stable_local_and_per_name():
    mac = forwarding.mac_for('g1')
    assert mac == forwarding.mac_for('g1') != forwarding.mac_for('g2')
    assert mac.startswith('52:54:00:') and len(mac.split(':')) == 6


def test_port_in_use_is_refused_before_anything_is_made():
    busy = socket.socket()
    busy.bind(('127.0.0.1', 0))
    busy.listen(1)
    try:
        port = busy.getsockname()[1]
        with pytest.raises(DeployError) as info:
            forwarding.check_free([(port, 22)])
        assert info.value.code == 'port_in_use' and str(port) in info.value.message
    finally:
        busy.close()
    forwarding.check_free([(port, 22)])  # free again


# -- the plan, its record and the domain XML ------------------------------------------------
def test_plan_records_ports_and_type_only_when_given(small_guest_ova):
    plain = planmod.build_plan(_params(small_guest_ova))
    assert 'forward_ports' not in plain.record and 'domain_type' not in plain.record
    assert plain.as_dict()['forward_ports'] == [] and plain.as_dict()['domain_type'] == 'auto'
    assert plain.nics == []  # the guest OVA has no NIC of its own

    ports = [{'host_port': 2222, 'guest_port': 22}]
    given = planmod.build_plan(_params(small_guest_ova, forward_ports=ports, domain_type='qemu'))
    assert given.record['forward_ports'] == ports and given.record['domain_type'] == 'qemu'
    assert given.as_dict()['forward_ports'] == ports
    # A domain deployed without the options compares equal; adding them is a redefinition.
    deployer = domain_deployer.DomainDeployer(_params(small_guest_ova))
    record = dict(plain.record, salt='', properties=plain.properties_digest(''))
    assert deployer.differences(plain, record) == []
    changed = deployer.differences(given, record)
    assert changed == ['forward_ports', 'domain_type']
    assert set(changed) <= set(domain_deployer.REDEFINE_OPTIONS)


def test_plan_refuses_bad_ports_before_the_host_is_touched(small_guest_ova):
    with pytest.raises(DeployError) as info:
        planmod.build_plan(_params(small_guest_ova, forward_ports=[
            {'host_port': 70000, 'guest_port': 22}]))
    assert info.value.code == 'bad_forward_ports'


def test_vapp_refuses_forward_ports(tmp_path):
    disk = ovfgen.make_disk(str(tmp_path), 'd.vmdk', 'vmdk')
    systems = [{'id': sid, 'name': sid, 'cpu': 1, 'memory_mib': 64, 'disks': ['disk1'],
                'nics': []} for sid in ('web', 'db')]
    disks = [{'id': 'disk1', 'file': 'd.vmdk', 'size': ovfgen.os.path.getsize(disk),
              'capacity': 8 << 20}]
    out = str(tmp_path / 'pair.ova')
    with open(out, 'wb') as handle:
        writer.write_ova(handle, 'pair', writer.descriptor(systems, disks, [], name='pair'),
                         [('d.vmdk', disk)])
    with pytest.raises(DeployError) as info:
        planmod.build_plan(_params(out, forward_ports=[{'host_port': 2222, 'guest_port': 22}]))
    assert info.value.code == 'forward_ports_vapp'


def test_domain_xml_has_the_forwarded_nic_and_the_type(small_guest_ova):
    plan = planmod.build_plan(_params(small_guest_ova, properties={'hostname': 'h1'},
                                      forward_ports=[{'host_port': 2222, 'guest_port': 22}]))
    spec = libvirt_domain.domain_spec('g1', 'qemu', plan,
                                      [{'path': '/p/g1-disk1.qcow2', 'format': 'qcow2',
                                        'bus': 'scsi'}], ['/p/g1-ovf-env.iso'], plan.record)
    root = etree.fromstring(domain_xml.build(spec).encode())
    assert root.get('type') == 'qemu'
    args = [a.get('value') for a in root.iter('{%s}arg' % QEMU_NS)]
    assert args[0] == '-netdev' and args[2] == '-device'
    assert args[1] == 'user,id=cimifwd0,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22'
    assert 'mac=%s' % forwarding.mac_for('g1') in args[3]
    assert root.findall('devices/interface') == []  # no libvirt network needed
    # The environment ISO on IDE: /dev/sr0 through ata_piix, which slim guest kernels (Debian's
    # cloud kernel has no AHCI) do have.
    cdrom = root.find('devices/disk[@device="cdrom"]')
    assert cdrom.find('target').attrib == {'dev': 'hda', 'bus': 'ide'}
    assert domain_xml.read_metadata(domain_xml.build(spec))['forward_ports'] == [
        {'host_port': 2222, 'guest_port': 22}]
    without = libvirt_domain.domain_spec('g1', 'kvm', planmod.build_plan(
        _params(small_guest_ova)), [], [], {})
    root = etree.fromstring(domain_xml.build(without).encode())
    assert root.get('type') == 'kvm' and list(root.iter('{%s}commandline' % QEMU_NS)) == []


# -- the environment, as cloud-init's OVF data source reads it -----------------------------
def _cloud_init_view(xml_bytes):
    """The properties as cloud-init 22.4 finds them: minidom, localName Environment, the first
    PropertySection child of it, each Property's key and value by namespace."""
    dom = minidom.parseString(xml_bytes)
    assert dom.documentElement.localName == 'Environment'
    sections = [n for n in dom.documentElement.childNodes if n.localName == 'PropertySection']
    assert sections, 'no PropertySection directly under Environment'
    props = {}
    for node in sections[0].childNodes:
        if node.localName == 'Property':
            props[node.attributes.getNamedItemNS(environment.ENV_NS, 'key').value] = \
                node.attributes.getNamedItemNS(environment.ENV_NS, 'value').value
    return props


def test_environment_iso_is_what_cloud_init_reads(small_guest_ova):
    key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2tZ7Yk test@example'
    plan = planmod.build_plan(_params(small_guest_ova, properties={
        'hostname': 'guest-h1', 'public-keys': key, 'instance-id': 'iid-g1'}))
    assert plan.want_env
    props = _cloud_init_view(plan.env_xml)
    assert props['hostname'] == 'guest-h1' and props['public-keys'] == key
    assert props['instance-id'] == 'iid-g1'

    image = environment.iso_bytes(plan.env_xml)
    # ds-identify: a cdrom whose label is OVF-TRANSPORT, or under 10 MB holding the namespace.
    assert len(image) < 10 << 20 and environment.ENV_NS.encode() in image
    iso = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(image))
    try:
        assert iso.pvd.volume_identifier.decode().strip() == 'OVF-TRANSPORT'
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path='/ovf-env.xml')  # the name cloud-init looks for
        assert out.getvalue() == plan.env_xml
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, joliet_path='/ovf-env.xml')
        assert out.getvalue() == plan.env_xml
    finally:
        iso.close()


def test_guest_ova_declares_cloud_init_keys_and_the_iso_transport(small_guest_ova):
    plan = planmod.build_plan(_params(small_guest_ova))
    keys = [p.key for p, _v in plan.values]
    for wanted in ('hostname', 'public-keys', 'instance-id', 'user-data', 'password'):
        assert wanted in keys
    assert plan.system.hardware_section().transports == ['iso']
    assert [j.as_dict()['volume'] for j in plan.jobs] == ['g1-disk1.qcow2']
