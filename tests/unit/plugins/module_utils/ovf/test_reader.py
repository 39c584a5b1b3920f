# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Package reader, descriptor model, manifest and certificate on generated and real packages."""
from __future__ import annotations

import gzip
import json
import os
import subprocess

import pytest

import hostile
import ovfgen
import pipeline
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import Appliance
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.envelope import parse_envelope
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import OvfError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.manifest import parse_manifest
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.package import open_package
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.properties import (
    parse_qualifiers, resolve_values)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.schema import lint
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.units import unit_multiplier


def test_members_are_indexed_not_extracted(standard_ova, tmp_path):
    path, spec, files = standard_ova
    before = sorted(os.listdir(str(tmp_path)))
    package = open_package(path)
    assert package.kind == 'ova'
    assert package.order[0] == 'appliance.ovf'
    assert package.manifest_name == 'appliance.mf'
    for href, src in files.items():
        member = package.member(href)
        with open(path, 'rb') as handle:
            handle.seek(member.offset)
            assert handle.read(member.size) == ovfgen.read(src)
    assert sorted(os.listdir(str(tmp_path))) == before


def test_descriptor_not_first_warns(tmp_path):
    work = str(tmp_path)
    spec, files = ovfgen.standard_spec(work)
    path = ovfgen.build(os.path.join(work, 'a.ova'), spec, files, order=lambda m: m[1:] + m[:1])
    assert any('not the first' in w for w in open_package(path).warnings)


def test_standard_model(standard_ova):
    path, _spec, _files = standard_ova
    appliance = Appliance(path, 'require')
    appliance.verify_all()
    info = appliance.info()
    assert info['ovf_version'] == '1.x'
    assert info['product']['product'] == 'Test Appliance'
    assert info['product']['full_version'] == '3.1.0-test'
    assert info['eulas'] == ['You may test this appliance.']
    assert info['default_deployment_option'] == 'medium'
    assert [n['name'] for n in info['networks']] == ['VM Network', 'Inside']
    assert [d['capacity_bytes'] for d in info['disks']] == [8 << 20, 12 << 20]
    assert [d['detected_format'] for d in info['disks']] == ['vmdk', 'qcow2']
    assert info['hardware']['large']['summary']['cpus'] == 2
    assert info['hardware']['medium']['summary']['memory_bytes'] == 192 << 20
    assert info['hardware']['small']['summary']['memory_bytes'] == 128 << 20
    assert info['manifest']['status'] == 'verified'
    assert sorted(info['manifest']['verified']) == sorted(
        ['appliance.ovf', 'appliance-disk1.vmdk', 'appliance-disk2.qcow2'])
    props = {p['key']: p for p in info['properties']}
    assert props['admin_password']['password'] and props['admin_password']['default'] is None
    assert props['mtu']['constraints'] == {'min_value': 576, 'max_value': 9000}
    assert props['mode']['constraints']['value_map'] == ['router', 'bridge']
    json.dumps(info)


@pytest.mark.parametrize('algorithm,style', [('sha1', 'ovf'), ('sha256', 'ovf'),
                                             ('sha512', 'tag'), ('sha256', 'tag')])
def test_manifest_variants_verify(tmp_path, algorithm, style):
    work = str(tmp_path)
    spec, files = ovfgen.standard_spec(work)
    path = ovfgen.build(os.path.join(work, 'a.ova'), spec, files, algorithm=algorithm, style=style)
    appliance = Appliance(path, 'require')
    appliance.verify_all()
    assert appliance.manifest.status()['algorithms'] == [algorithm]
    assert len(appliance.manifest.verified) == 2


def test_manifest_crlf_openssl_and_self_entry():
    data = (b'SHA2-256(a.ovf)= ' + b'a' * 64 + b'\r\n'
            b'SHA256(a.mf)= ' + b'e' * 64 + b'\r\n')
    manifest = parse_manifest(data, 'a.mf')
    assert manifest.entries == {'a.ovf': ('sha256', 'a' * 64)}


def test_require_policy_without_manifest(tmp_path):
    work = str(tmp_path)
    spec, files = ovfgen.standard_spec(work)
    path = ovfgen.build(os.path.join(work, 'a.ova'), spec, files, algorithm=None)
    with pytest.raises(OvfError) as info:
        Appliance(path, 'require')
    assert info.value.code == 'no_manifest'
    assert Appliance(path, 'warn').manifest.status()['status'] == 'absent'


@pytest.mark.parametrize('policy', ['warn', 'require'])
def test_incomplete_manifest_is_refused(tmp_path, policy):
    """DSP0243: a present manifest lists every referenced file; warn does not soften that."""
    work = str(tmp_path)
    path = hostile.manifest_omits_disk(work)
    with pytest.raises(OvfError) as info:
        Appliance(path, policy)
    assert info.value.code == 'manifest_incomplete'
    assert 'bad-disk1.vmdk' in str(info.value)


