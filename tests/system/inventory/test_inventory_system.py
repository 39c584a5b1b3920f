# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudmgmt.dmtf.cimi against the real reference provider, through the real ansible-inventory."""
from __future__ import annotations

import json
import os
from pathlib import Path

from inventory_support import inventory_list, plain, run, seed_fixed

EXPECTED = Path(__file__).parent / 'expected'
GOLDEN_CONFIG = '''page_size: 3
hostnames: [name, id]
compose:
  ansible_host: cimi_addresses[0]
  ram_mib: cimi_memory // 1024
groups:
  production: cimi_properties.tier | default('') == 'prod'
keyed_groups:
  - key: cimi_properties.role
    prefix: role
'''
# inventory/cloud.cimi.yml from USAGE.md, with the endpoint of the test provider.
USAGE_CONFIG = '''states: [STARTED]
filters:
  property[role]: web
hostnames: [name, id]
compose:
  ansible_host: cimi_addresses[0]
keyed_groups:
  - key: cimi_properties.role
    prefix: role
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: %s
'''


def golden(name: str, actual: str) -> None:
    path = EXPECTED / name
    if os.environ.get('UPDATE_GOLDEN'):
        path.write_text(actual)
    assert actual == path.read_text()


def normalised_list(cloud, tmp_path, config, *extra) -> str:
    data = json.loads(cloud.normalise(json.dumps(inventory_list(tmp_path, config, *extra))))
    return json.dumps(data, indent=2, sort_keys=True) + '\n'


def test_golden_list_and_graph(cloud, tmp_path):
    seed_fixed(cloud)
    config = cloud.config(tmp_path, GOLDEN_CONFIG)
    golden('list.json', normalised_list(cloud, tmp_path, config))
    graph = run(tmp_path, 'ansible-inventory', '-i', str(config), '--graph').stdout
    golden('graph.txt', cloud.normalise(graph))


def test_paging_does_not_change_the_result(cloud, tmp_path):
    seed_fixed(cloud)
    results = []
    for size in (1, 2, 3, 7, 500):
        config = cloud.config(tmp_path, GOLDEN_CONFIG.replace('page_size: 3', 'page_size: %d' % size))
        results.append(normalised_list(cloud, tmp_path, config))
    assert len(json.loads(results[0])['_meta']['hostvars']) == 7
    assert all(r == results[0] for r in results)


def test_seeded_machines_across_page_boundaries(tmp_path):
    from inventory_support import Cloud, ProviderProcess, WORKTREE
    provider = ProviderProcess(tmp_path / 'seeded.db', '--seed-machines', '23',
                               env={'PYTHONPATH': str(WORKTREE / 'provider')}, workdir=tmp_path)
    with provider:
        cloud = Cloud(provider)
        data = inventory_list(tmp_path, cloud.config(tmp_path, 'page_size: 5\n'))
    hostvars = plain(data['_meta']['hostvars'])
    assert sorted(hostvars) == ['bench-%05d' % n for n in range(1, 24)]
    assert all(len(v['cimi_interfaces']) == 2 and len(v['cimi_addresses']) == 2 for v in hostvars.values())
    assert len({v['ansible_host'] for v in hostvars.values()}) == 23


def test_empty_collection(cloud, tmp_path):
    data = inventory_list(tmp_path, cloud.config(tmp_path, 'page_size: 3\n'))
    assert data['_meta']['hostvars'] == {}
    assert data['all']['children'] == ['ungrouped']


def test_usage_inventory_file_and_filters(cloud, tmp_path):
    seed_fixed(cloud)
    config = cloud.config(tmp_path, USAGE_CONFIG % (tmp_path / 'cache'), name='cloud.cimi.yml')
    data = inventory_list(tmp_path, config)
    web = ['web-1', 'web-2', 'web-3', 'dup']  # started with role=web; the stopped 'dup' has no role
    assert sorted(data['_meta']['hostvars']) == sorted(web)
    assert sorted(data['role_web']['hosts']) == sorted(web)
    assert sorted(data['cimi_state_started']['hosts']) == sorted(web)
    assert sorted(data['cimi_config_m1_small']['hosts']) == sorted(web)
    web1 = plain(data['_meta']['hostvars']['web-1'])
    assert web1['ansible_host'] == web1['cimi_addresses'][0]


