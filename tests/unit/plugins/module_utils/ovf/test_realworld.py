# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shapes real exporters write (issue #14), on the project's own fixtures (realworld.py)."""
from __future__ import annotations

import json
import os

import pytest
from lxml import etree

import ovfgen
import pipeline
import realworld
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import Appliance
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.envelope import parse_envelope
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import OvfError

Q = realworld._q


@pytest.fixture
def work_pool(tmp_path):
    """(work directory, pool directory), both empty."""
    dirs = (tmp_path / 'w', tmp_path / 'pool')
    for path in dirs:
        path.mkdir()
    return dirs


def _refused(data):
    with pytest.raises(OvfError) as info:
        parse_envelope(data)
    assert 'Traceback' not in str(info.value)
    return info.value.code


# -- 1 / 9: vApps, StartupSection ------------------------------------------------------------
def test_vapp_is_read_as_a_tree(tmp_path):
    appliance = Appliance(realworld.vapp(str(tmp_path)), 'require')
    appliance.verify_all()
    info = appliance.info()
    json.dumps(info)
    assert info['collection']['id'] == 'shop' and info['name'] == 'shop'
    assert [m['id'] for m in info['collection']['members']] == ['web', 'app', 'db']
    assert [s['id'] for s in info['systems']] == ['db', 'app', 'web']  # StartupSection order
    assert [s['startup']['order'] for s in info['systems']] == [1, 2, 3]
    assert info['systems'][0]['startup']['start_delay'] == 2
    assert info['systems'][0]['startup']['stop_action'] == 'powerOff'
    for system in info['systems']:
        assert system['collection'] == 'shop'
        assert system['disks'] == ['%s-disk1' % system['id']]
        assert system['hardware']['default']['summary']['disks'] == 1
        assert system['hardware']['default']['summary']['memory_bytes'] == 64 << 20
        keys = [p['key'] for p in system['properties']]
        assert keys == ['com.example.%s.hostname' % system['id'],
                        'com.example.%s.password' % system['id']]
    assert info['systems'][2]['networks'] == ['Frontend']
    assert [n['name'] for n in info['networks']] == ['Frontend', 'Backend']
    assert len(info['properties']) == 6 and info['properties'][0]['system'] == 'db'
    assert len(info['disks']) == 3
    assert info['manifest']['status'] == 'verified'


def test_single_system_keeps_its_shape(standard_ova):
    info = Appliance(standard_ova[0], 'warn').info()
    assert info['collection'] is None
    assert len(info['systems']) == 1 and info['systems'][0]['startup'] is None
    assert info['name'] == 'appliance' and info['hardware']['medium']['summary']['cpus'] == 1
    assert info['secure_boot'] is False


def test_vapp_refused_for_single_system_use(tmp_path):
    appliance = Appliance(realworld.vapp(str(tmp_path)), 'warn')
    with pytest.raises(OvfError) as info:
        appliance.envelope.system()
    assert info.value.code == 'collection'


def test_startup_section_bad_values_warn(tmp_path):
    desc, _files = realworld.vapp_descriptor(str(tmp_path))
    root = etree.fromstring(desc)
    item = root.find('%s/%s/%s' % (Q('VirtualSystemCollection'), Q('StartupSection'), Q('Item')))
    item.set(Q('order'), 'first')
    item.set(Q('stopAction'), 'explode')
    env = parse_envelope(etree.tostring(root))
    assert any("order='first'" in w for w in env.warnings)
    assert any('explode' in w for w in env.warnings)
    order = [s.id for s, _entry in env.start_order()]
    assert order[-1] == 'db'  # without a valid order it starts last


def test_duplicate_system_ids_refused(tmp_path):
    desc, _files = realworld.vapp_descriptor(str(tmp_path))
    root = etree.fromstring(desc)
    for system in root.iter(Q('VirtualSystem')):
        system.set(Q('id'), 'same')
    assert _refused(etree.tostring(root)) == 'duplicate_system'


# -- 2: 2008-era VMware ----------------------------------------------------------------------
def test_vmware_2008_unqualified_children(tmp_path):
    appliance = Appliance(realworld.vmware_2008(str(tmp_path)), 'require')
    appliance.verify_all()
    info = appliance.info()
    assert info['name'] == 'legacy-vm' and info['ovf_version'] == '1.x'
    assert info['hardware']['default']['summary']['memory_bytes'] == 256 << 20
    assert info['hardware']['default']['summary']['disks'] == 1
    assert info['disks'][0]['detected_format'] == 'vmdk'
    assert any('2008-era' in w for w in info['warnings'])


def test_missing_references_has_a_specific_code():
    desc = realworld.VMWARE_2008.format(cim=realworld.CIM, href='x', size=1)
    start = desc.index('<References>')
    end = desc.index('</References>') + len('</References>')
    assert _refused((desc[:start] + desc[end:]).replace('ovf:fileRef="file1"', '').encode()) \
        == 'no_references'
    foreign = desc.replace('<References>', '<References xmlns="urn:other">')
    assert _refused(foreign.encode()) == 'foreign_namespace'


