# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovf_deploy end to end on the real libvirtd."""
from __future__ import annotations

import json
import os
import subprocess

from lxml import etree

import hostile
import ovfgen
from modrun import run_module
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import kvm
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import environment, schema
from ansible_collections.cloudmgmt.dmtf.plugins.modules import ovf_deploy

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SCHEMAS = os.path.join(ROOT, 'tests', 'ovf_fixtures', 'schemas')
SECRET = 'Sup3r&<secret>"'


def _args(path, name, pool, network, **extra):
    args = {'src': path, 'name': name, 'pool': pool,
            'networks': {'VM Network': network, 'Inside': network},
            'deployment_option': 'small', 'accept_eula': True, 'manifest': 'require',
            'properties': {'hostname': name, 'admin_password': SECRET, 'mtu': 1400},
            'state': 'running', 'wait_timeout': 5}
    args.update(extra)
    return args


def test_deploy_lifecycle(conn, pool, network, tag, tmp_path, capsys, cleanup_domains):
    pool_name, pool_path = pool
    name = tag + '-vm'
    cleanup_domains.append(name)
    spec, files = ovfgen.standard_spec(str(tmp_path), disk_formats=('vmdk', 'qcow2'))
    path = ovfgen.build(str(tmp_path / 'a.ova'), spec, files)
    args = _args(path, name, pool_name, network)

    result, failed = run_module(ovf_deploy, args, capsys, check_mode=True, diff=True)
    assert not failed, result
    assert result['changed'] and result['domain'] is None
    assert os.listdir(pool_path) == []
    volumes = [v['volume'] for v in result['plan']['volumes']]
    assert volumes == [name + '-disk1.qcow2', name + '-disk2.qcow2']

    result, failed = run_module(ovf_deploy, args, capsys)
    assert not failed, result
    assert result['changed'] and result['domain']['state'] == 'running'
    kvm.forget()  # probe again, independently of the module's run
    assert result['domain']['type'] == kvm.domain_type(conn, tag + 'kvm-probe')
    assert result['cadf'] == {'typeURI': 'compute/machine', 'id': result['domain']['uuid'],
                              'name': name}
    assert SECRET not in json.dumps(result)
    assert sorted(os.listdir(pool_path)) == sorted(result['volumes'])
    for volume in result['volumes'][:2]:
        info = json.loads(subprocess.check_output(
            ['qemu-img', 'info', '-U', '--output=json', os.path.join(pool_path, volume)]))
        assert info['format'] == 'qcow2'
    dom = conn.lookupByName(name)
    xml = etree.fromstring(dom.XMLDesc(0).encode())
    assert xml.findtext('vcpu') == '1'
    assert int(xml.findtext('memory')) == 128 * 1024
    assert [m.get('type') for m in xml.findall('devices/interface/model')] == ['virtio', 'e1000']
    cdrom = xml.find('devices/disk[@device="cdrom"]/source').get('file')
    env_xml = environment.read_iso_environment(cdrom)
    root = etree.fromstring(env_xml)
    props = {p.get('{%s}key' % environment.ENV_NS): p.get('{%s}value' % environment.ENV_NS)
             for p in root.iter('{%s}Property' % environment.ENV_NS)}
    assert props['hostname'] == name and props['admin_password'] == SECRET
    assert props['mtu'] == '1400' and props['serial'] == 'S-0001'
    assert schema.lint(env_xml, SCHEMAS)['valid']

    # Idempotent in check mode and for real.
    for check in (True, False):
        again, failed = run_module(ovf_deploy, args, capsys, check_mode=check)
        assert not failed and again['changed'] is False, again
        assert again['changed_options'] == []

    # Safe change (memory, properties) is applied by redefining; redeploy-only change reported.
    changed_args = dict(args, memory=256, properties=dict(args['properties'], hostname='renamed'),
                        disk_format='raw')
    result, failed = run_module(ovf_deploy, changed_args, capsys)
    assert not failed, result
    assert set(result['changed_options']) == {'memory', 'properties', 'disk_format'}
    assert set(result['applied_options']) == {'memory', 'properties'}
    xml = etree.fromstring(conn.lookupByName(name).XMLDesc(2).encode())
    assert int(xml.findtext('memory')) == 256 * 1024
    assert b'renamed' in environment.read_iso_environment(cdrom)

    result, failed = run_module(ovf_deploy, dict(changed_args, state='stopped'), capsys)
    assert not failed and result['changed'] and result['domain']['state'] == 'shutoff'

    # absent removes the domain and only its volumes.
    stranger = os.path.join(pool_path, 'not-ours.img')
    open(stranger, 'wb').close()
    result, failed = run_module(ovf_deploy, {'name': name, 'pool': pool_name, 'state': 'absent'},
                                capsys)
    assert not failed and result['changed']
    assert os.listdir(pool_path) == ['not-ours.img']
    result, failed = run_module(ovf_deploy, {'name': name, 'pool': pool_name, 'state': 'absent'},
                                capsys)
    assert not failed and not result['changed']


def test_deploy_raw_disks_present_only(conn, pool, network, tag, tmp_path, capsys,
                                       cleanup_domains):
    pool_name, pool_path = pool
    name = tag + '-raw'
    cleanup_domains.append(name)
    spec, files = ovfgen.standard_spec(str(tmp_path), disk_formats=('raw',))
    path = ovfgen.build(str(tmp_path / 'a.ova'), spec, files, algorithm='sha1')
    result, failed = run_module(ovf_deploy, _args(path, name, pool_name, network,
                                                  disk_format='raw', state='present',
                                                  deployment_option='large'), capsys)
    assert not failed, result
    assert result['domain']['state'] == 'shutoff'
    assert result['plan']['cpus'] == 2
    info = json.loads(subprocess.check_output(
        ['qemu-img', 'info', '--output=json', os.path.join(pool_path, name + '-disk1.raw')]))
    assert info['format'] == 'raw' and info['virtual-size'] == 8 << 20
    run_module(ovf_deploy, {'name': name, 'pool': pool_name, 'state': 'absent'}, capsys)


def test_failures_leave_nothing(conn, pool, network, tag, tmp_path, capsys, cleanup_domains):
    pool_name, pool_path = pool
    name = tag + '-bad'
    cleanup_domains.append(name)
    spec, files = ovfgen.standard_spec(str(tmp_path))
    path = ovfgen.build(str(tmp_path / 'a.ova'), spec, files)
    for extra, code in (({'accept_eula': False}, 'eula_not_accepted'),
                        ({'networks': {'VM Network': network}}, 'network_unmapped'),
                        ({'networks': {'VM Network': 'ovft-missing', 'Inside': network}},
                         'no_network'),
                        ({'properties': {'mtu': 1}}, 'bad_property_range'),
                        ({'deployment_option': 'huge'}, 'unknown_deployment_option')):
        result, failed = run_module(ovf_deploy, _args(path, name, pool_name, network, **extra),
                                    capsys)
        assert failed and result['error_code'] == code, result
    for case in ('manifest_mismatch_disk', 'vmdk_host_file', 'capacity_lie'):
        work = tmp_path / case
        work.mkdir()
        bad, extra, code = hostile.build_case(case, str(work))
        result, failed = run_module(ovf_deploy, _args(bad, name, pool_name, network,
                                                      manifest='warn', deployment_option=None,
                                                      properties={}, **extra), capsys)
        assert failed and result['error_code'] == code, result
    assert os.listdir(pool_path) == []
    assert name not in [d.name() for d in conn.listAllDomains()]
