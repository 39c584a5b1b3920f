# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cimi_machine end to end against the in-process fake provider (the real one is in integration)."""
from __future__ import annotations

import uuid

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY
from ansible_collections.cloudmgmt.dmtf.plugins.modules import cimi_machine


def _writes(fake):
    return [r for r in fake.requests if r[0] != 'GET']


def test_missing_endpoint_is_a_clean_failure(run_module, monkeypatch):
    monkeypatch.delenv('CIMI_ENDPOINT', raising=False)
    result, code = run_module(cimi_machine, {'name': 'x'})
    assert code == 1 and 'CIMI_ENDPOINT' in result['msg'] and 'Traceback' not in result['msg']


def test_lifecycle_sequence(fake, run_module):
    fake.add_machine('other')
    base = {'endpoint': fake.cep_url, 'name': 'web', 'template': fake.base + 'machineTemplates/t1',
            'state': 'started', 'properties': {'role': 'web'}, 'password': 'hunter2-secret'}
    result, code = run_module(cimi_machine, base, check_mode=True, diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['create']
    assert result['diff']['after']['state'] == 'STARTED' and _writes(fake) == []

    result, code = run_module(cimi_machine, base)
    assert code == 0 and result['changed'] and result['machine']['state'] == 'STARTED'
    assert result['actions'] == ['create'] and fake.creates == 1
    create = [r for r in fake.requests if r[0] == 'POST' and r[1] == '/cimi/machines'][0][3]
    assert create['machineTemplate'] == {'href': fake.base + 'machineTemplates/t1', 'initialState': 'STARTED'}
    request_id = create['properties'].pop(REQUEST_ID_PROPERTY)
    assert create['properties'] == {'role': 'web'} and uuid.UUID(request_id)
    assert result['machine']['properties'][REQUEST_ID_PROPERTY] == request_id  # shown as the API shows it
    assert 'hunter2-secret' not in str(result)

    writes = len(_writes(fake))
    for check in (True, False):
        result, code = run_module(cimi_machine, base, check_mode=check)
        assert code == 0 and not result['changed'], result
    assert len(_writes(fake)) == writes

    result, code = run_module(cimi_machine, dict(base, state='stopped', description='maint', force=True), diff=True)
    assert result['changed'] and result['actions'] == ['update', 'stop']
    assert result['diff']['before']['state'] == 'STARTED' and result['diff']['after']['state'] == 'STOPPED'
    assert result['cadf']['typeURI'] == 'compute/machine' and result['cadf']['name'] == 'web'

    result, code = run_module(cimi_machine, dict(base, state='absent'))
    assert result['changed'] and result['machine'] == {} and result['cadf']['id']
    result, code = run_module(cimi_machine, dict(base, state='absent'))
    assert not result['changed']
    assert [m['name'] for m in fake.machines.values()] == ['other']


def test_create_without_image_fails_and_leaves_nothing(fake, run_module):
    result, code = run_module(cimi_machine, {'endpoint': fake.cep_url, 'name': 'x', 'cpu': 1, 'memory': 512})
    assert code == 1 and 'image' in result['msg'] and fake.creates == 0


def test_ambiguous_name_is_a_clean_failure(fake, run_module):
    fake.add_machine('dup')
    fake.add_machine('dup')
    result, code = run_module(cimi_machine, {'endpoint': fake.cep_url, 'name': 'dup', 'state': 'absent'})
    assert code == 1 and 'ambiguous' in result['msg'] and len(fake.machines) == 2


def test_provider_error_is_reported_with_status_and_message(fake, run_module):
    fake.add_fault('GET', '/cimi/machines', status=500,
                   body={'id': '', 'state': 'FAILED', 'returnCode': 77, 'statusMessage': 'store offline'})
    result, code = run_module(cimi_machine, {'endpoint': fake.cep_url, 'name': 'x', 'retries': 0})
    assert code == 1 and 'store offline' in result['msg'] and result['status'] == 500
    assert result['return_code'] == 77 and 'exception' not in result


def test_create_answered_after_the_timeout_returns_the_resource_once(fake, run_module):
    fake.add_fault('POST', '/cimi/machines', late_answer=2.0)
    args = {'endpoint': fake.cep_url, 'name': 'late', 'template': fake.base + 'machineTemplates/t1',
            'timeout': 0.5}
    result, code = run_module(cimi_machine, args)
    assert code == 0 and result['changed'], result
    assert result['machine']['name'] == 'late' and 'recovered-after-ambiguous-create' in result['actions']
    assert fake.creates == 1 and [r[0] for r in fake.requests if r[1] == '/cimi/machines'].count('POST') == 1


def test_changed_and_id_when_the_wait_fails_after_the_create(fake, run_module):
    """The provider accepted the create, then its jobs stop answering (a lost provider)."""
    for unused in range(4):
        fake.add_fault('GET', '/cimi/jobs/', status=503, raw=b'gone')
    result, code = run_module(cimi_machine, {'endpoint': fake.cep_url, 'name': 'late', 'state': 'started',
                                             'template': fake.base + 'machineTemplates/t1', 'retries': 3})
    assert code == 1 and result['changed'] is True and result['actions'] == ['create']
    assert result['id'] == [m['id'] for m in fake.machines.values() if m['name'] == 'late'][0]
    assert result['msg'].startswith('the provider accepted create of %s, then: ' % result['id'])


def test_machine_id_of_a_volume_fails_without_waiting(fake, run_module):
    volume = fake.add('volumes', 'data')
    result, code = run_module(cimi_machine, {'endpoint': fake.cep_url, 'id': volume['id'], 'state': 'stopped'})
    assert code == 1 and 'is a Volume, not a Machine' in result['msg'] and _writes(fake) == []


def test_properties_coerced_alike_on_create_and_update(fake, run_module):
    base = {'endpoint': fake.cep_url, 'name': 'p', 'template': fake.base + 'machineTemplates/t1',
            'properties': {'port': 8080, 'on': True}}
    result, code = run_module(cimi_machine, base)
    assert code == 0 and result['machine']['properties']['port'] == '8080'
    assert result['machine']['properties']['on'] == 'true'
    result, code = run_module(cimi_machine, base)
    assert code == 0 and not result['changed']
    result, code = run_module(cimi_machine, dict(base, properties={'extra': 1}, purge_properties=False))
    assert code == 0 and result['changed']
    props = dict(result['machine']['properties'])
    props.pop(REQUEST_ID_PROPERTY)
    assert props == {'port': '8080', 'on': 'true', 'extra': '1'}
    result, code = run_module(cimi_machine, dict(base, properties={'bad': [1]}))
    assert code == 1 and "'bad' is a list" in result['msg']


def test_cimi1_peer_with_a_dangling_addresses_collection(run_module, monkeypatch):
    """A 1.x peer advertises networkInterfaces/.../addresses that answers 404: the machine was
    created, so the task succeeds, with the interface it could read and a warning."""
    from ansible.module_utils.basic import AnsibleModule
    from fake_cimi import FakeCimi

    warned = []  # the unit tests run as the controller: module warnings go to its display
    monkeypatch.setattr(AnsibleModule, 'warn', lambda self, warning, **kw: warned.append(warning))
    with FakeCimi(version=1, dangling_addresses=True) as peer:
        args = {'endpoint': peer.cep_url, 'name': 'old-peer', 'state': 'started',
                'template': peer.base + 'machineTemplates/t1'}
        result, code = run_module(cimi_machine, args)
        assert code == 0, result
        assert result['changed'] and result['actions'] == ['create'] and peer.creates == 1
        assert result['machine']['state'] == 'STARTED'
        assert [i['mac_address'] for i in result['interfaces']] == ['52:54:00:00:00:01']
        assert result['interfaces'][0]['addresses'] == [] and result['addresses'] == []
        assert len(warned) == 1 and 'addresses of ' in warned[0] and '404' in warned[0], warned
        again, code = run_module(cimi_machine, args)
        assert code == 0 and not again['changed'] and len(warned) == 2
        assert [p[1] for p in peer.requests if p[0] == 'POST'] == ['/cimi/machines']