# -- 3: XenCenter ----------------------------------------------------------------------------
def test_xencenter_utf16_declared_utf8_bytes_and_type_19_disks(tmp_path):
    appliance = Appliance(realworld.xencenter(str(tmp_path)), 'require')
    info = appliance.info()
    assert info['name'] == 'xen-vm'
    assert info['hardware']['default']['summary']['disks'] == 1
    assert any('utf-16' in w for w in info['warnings'])
    pool = tmp_path / 'pool'
    pool.mkdir()
    _appliance, jobs, created = pipeline.run(str(tmp_path / 'xen.ova'), str(pool))
    assert [j.source_id for j in jobs] == ['d0a1b2c3-0002'] and len(created) == 1


def test_utf16_declared_but_not_utf8_refused():
    data = b'<?xml version="1.0" encoding="utf-16"?><Envelope>\xff\xfe\xfa</Envelope>'
    assert _refused(data) == 'bad_encoding'


def test_real_utf16_still_read(tmp_path):
    spec, _files = ovfgen.standard_spec(str(tmp_path), disk_formats=())
    text = ovfgen.descriptor(spec).decode('utf-8').replace("encoding='UTF-8'", "encoding='UTF-16'")
    env = parse_envelope(text.encode('utf-16'))
    assert env.systems[0].id == 'appliance' and not env.warnings


# -- 4 / 9: firmware, secure boot ------------------------------------------------------------
def test_virtualbox_efi(tmp_path):
    info = Appliance(realworld.virtualbox_efi(str(tmp_path)), 'require').info()
    assert info['firmware'] == 'efi'


def test_vmware_secure_boot(tmp_path):
    spec = ovfgen.Spec('sb')
    spec.firmware = 'efi'

    def edit(root):
        cfg = etree.SubElement(realworld.hardware(root), '{%s}Config' % ovfgen.VMW)
        cfg.set(Q('required'), 'false')
        cfg.set('{%s}key' % ovfgen.VMW, 'bootOptions.efiSecureBootEnabled')
        cfg.set('{%s}value' % ovfgen.VMW, 'true')
    system = parse_envelope(realworld.edited(spec, edit)).system()
    assert system.firmware == 'efi' and system.secure_boot is True


# -- 5: advisory fields ----------------------------------------------------------------------
@pytest.mark.parametrize('os_id', ['-100', 'linux'])
def test_bad_os_id_is_a_warning(os_id):
    spec = ovfgen.Spec('os')
    spec.os_id = os_id
    env = parse_envelope(ovfgen.descriptor(spec))
    assert env.system().os['id'] is None
    assert any('OperatingSystemSection' in w and 'advisory' in w for w in env.warnings)


# -- 6: OVA layouts --------------------------------------------------------------------------
def test_tar_of_dot_directory(tmp_path):
    appliance = Appliance(realworld.tar_dot_dir(str(tmp_path)), 'require')
    appliance.verify_all()
    assert appliance.package.descriptor_name == 'dotdir.ovf'
    assert len(appliance.manifest.verified) == 2


def test_per_file_manifests(tmp_path):
    appliance = Appliance(realworld.per_file_manifests(str(tmp_path)), 'require')
    appliance.verify_all()
    status = appliance.manifest.status()
    assert status['names'] == ['disk1.mf', 'disk2.mf', 'ovf.mf']
    assert sorted(status['verified']) == ['permf-disk1.vmdk', 'permf-disk2.img', 'permf.ovf']
    assert any('one manifest per file' in w for w in appliance.warnings)


def test_per_file_manifests_that_disagree(tmp_path):
    path = realworld.per_file_manifests(str(tmp_path))
    realworld.add_tar_member(path, 'zz.mf', b'SHA256(permf.ovf)= ' + b'0' * 64 + b'\n')
    with pytest.raises(OvfError) as info:
        Appliance(path, 'warn')
    assert info.value.code == 'manifest_conflict'


def test_v2v_chunks_without_chunk_size(work_pool):
    work, pool = work_pool
    path = realworld.v2v_chunks(str(work))
    appliance, jobs, created = pipeline.run(path, str(pool), policy='require')
    assert jobs[0].staged and len(jobs[0].members) == 8
    assert any('chunks' in w for w in appliance.warnings)
    assert len(created) == 1


# -- 7: silently dropped data, now refused ---------------------------------------------------
def _dup_instance(root):
    hw = realworld.hardware(root)
    disk = [i for i in hw if i.findtext('{%s}ResourceType' % ovfgen.RASD) == '17'][0]
    twin = etree.fromstring(etree.tostring(disk))
    twin.find('{%s}AddressOnParent' % ovfgen.RASD).text = '1'
    hw.append(twin)


