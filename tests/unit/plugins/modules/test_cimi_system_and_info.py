# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cimi_system_template and cimi_system bodies, and the *_info modules' filters and lookups, against
the in-process generic store (the real provider is in integration)."""
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.modules import (
    cimi_job_info, cimi_machine_info, cimi_network_info, cimi_system, cimi_system_template, cimi_volume_info)

NS = 'http://schemas.dmtf.org/cimi/2/'


# ---- cimi_system_template ---------------------------------------------------------------------

def test_system_template_descriptors(store, run_module):
    machine_template = store.add('machineTemplates', 'web-mt')
    components = [
        {'name': 'web', 'type': 'machine', 'quantity': 3, 'template': 'web-mt',
         'template_value': {'initialState': 'STARTED'}},
        {'name': 'net', 'type': 'network', 'template_value': {'initialState': 'STOPPED'}},
        {'name': 'data', 'type': 'volume', 'template_value': {'volumeConfig': {'href': 'volumeConfigs/x'}}},
    ]
    result, code = run_module(cimi_system_template, {'endpoint': store.cep_url, 'name': 'st1',
                                                     'components': components})
    assert code == 0 and result['changed']
    body = store.posted('systemTemplates')[0]
    assert body['resourceURI'] == NS + 'SystemTemplate'
    assert body['componentDescriptors'] == [
        {'name': 'web', 'type': NS + 'Machine', 'quantity': 3,
         'machineTemplate': {'initialState': 'STARTED', 'href': machine_template['id']}},
        {'name': 'net', 'type': NS + 'Network', 'quantity': 1, 'networkTemplate': {'initialState': 'STOPPED'}},
        {'name': 'data', 'type': NS + 'Volume', 'quantity': 1,
         'volumeTemplate': {'volumeConfig': {'href': 'volumeConfigs/x'}}},
    ]


@pytest.mark.parametrize('components, message', [
    (None, 'components are needed'),
    ([{'name': 'x', 'type': 'router'}], 'router'),
    ([{'type': 'machine'}], 'name'),
    ([{'name': 'x', 'type': 'machine', 'template': 'no-such'}], "no machine template named 'no-such'"),
])
def test_system_template_bad_components(store, run_module, components, message):
    args = {'endpoint': store.cep_url, 'name': 'st2'}
    if components is not None:
        args['components'] = components
    result, code = run_module(cimi_system_template, args)
    assert code == 1 and message in result['msg'] and store.writes() == []


# ---- cimi_system ------------------------------------------------------------------------------

def test_system_create_body_references_the_template(store, run_module):
    template = store.add('systemTemplates', 'tier')
    args = {'endpoint': store.cep_url, 'name': 's1', 'template': 'tier', 'description': 'd',
            'properties': {'env': 'test', 'n': 1}}
    result, code = run_module(cimi_system, args)
    assert code == 0 and result['changed'] and result['actions'] == ['create']
    assert store.posted('systems') == [{'resourceURI': NS + 'SystemCreate', 'name': 's1', 'description': 'd',
                                        'properties': {'env': 'test', 'n': '1'},
                                        'systemTemplate': {'href': template['id']}}]
    assert result['cadf'] == {'typeURI': 'compute/system', 'id': result['id'], 'name': 's1'}


def test_system_check_mode_predicts_the_target_state(store, run_module):
    store.add('systemTemplates', 'tier')
    result, code = run_module(cimi_system, {'endpoint': store.cep_url, 'name': 's2', 'template': 'tier',
                                            'state': 'started'}, check_mode=True, diff=True)
    assert code == 0 and store.writes() == []
    assert result['diff']['after'] == {'name': 's2', 'state': 'STARTED'}


def test_system_absent_deletes_and_is_idempotent(store, run_module):
    system = store.add('systems', 's3')
    result, code = run_module(cimi_system, {'endpoint': store.cep_url, 'name': 's3', 'state': 'absent'})
    assert code == 0 and result['changed'] and result['system'] == {} and result['cadf']['id'] == system['id']
    result, code = run_module(cimi_system, {'endpoint': store.cep_url, 'name': 's3', 'state': 'absent'})
    assert code == 0 and not result['changed']


def test_system_in_error_can_still_be_deleted(store, run_module):
    store.add('systems', 's4', state='ERROR')
    result, code = run_module(cimi_system, {'endpoint': store.cep_url, 'name': 's4', 'state': 'absent'})
    assert code == 0 and result['changed'] and store.resources['systems'] == {}
    store.add('systems', 's5', state='ERROR')
    result, code = run_module(cimi_system, {'endpoint': store.cep_url, 'name': 's5', 'description': 'x'})
    assert code == 1 and 'ERROR' in result['msg']


@pytest.mark.parametrize('args, message', [
    ({'name': 's6'}, 'a template is needed'),
    ({'name': 's6', 'template': 'missing'}, "no system template named 'missing'"),
    ({'name': 's6', 'state': 'paused'}, 'state'),
    ({'template': 'tier'}, 'one of the following is required: name, id'),
])
def test_system_bad_arguments(store, run_module, args, message):
    result, code = run_module(cimi_system, dict(args, endpoint=store.cep_url))
    assert code == 1 and message in result['msg'] and store.writes() == []


# ---- *_info -----------------------------------------------------------------------------------

INFO = [(cimi_machine_info, 'machines'), (cimi_volume_info, 'volumes'),
        (cimi_network_info, 'networks'), (cimi_job_info, 'jobs')]


@pytest.mark.parametrize('module, key', INFO)
def test_info_sends_filters_and_rechecks_names(store, run_module, module, key):
    store.add(key, 'a', state='X')
    store.add(key, 'b', state='X')
    result, code = run_module(module, {'endpoint': store.cep_url, 'name': 'a'}, check_mode=True)
    assert code == 0 and not result['changed']
    assert [r['name'] for r in result[key]] == ['a']  # the store ignores $filter: the module re-checks
    result, code = run_module(module, {'endpoint': store.cep_url,
                                       'filters': {'state': ['X', 'Y'], 'property[role]': 'web', 'cpu': 2}})
    assert code == 0 and len(result[key]) == 2
    assert store.filters_sent(key) == [
        "name='a'",
        "(cpu=2) and (property['role']='web') and ((state='X') or (state='Y'))"]
    assert store.writes() == []


@pytest.mark.parametrize('module, key', INFO)
def test_info_by_id_and_a_missing_id(store, run_module, module, key):
    found = store.add(key, 'a')
    result, code = run_module(module, {'endpoint': store.cep_url, 'id': found['id']})
    assert code == 0 and [r['id'] for r in result[key]] == [found['id']]
    result, code = run_module(module, {'endpoint': store.cep_url, 'id': store.base + key + '/gone'})
    assert code == 0 and result[key] == []


@pytest.mark.parametrize('filters, message', [
    ({'state': {'is': 'X'}}, "filters['state']: cannot use a dict"),
    ({'capacity': -1}, "filters['capacity']: CIMI filter integers are non-negative"),
    ({'a b': 'x'}, "filters['a b']: invalid CIMI attribute name"),
])
def test_info_bad_filters_fail_before_any_query(store, run_module, filters, message):
    result, code = run_module(cimi_volume_info, {'endpoint': store.cep_url, 'filters': filters})
    assert code == 1 and result['msg'].startswith(message) and 'exception' not in result
    assert store.filters_sent('volumes') == []


def test_info_id_excludes_name_and_filters(store, run_module):
    result, code = run_module(cimi_network_info, {'endpoint': store.cep_url, 'id': 'x', 'name': 'y'})
    assert code == 1 and 'mutually exclusive' in result['msg']
    result, code = run_module(cimi_job_info, {'endpoint': store.cep_url, 'id': 'x', 'filters': {'state': 'X'}})
    assert code == 1 and 'mutually exclusive' in result['msg']


def test_machine_info_adds_addresses_from_expanded_interfaces(store, run_module):
    store.add('machines', 'web', interfaces={'count': 1, 'interfaces': [
        {'id': 'i1', 'state': 'ACTIVE', 'network': {'href': store.base + 'networks/n1'},
         'macAddress': '52:54:00:00:00:01', 'mtu': 1500,
         'endpoints': {'count': 2, 'endpoints': [{'address': '192.0.2.10'}, {'address': '192.0.2.11'}]}},
        {'id': 'i2', 'state': 'ENABLED', 'macAddress': '52:54:00:00:00:02', 'mtu': 1500,
         'endpoints': {'count': 1, 'endpoints': [{'address': '127.0.0.1', 'properties': {'port': '42201'}}]}}]})
    result, code = run_module(cimi_machine_info, {'endpoint': store.cep_url, 'name': 'web'})
    assert code == 0
    machine = result['machines'][0]
    assert machine['addresses'] == ['192.0.2.10', '192.0.2.11', '127.0.0.1']
    assert machine['network_interfaces'] == [{'id': 'i1', 'state': 'ACTIVE', 'network': store.base + 'networks/n1',
                                              'mac_address': '52:54:00:00:00:01', 'mtu': 1500,
                                              'addresses': ['192.0.2.10', '192.0.2.11'], 'ports': {}},
                                             {'id': 'i2', 'state': 'ENABLED', 'network': None,
                                              'mac_address': '52:54:00:00:00:02', 'mtu': 1500,
                                              'addresses': ['127.0.0.1'], 'ports': {'127.0.0.1': 42201}}]


def test_info_expand_is_sent(store, run_module):
    store.add('volumes', 'v')
    result, code = run_module(cimi_volume_info, {'endpoint': store.cep_url, 'expand': ['attachments', 'meta']})
    assert code == 0
    gets = [r for r in store.requests if r[0] == 'GET' and r[1] == '/cimi/volumes' and '$expand' in r[2]]
    assert gets and gets[0][2]['$expand'] == ['attachments,meta']


def test_machine_info_interfaces_key_and_old_alias(store, run_module):
    store.add('machines', 'web', interfaces={'count': 1, 'interfaces': [
        {'id': 'i1', 'state': 'ACTIVE', 'endpoints': {'count': 1, 'endpoints': [{'address': '192.0.2.10'}]}}]})
    result, code = run_module(cimi_machine_info, {'endpoint': store.cep_url, 'name': 'web'})
    machine = result['machines'][0]
    assert code == 0 and machine['interfaces'] == machine['network_interfaces']
    assert machine['interfaces'][0]['addresses'] == ['192.0.2.10']


def test_machine_info_expands_interfaces_by_default_and_pages(fake, run_module):
    """250 machines with an interface each: the CEP and 3 pages of 100, nothing per machine."""
    from fake_cimi import machine
    fake.add_machines([machine(n, base=fake.base) for n in range(1, 251)])
    result, code = run_module(cimi_machine_info, {'endpoint': fake.cep_url})
    assert code == 0 and len(result['machines']) == 250
    assert all(m['addresses'] for m in result['machines'])
    gets = [r for r in fake.requests if r[0] == 'GET']
    assert len(gets) == 4, [r[1] for r in gets]
    assert gets[1][2]['$expand'] == ['interfaces,interfaces/endpoints']


def test_info_by_id_of_another_kind_fails_at_once(store, run_module):
    volume = store.add('volumes', 'v')
    result, code = run_module(cimi_machine_info, {'endpoint': store.cep_url, 'id': volume['id']})
    assert code == 1 and 'is a Volume, not a Machine' in result['msg']