def test_raw_filter_string(cloud, tmp_path):
    seed_fixed(cloud)
    config = cloud.config(tmp_path, "filters: \"state='STOPPED' or property['role']='db'\"\n")
    data = inventory_list(tmp_path, config)
    # the two stopped machines and db-1; the stopped 'dup' is unique among them, so keeps its name
    assert sorted(data['_meta']['hostvars']) == ['batch', 'db-1', 'dup']


def test_warm_cache_needs_no_provider_and_flush_reads_again(cloud, tmp_path):
    seed_fixed(cloud)
    config = cloud.config(tmp_path, USAGE_CONFIG % (tmp_path / 'cache'), name='cloud.cimi.yml')
    cold = inventory_list(tmp_path, config)
    cloud.machine('web-4', properties={'role': 'web'})
    warm = inventory_list(tmp_path, config)
    assert warm == cold                     # served from the cache: web-4 is not seen yet
    flushed = inventory_list(tmp_path, config, '--flush-cache')
    assert sorted(flushed['_meta']['hostvars']) == sorted(list(cold['_meta']['hostvars']) + ['web-4'])
    cloud.provider.stop()                   # from here on, any HTTP request would fail
    assert inventory_list(tmp_path, config) == flushed
    failed = run(tmp_path, 'ansible-inventory', '-i', str(config), '--list', '--flush-cache', check=False)
    assert failed.returncode != 0
    assert 'cannot reach the CIMI endpoint' in failed.stderr and 'connection refused' in failed.stderr
    assert 'Traceback' not in failed.stderr


PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: The cached inventory does not know the machine added after it was cached
      ansible.builtin.assert:
        that: "'web-4' not in groups['role_web']"
    - name: Add web-4 through the provider's API
      ansible.builtin.uri:
        url: "{{ base }}machines"
        method: POST
        body_format: json
        status_code: [201, 202]
        body:
          resourceURI: http://schemas.dmtf.org/cimi/2/MachineCreate
          name: web-4
          properties: {role: web}
          machineTemplate:
            machineConfig: {href: "{{ base }}machineConfigs/m1-small"}
            machineImage: {href: "{{ base }}machineImages/debian-12"}
            initialState: STARTED
    - name: Refresh
      ansible.builtin.meta: refresh_inventory
    - name: The refreshed inventory has it
      ansible.builtin.assert:
        that: "'web-4' in groups['role_web']"
'''


def test_meta_refresh_inventory_bypasses_the_cache(cloud, tmp_path):
    seed_fixed(cloud)
    config = cloud.config(tmp_path, USAGE_CONFIG % (tmp_path / 'cache'), name='cloud.cimi.yml')
    inventory_list(tmp_path, config)       # warms the cache
    playbook = tmp_path / 'refresh.yml'
    playbook.write_text(PLAYBOOK)
    result = run(tmp_path, 'ansible-playbook', '-i', str(config), '-e', 'base=%s' % cloud.provider.base,
                 str(playbook))
    assert 'failed=0' in result.stdout
    assert 'web-4' in inventory_list(tmp_path, config)['role_web']['hosts']


def test_api_data_is_never_templated(cloud, tmp_path):
    marker = tmp_path / 'pwned'
    evil = "{{ lookup('pipe', 'touch %s') }}" % marker
    cloud.machine(evil, properties={'role': evil, 'note': '{% for x in range(3) %}x{% endfor %}'})
    config = cloud.config(tmp_path, 'compose:\n  copy: cimi_name\nkeyed_groups:\n'
                          '  - key: cimi_properties.role\n    prefix: role\n')
    data = inventory_list(tmp_path, config)
    assert list(data['_meta']['hostvars']) == [evil]
    hostvars = data['_meta']['hostvars'][evil]
    # ansible-inventory shows untrusted strings as such
    assert hostvars['cimi_name'] == {'__ansible_unsafe': evil}
    assert hostvars['cimi_properties']['role'] == {'__ansible_unsafe': evil}
    hostvars = plain(hostvars)
    assert hostvars['cimi_name'] == evil and hostvars['copy'] == evil
    assert hostvars['cimi_properties']['note'] == '{% for x in range(3) %}x{% endfor %}'
    result = run(tmp_path, 'ansible', 'all', '-i', str(config), '-c', 'local', '-m', 'ansible.builtin.debug',
                 '-a', '{"msg": "{{ cimi_name }} {{ cimi_properties.note }} {{ copy }}"}')
    assert 'SUCCESS' in result.stdout
    assert '%s {%% for x in range(3) %%}x{%% endfor %%} %s' % (evil, evil) in result.stdout
    assert not marker.exists()