def _dup_disk(root):
    section = root.find(Q('DiskSection'))
    section.append(etree.fromstring(etree.tostring(section.find(Q('Disk')))))


def _dup_property(root):
    product = root.find('%s/%s' % (Q('VirtualSystem'), Q('ProductSection')))
    product.append(etree.fromstring(etree.tostring(product.find(Q('Property')))))


def _unknown_required(root):
    el = etree.SubElement(realworld.hardware(root), '{urn:vendor}Tuning')
    el.set(Q('required'), 'true')


@pytest.mark.parametrize('edit,code', [(_dup_instance, 'duplicate_instance_id'),
                                       (_dup_disk, 'duplicate_disk'),
                                       (_dup_property, 'duplicate_property'),
                                       (_unknown_required, 'unsupported_required')])
def test_dropped_data_is_refused(tmp_path, edit, code):
    spec, _files = ovfgen.standard_spec(str(tmp_path))
    assert _refused(realworld.edited(spec, edit)) == code


def test_configuration_overrides_are_not_duplicates(standard_ova):
    """Items sharing an InstanceID in different configurations are the DeploymentOption way."""
    system = Appliance(standard_ova[0], 'warn').envelope.system()
    assert len(system.items('large')) == len(system.items('small'))


def test_unknown_optional_element_is_ignored(tmp_path):
    spec, _files = ovfgen.standard_spec(str(tmp_path))

    def edit(root):
        etree.SubElement(realworld.hardware(root), '{urn:vendor}Tuning').set(Q('required'), 'false')
        etree.SubElement(root.find(Q('VirtualSystem')), '{urn:vendor}Extra')
    assert parse_envelope(realworld.edited(spec, edit)).system().id == 'appliance'


# -- 8: URL hrefs ----------------------------------------------------------------------------
@pytest.mark.parametrize('href', ['http://example.com/disk.vmdk', 'file:///etc/hostname'])
def test_url_href_refused(tmp_path, href):
    spec = ovfgen.Spec('url')
    spec.files = [{'id': 'f1', 'href': href}]
    spec.disks = [{'id': 'd1', 'file': 'f1', 'capacity': 1, 'units': 'byte * 2^20'}]
    path = ovfgen.build(os.path.join(str(tmp_path), 'url.ova'), spec, {})
    with pytest.raises(OvfError) as info:
        Appliance(path, 'warn')
    assert info.value.code == 'url_reference'


# -- 9: categories, optional hardware --------------------------------------------------------
def test_property_categories_and_optional_items(tmp_path):
    spec, _files = ovfgen.standard_spec(str(tmp_path))

    def edit(root):
        product = root.find('%s/%s' % (Q('VirtualSystem'), Q('ProductSection')))
        props = product.findall(Q('Property'))
        network = etree.Element(Q('Category'))
        network.text = 'Networking'
        props[3].addprevious(network)
        general = etree.Element(Q('Category'))
        general.text = 'General'
        props[0].addprevious(general)
        nic = [i for i in realworld.hardware(root)
               if i.findtext('{%s}ResourceType' % ovfgen.RASD) == '10'][0]
        nic.set(Q('required'), 'false')
    env = parse_envelope(realworld.edited(spec, edit))
    cats = dict((p.key, p.as_dict()['category']) for p in env.system().properties)
    assert cats['hostname'] == 'General' and cats['mtu'] == 'Networking'
    items = [i.as_dict() for i in env.system().items('medium')]
    assert [i['required'] for i in items if i['kind'] == 'ethernet'] == [False, True]


def test_nested_collection_is_started_as_a_unit(tmp_path):
    desc, _files = realworld.vapp_descriptor(str(tmp_path))
    root = etree.fromstring(desc)
    outer = root.find(Q('VirtualSystemCollection'))
    inner = etree.SubElement(outer, Q('VirtualSystemCollection'), {Q('id'): 'front'})
    etree.SubElement(inner, Q('Info')).text = 'the front tiers'
    startup = etree.SubElement(inner, Q('StartupSection'))
    etree.SubElement(startup, Q('Info')).text = 'web before app'
    for system in list(outer.findall(Q('VirtualSystem'))):
        if system.get(Q('id')) in ('web', 'app'):
            inner.append(system)
            order = '1' if system.get(Q('id')) == 'web' else '2'
            etree.SubElement(startup, Q('Item'), {Q('id'): system.get(Q('id')), Q('order'): order})
    for item in outer.find(Q('StartupSection')).findall(Q('Item')):
        if item.get(Q('id')) == 'app':
            item.set(Q('id'), 'front')
        elif item.get(Q('id')) == 'web':
            outer.find(Q('StartupSection')).remove(item)
    env = parse_envelope(etree.tostring(root))
    assert [s.id for s, _entry in env.start_order()] == ['db', 'web', 'app']
    assert [s.parent for s in env.systems] == ['shop', 'front', 'front']


