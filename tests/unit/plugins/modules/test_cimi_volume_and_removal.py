# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Results, actions and --diff of the steps chained after the reconcile engine's own: a volume's
attachment and a machine stopped before deletion (check mode: the store answers reads only)."""
from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.modules import cimi_machine, cimi_volume


def _attached_machine(store, volume, location='/dev/vdb'):
    machine = store.add('machines', 'web')
    machine['volumes'] = {'href': machine['id'] + '/volumes', 'count': 1,
                          'volumes': [{'volume': {'href': volume['id']}, 'initialLocation': location}]}
    return machine


def test_moving_an_attachment_detaches_then_attaches(store, run_module):
    volume = store.add('volumes', 'data')
    machine = _attached_machine(store, volume)
    args = {'endpoint': store.cep_url, 'name': 'data', 'attached_to': 'web', 'initial_location': '/dev/vdc'}
    result, code = run_module(cimi_volume, args, check_mode=True, diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['detach', 'attach']
    wanted = [{'machine': machine['id'], 'initial_location': '/dev/vdc'}]
    assert result['attachments'] == wanted
    assert result['diff'] == {
        'before': {'id': volume['id'], 'name': 'data', 'state': 'AVAILABLE',
                   'attachment': [{'machine': machine['id'], 'initial_location': '/dev/vdb'}]},
        'after': {'id': volume['id'], 'name': 'data', 'state': 'AVAILABLE', 'attachment': wanted}}
    assert store.writes() == []

    result, code = run_module(cimi_volume, dict(args, initial_location='/dev/vdb'), check_mode=True, diff=True)
    assert code == 0 and not result['changed'] and result['actions'] == []
    assert 'attachment' not in result['diff']['after']


def test_a_volume_created_in_check_mode_is_predicted_attached(store, run_module):
    machine = store.add('machines', 'web')
    args = {'endpoint': store.cep_url, 'name': 'new', 'capacity_gb': 1, 'attached_to': 'web'}
    result, code = run_module(cimi_volume, args, check_mode=True, diff=True)
    assert code == 0 and result['actions'] == ['create', 'attach']
    assert result['diff']['before'] == {'attachment': []}
    assert result['diff']['after']['attachment'] == [{'machine': machine['id'], 'initial_location': None}]


def test_deleting_an_attached_volume_detaches_it_first(store, run_module):
    volume = store.add('volumes', 'data')
    _attached_machine(store, volume)
    result, code = run_module(cimi_volume, {'endpoint': store.cep_url, 'name': 'data', 'state': 'absent'},
                              check_mode=True, diff=True)
    assert code == 0 and result['actions'] == ['detach', 'delete'] and result['attachments'] == []
    assert result['id'] == volume['id'] and result['volume'] == {}
    assert result['diff'] == {'before': {'id': volume['id'], 'name': 'data', 'state': 'AVAILABLE'}, 'after': {}}


def test_a_running_machine_without_delete_is_stopped_then_deleted(store, run_module):
    machine = store.add('machines', 'web', state='STARTED', operations=[
        {'rel': 'edit', 'href': 'machines/x'}, {'rel': 'http://schemas.dmtf.org/cimi/2/action/stop', 'href': 'x/stop'}])
    result, code = run_module(cimi_machine, {'endpoint': store.cep_url, 'name': 'web', 'state': 'absent'},
                              check_mode=True, diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['stop', 'delete']
    assert result['id'] == machine['id'] and result['cadf']['name'] == 'web'
    assert result['diff'] == {'before': {'id': machine['id'], 'name': 'web', 'state': 'STARTED'}, 'after': {}}

    result, code = run_module(cimi_machine, {'endpoint': store.cep_url, 'name': 'gone', 'state': 'absent'},
                              check_mode=True, diff=True)
    assert code == 0 and not result['changed'] and result['id'] is None
    assert result['diff'] == {'before': {}, 'after': {}}
