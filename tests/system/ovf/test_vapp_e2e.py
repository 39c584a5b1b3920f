# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovf_deploy of a three-system vApp (VirtualSystemCollection) on the real libvirtd."""
from __future__ import annotations

import json
import os

from lxml import etree

import realworld
from modrun import run_module
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import environment
from ansible_collections.cloudmgmt.dmtf.plugins.modules import ovf_deploy, ovf_info

SECRET = 'db&<pass>"word'
SYSTEMS = ('db', 'app', 'web')


def _args(path, name, pool, network, **extra):
    args = {'src': path, 'name': name, 'pool': pool,
            'networks': {'Frontend': network, 'Backend': network}, 'manifest': 'require',
            'properties': {'com.example.web.hostname': 'www', 'db.password': SECRET},
            'state': 'running', 'wait_timeout': 5}
    args.update(extra)
    return args


def _ours(conn, name):
    return sorted(d.name() for d in conn.listAllDomains() if d.name().startswith(name + '-'))


def test_vapp_lifecycle(conn, pool, network, tag, tmp_path, capsys, cleanup_domains):
    pool_name, pool_path = pool
    name = tag + '-shop'
    cleanup_domains.extend('%s-%s' % (name, s) for s in SYSTEMS)
    path = realworld.vapp(str(tmp_path))
    args = _args(path, name, pool_name, network)

    info, failed = run_module(ovf_info, {'src': path}, capsys)
    assert not failed and [s['id'] for s in info['systems']] == list(SYSTEMS)

    result, failed = run_module(ovf_deploy, args, capsys, check_mode=True, diff=True)
    assert not failed, result
    assert result['changed'] and os.listdir(pool_path) == []
    assert [s['system'] for s in result['plan']['systems']] == list(SYSTEMS)
    assert [e['system'] for e in result['events']] == list(SYSTEMS)
    assert len(result['plan']['volumes']) == 3

    result, failed = run_module(ovf_deploy, args, capsys)
    assert not failed, result
    assert SECRET not in json.dumps(result)
    assert _ours(conn, name) == sorted('%s-%s' % (name, s) for s in SYSTEMS)
    starts = [e for e in result['events'] if e['action'] == 'start']
    assert [e['system'] for e in starts] == list(SYSTEMS)
    assert starts[1]['time'] - starts[0]['time'] >= 2  # db's startDelay
    assert starts[2]['time'] - starts[1]['time'] >= 1  # app's startDelay
    assert all(s['domain']['state'] == 'running' for s in result['systems'])
    assert sorted(os.listdir(pool_path)) == sorted(result['volumes'])

    # Properties reach each system by class, by system prefix, and by default.
    envs = {}
    for system in SYSTEMS:
        xml = etree.fromstring(conn.lookupByName('%s-%s' % (name, system)).XMLDesc(0).encode())
        cdrom = xml.find('devices/disk[@device="cdrom"]/source').get('file')
        root = etree.fromstring(environment.read_iso_environment(cdrom))
        envs[system] = {p.get('{%s}key' % environment.ENV_NS): p.get('{%s}value' % environment.ENV_NS)
                        for p in root.iter('{%s}Property' % environment.ENV_NS)}
    assert envs['web']['com.example.web.hostname'] == 'www'
    assert envs['db']['com.example.db.password'] == SECRET
    assert envs['app']['com.example.app.hostname'] == 'app'

    for check in (True, False):
        again, failed = run_module(ovf_deploy, args, capsys, check_mode=check)
        assert not failed and again['changed'] is False, again
        assert again['events'] == []

    result, failed = run_module(ovf_deploy, dict(args, state='stopped'), capsys)
    assert not failed and result['changed']
    assert [e['system'] for e in result['events']] == list(reversed(SYSTEMS))
    assert all(s['domain']['state'] == 'shutoff' for s in result['systems'])

    result, failed = run_module(ovf_deploy, {'name': name, 'pool': pool_name, 'state': 'absent'},
                                capsys)
    assert not failed and result['changed'] and len(result['systems']) == 3
    assert _ours(conn, name) == [] and os.listdir(pool_path) == []
    result, failed = run_module(ovf_deploy, {'name': name, 'pool': pool_name, 'state': 'absent'},
                                capsys)
    assert not failed and not result['changed']


def test_vapp_failure_rolls_back_everything(conn, pool, network, tag, tmp_path, capsys,
                                            cleanup_domains):
    """The last system's volume name is taken: the two systems made before it are removed."""
    pool_name, pool_path = pool
    name = tag + '-roll'
    cleanup_domains.extend('%s-%s' % (name, s) for s in SYSTEMS)
    path = realworld.vapp(str(tmp_path))
    blocker = os.path.join(pool_path, '%s-web-disk1.qcow2' % name)
    open(blocker, 'wb').close()
    result, failed = run_module(ovf_deploy, _args(path, name, pool_name, network), capsys)
    assert failed and result['error_code'] == 'volume_exists', result
    assert _ours(conn, name) == []
    assert os.listdir(pool_path) == [os.path.basename(blocker)]

    os.unlink(blocker)
    bad = _args(path, name, pool_name, network, properties={'nope': 1})
    result, failed = run_module(ovf_deploy, bad, capsys)
    assert failed and result['error_code'] == 'unknown_property'
    bad = _args(path, name, pool_name, network, networks={'Frontend': network})
    result, failed = run_module(ovf_deploy, bad, capsys)
    assert failed and result['error_code'] == 'network_unmapped'
    assert _ours(conn, name) == [] and os.listdir(pool_path) == []