def test_vapp_properties_per_system(tmp_path):
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.deploy import split_properties
    env = parse_envelope(realworld.vapp_descriptor(str(tmp_path))[0])
    given = split_properties(env.systems, {'com.example.web.hostname': 'www',
                                           'db.password': 'x', 'hostname': 'all'})
    assert given['web'] == {'com.example.web.hostname': 'www', 'hostname': 'all'}
    assert given['db'] == {'password': 'x', 'hostname': 'all'}
    with pytest.raises(OvfError) as info:
        split_properties(env.systems, {'cache.size': 1})
    assert info.value.code == 'unknown_property' and 'db.com.example.db.hostname' in str(info.value)


def test_vapp_info_module(tmp_path, capsys):
    from modrun import run_module
    from ansible_collections.cloudmgmt.dmtf.plugins.modules import ovf_info
    result, failed = run_module(ovf_info, {'src': realworld.vapp(str(tmp_path)),
                                           'manifest': 'require'}, capsys)
    assert not failed, result
    assert result['collection']['members'][0] == {'kind': 'system', 'id': 'web', 'name': 'web'}
    assert all(p['default'] is None for p in result['properties'] if p['password'])


def test_signed_vapp_deploys_through_the_same_checks(work_pool):
    work, pool = work_pool
    desc, files = realworld.vapp_descriptor(str(work))
    entries = [('shop.ovf', desc)] + [(h, ovfgen.read(p)) for h, p in files.items()]
    mf = ovfgen.manifest(entries)
    ca_key, ca = ovfgen.make_ca()
    key, cert = ovfgen.make_signer(ca_key, ca)
    path = ovfgen.write_tar(str(work / 'shop.ova'), entries[:1] + [
        ('shop.mf', mf), ('shop.cert', ovfgen.sign_manifest(key, cert, 'shop.mf', mf))]
        + entries[1:])
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import diskplan
    appliance = Appliance(path, 'require', [('ca', ovfgen.pem(ca))])
    assert appliance.certificate['status'] == 'trusted'
    for system, _entry in appliance.envelope.start_order():
        jobs = diskplan.plan(appliance, system.items(None), {}, 'vm-' + system.id, 'qcow2')
        diskplan.write_all_or_nothing(appliance, jobs, str(pool), appliance.manifest)
    assert sorted(appliance.manifest.verified) == sorted(['shop.ovf'] + list(files))
    assert len(os.listdir(str(pool))) == 3


def _plan_params(src, **extra):
    params = {'src': src, 'name': 'vb', 'manifest': 'require', 'trusted_certs': None,
              'accept_eula': False, 'deployment_option': None, 'properties': {}, 'networks': {},
              'nic_model': None, 'preserve_mac': False, 'disk_format': 'qcow2',
              'max_disk_size': None, 'cpus': None, 'memory': None, 'firmware': None,
              'disk_bus': None}
    params.update(extra)
    return params


def test_virtualbox_efi_is_planned_with_efi(tmp_path):
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.deploy import build_plan
    params = _plan_params(realworld.virtualbox_efi(str(tmp_path)), networks={'NAT': 'net'})
    plan = build_plan(params)
    assert plan.firmware == 'efi' and plan.as_dict()['firmware'] == 'efi'
    assert build_plan(dict(params, firmware='bios')).firmware == 'bios'


def test_vapp_plan_names_and_shared_networks(tmp_path):
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.deploy import build_plan
    path = realworld.vapp(str(tmp_path))
    nets = {'Frontend': 'n1', 'Backend': 'n2', 'Spare': 'n3'}
    plan = build_plan(_plan_params(path, name='shop', networks=nets))
    assert [m.name for m in plan.members] == ['shop-db', 'shop-app', 'shop-web']
    assert [m.record['start_index'] for m in plan.members] == [0, 1, 2]
    assert plan.members[0].record['vapp'] == 'shop'
    assert [w for w in plan.warnings if 'not used' in w] == [
        "network mapping 'Spare' is not used by any system of the vApp"]
    assert len(plan.as_dict()['volumes']) == 3


def test_vapp_system_ids_that_clash_as_domain_names(tmp_path):
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.deploy import build_plan
    desc, files = realworld.vapp_descriptor(str(tmp_path))
    desc = desc.replace(b'ovf:id="app"', b'ovf:id="a/b"').replace(b'ovf:id="web"', b'ovf:id="a b"')
    path = realworld._ova(str(tmp_path), 'clash', desc, files)
    with pytest.raises(OvfError) as info:
        build_plan(_plan_params(path, networks={'Frontend': 'n1', 'Backend': 'n2'}))
    assert info.value.code == 'bad_system_id'