def test_manifest_ignore_skips_an_incomplete_manifest(tmp_path):
    appliance = Appliance(hostile.manifest_omits_disk(str(tmp_path)), 'ignore')
    assert appliance.manifest.status()['status'] == 'skipped'


def test_no_manifest_under_warn_deploys_with_a_warning(tmp_path):
    work = tmp_path / 'work'
    pool = tmp_path / 'pool'
    work.mkdir()
    pool.mkdir()
    spec, files = ovfgen.standard_spec(str(work))
    path = ovfgen.build(str(work / 'a.ova'), spec, files, algorithm=None)
    appliance, _jobs, created = pipeline.run(path, str(pool), policy='warn')
    assert created and sorted(os.listdir(str(pool)))
    assert any('no manifest' in w for w in appliance.warnings)


def test_trusted_certificate(tmp_path):
    work = str(tmp_path)
    spec, files = ovfgen.standard_spec(work)
    ca_key, ca = ovfgen.make_ca()
    path = ovfgen.build(os.path.join(work, 'a.ova'), spec, files,
                        cert=ovfgen.make_signer(ca_key, ca))
    appliance = Appliance(path, 'require', [('ca', ovfgen.pem(ca))])
    assert appliance.certificate['status'] == 'trusted'
    untrusted = Appliance(path, 'warn')
    assert untrusted.certificate['status'] == 'untrusted'
    assert any('no trusted CA' in w for w in untrusted.warnings)


def test_ovf_directory_package(tmp_path):
    work = str(tmp_path)
    spec, files = ovfgen.standard_spec(work, name='dir')
    desc = ovfgen.descriptor(spec)
    with open(os.path.join(work, 'dir.ovf'), 'wb') as handle:
        handle.write(desc)
    with open(os.path.join(work, 'dir.mf'), 'wb') as handle:
        handle.write(ovfgen.manifest([('dir.ovf', desc)] +
                                     [(h, ovfgen.read(p)) for h, p in files.items()]))
    for href, src in files.items():
        os.rename(src, os.path.join(work, href))
    appliance = Appliance(os.path.join(work, 'dir.ovf'), 'require')
    appliance.verify_all()
    assert appliance.package.kind == 'ovf'
    assert len(appliance.manifest.verified) == 2


def test_ovf_directory_refuses_symlinked_disk(tmp_path):
    work = str(tmp_path)
    spec, files = ovfgen.standard_spec(work, name='dir')
    with open(os.path.join(work, 'dir.ovf'), 'wb') as handle:
        handle.write(ovfgen.descriptor(spec))
    href, src = list(files.items())[0]
    os.unlink(os.path.join(work, href))
    os.symlink('/etc/hostname', os.path.join(work, href))
    with pytest.raises(OvfError) as info:
        Appliance(os.path.join(work, 'dir.ovf'), 'warn')
    assert info.value.code == 'not_regular'


@pytest.mark.parametrize('fmt', ['vmdk', 'qcow2', 'raw'])
@pytest.mark.parametrize('out_format', ['qcow2', 'raw'])
def test_disks_convert_in_place(tmp_path, fmt, out_format):
    work = tmp_path / 'w'
    pool = tmp_path / 'pool'
    work.mkdir()
    pool.mkdir()
    spec, files = ovfgen.standard_spec(str(work), disk_formats=(fmt,))
    path = ovfgen.build(str(work / 'a.ova'), spec, files)
    _appliance, jobs, created = pipeline.run(path, str(pool), out_format=out_format, policy='require')
    assert [os.path.basename(c) for c in created] == ['vm-disk1.' + out_format]
    out = json.loads(subprocess.check_output(['qemu-img', 'info', '--output=json', '-f', out_format,
                                              created[0]]))
    assert out['virtual-size'] == 8 << 20
    back = str(tmp_path / 'back.raw')
    subprocess.check_call(['qemu-img', 'convert', '-f', out_format, '-O', 'raw', created[0], back])
    assert ovfgen.read(back).startswith(('disk1-%s\n' % fmt).encode())
    assert jobs[0].source_format == fmt


def test_chunked_and_gzip_files(tmp_path):
    work = tmp_path / 'w'
    pool = tmp_path / 'pool'
    work.mkdir()
    pool.mkdir()
    spec, files = ovfgen.standard_spec(str(work), disk_formats=('vmdk', 'raw'))
    (vmdk_href, vmdk), (raw_href, raw) = list(files.items())
    gz = str(work / (vmdk_href + '.gz'))
    with gzip.open(gz, 'wb') as handle:
        handle.write(ovfgen.read(vmdk))
    spec.files[0].update(href=vmdk_href + '.gz', size=os.path.getsize(gz), compression='gzip')
    data = ovfgen.read(raw)
    chunk = 4 << 20
    chunks = {}
    for index in range(0, len(data), chunk):
        name = '%s.%09d' % (raw_href, index // chunk)
        chunks[name] = data[index:index + chunk]
    spec.files[1].update(chunk=chunk, size=len(data))
    desc = ovfgen.descriptor(spec)
    members = [('appliance.ovf', desc), (vmdk_href + '.gz', gz)] + list(chunks.items())
    mf = ovfgen.manifest([('appliance.ovf', desc), (vmdk_href + '.gz', ovfgen.read(gz))]
                         + list(chunks.items()))
    path = ovfgen.write_tar(str(work / 'a.ova'), members[:1] + [('appliance.mf', mf)] + members[1:])
    appliance, jobs, created = pipeline.run(path, str(pool), policy='require')
    assert [j.staged for j in jobs] == [True, True]
    assert sorted(os.listdir(str(pool))) == ['vm-disk1.qcow2', 'vm-disk2.qcow2']
    assert len(appliance.manifest.verified) == 1 + 1 + len(chunks)


def test_blank_disk_and_property_capacity(tmp_path):
    work = str(tmp_path)
    spec = ovfgen.Spec('blank')
    spec.disks = [{'id': 'scratch', 'capacity': '${scratch_mib}', 'units': 'byte * 2^20'}]
    spec.properties = [{'key': 'scratch_mib', 'type': 'uint32', 'value': '4'}]
    path = ovfgen.build(os.path.join(work, 'b.ova'), spec, {})
    pool = os.path.join(work, 'pool')
    os.mkdir(pool)
    _appliance, jobs, created = pipeline.run(path, pool, properties={'scratch_mib': 6})
    assert jobs[0].blank and jobs[0].capacity == 6 << 20
    assert os.path.exists(created[0])


def test_units_and_qualifiers():
    assert unit_multiplier('byte * 2^30') == 1 << 30
    assert unit_multiplier('MegaBytes') == 1 << 20
    assert unit_multiplier('byte * 10^3') == 1000
    with pytest.raises(OvfError):
        unit_multiplier('hertz * 10^6')
    parsed = parse_qualifiers('MinLen(1),MaxLen(6) ValueMap{"Sugar", "", "E\\"scape", "Com,ma"}')
    assert parsed['value_map'] == ['Sugar', '', 'E"scape', 'Com,ma']
    assert parsed['min_len'] == 1 and parsed['max_len'] == 6


def test_property_validation(standard_ova):
    appliance = Appliance(standard_ova[0], 'warn')
    props = appliance.envelope.system().properties
    values = dict((p.key, v) for p, v in resolve_values(
        props, {'hostname': 'fw-01', 'ntp_enabled': False, 'mtu': 9000}, 'medium'))
    assert values['ntp_enabled'] == 'false' and values['mtu'] == '9000'
    for bad, code in (({'mtu': 100}, 'bad_property_range'), ({'mode': 'x'}, 'bad_property_choice'),
                      ({'nope': 1}, 'unknown_property'), ({'serial': 'x'}, 'not_configurable'),
                      ({'hostname': ''}, 'bad_property_length'),
                      ({'ntp_enabled': 'maybe'}, 'bad_property_type')):
        with pytest.raises(OvfError) as info:
            resolve_values(props, bad, 'medium')
        assert info.value.code == code
    with pytest.raises(OvfError) as info:
        resolve_values(props, {'admin_password': 's3cr'}, 'medium')
    assert 's3cr' not in str(info.value)


def test_ovf2_and_schema_lint(tmp_path, schema_dir):
    work = str(tmp_path)
    for version in (1, 2):
        spec, _files = ovfgen.standard_spec(work, name='v%d' % version, disk_formats=('raw',))
        spec.version = version
        desc = ovfgen.descriptor(spec)
        env = parse_envelope(desc)
        assert env.version == '%d.x' % version
        assert lint(desc, schema_dir)['valid'], lint(desc, schema_dir)['errors']


EXPECTED_COT = {
    'csr1000v.ovf': ('1.x', 27, 4, 3),
    'csr1000v_2017.ovf': ('1.x', 26, 4, 3),
    'input.ovf': ('1.x', 10, 3, 1),
    'iosv.ovf': ('1.x', 0, 4, 16),
    'minimal.ovf': ('1.x', 0, 0, 0),
    'ubuntu.2.0.ovf': ('2.x', 0, 0, 1),
    'v0.9.ovf': ('0.9', 0, 0, 1),
    'vmware.ovf': ('1.x', 1, 0, 1),
}


@pytest.mark.parametrize('name', sorted(EXPECTED_COT))
def test_real_world_descriptors(cot_dir, name):
    version, properties, configs, networks = EXPECTED_COT[name]
    env = parse_envelope(ovfgen.read(os.path.join(cot_dir, name)))
    assert env.version == version
    assert len(env.system().properties) == properties
    assert len(env.configurations) == configs
    assert len(env.networks) == networks


@pytest.mark.parametrize('name,code', [('invalid.ovf', 'dangling_reference'),
                                       ('ersatz_ovf_3.0.ovf', 'unknown_version')])
def test_real_world_invalid(cot_dir, name, code):
    with pytest.raises(OvfError) as info:
        parse_envelope(ovfgen.read(os.path.join(cot_dir, name)))
    assert info.value.code == code
