# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine against the in-process fake provider."""
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import (
    Reconciler, ResourceKind, changed_fields)

MACHINE = ResourceKind('machines', 'Machine', 'compute/machine', 'machine',
                       stable_states=['STARTED', 'STOPPED'])


def _writes(fake):
    return [r for r in fake.requests if r[0] != 'GET']


def test_changed_fields_only_compares_what_the_user_set():
    current = {'name': 'a', 'description': 'd', 'properties': {'k': 'v'}, 'cpu': 2}
    assert changed_fields(current, {'name': 'a', 'description': None, 'cpu': None}) == {}
    assert changed_fields(current, {'properties': {'k': 1}}) == {'properties': {'k': '1'}}
    assert changed_fields({'name': 'a'}, {'description': ''}) == {}
    assert changed_fields(current, {'description': 'e'}) == {'description': 'e'}


def test_the_create_tag_is_never_drift_and_an_update_keeps_it():
    tag = {REQUEST_ID_PROPERTY: '6f1c2a9e-0000-4000-8000-000000000001'}
    current = {'name': 'a', 'properties': dict(tag, role='web')}
    assert changed_fields(current, {'properties': {'role': 'web'}}) == {}
    assert changed_fields(current, {'properties': {'role': 'db'}}) == {'properties': dict(tag, role='db')}
    assert changed_fields({'properties': tag}, {'properties': {}}) == {}


def test_check_mode_create_sends_nothing_and_predicts(fake, make_client):
    engine = Reconciler(make_client(fake), MACHINE, check_mode=True)
    assert engine.find(name='web') is None
    predicted = engine.create({'name': 'web'}, {'name': 'web', 'state': 'STOPPED'})
    assert engine.changed and predicted['state'] == 'STOPPED'
    assert _writes(fake) == [] and fake.creates == 0
    result = engine.result(predicted, diff_mode=True)
    assert result['diff'] == {'before': {}, 'after': {'name': 'web', 'state': 'STOPPED'}}
    assert result['cadf'] == {'typeURI': 'compute/machine', 'id': None, 'name': 'web'}


def test_create_then_idempotent_then_update_then_delete(fake, make_client):
    client = make_client(fake)
    engine = Reconciler(client, MACHINE)
    machine = engine.create({'name': 'web'}, {'name': 'web'})
    assert machine['state'] == 'STOPPED' and fake.creates == 1
    result = engine.result(machine)
    assert result['changed'] and result['cadf']['id'] == machine['id']

    again = Reconciler(client, MACHINE)
    current = again.find(name='web')
    same = again.update(current, {'name': 'web', 'properties': None})
    assert not again.changed and same == current

    check = Reconciler(client, MACHINE, check_mode=True)
    predicted = check.update(current, {'description': 'new'})
    assert check.changed and predicted['description'] == 'new'
    assert 'description' not in client.get(current['id'])

    upd = Reconciler(client, MACHINE)
    updated = upd.update(current, {'description': 'new'})
    assert upd.changed and updated['description'] == 'new'
    assert upd.result(updated, diff_mode=True)['diff']['before'].get('description') is None

    gone = Reconciler(client, MACHINE)
    gone.delete(gone.find(name='web'))
    assert gone.changed and client.get_optional(current['id']) is None
    assert gone.result(None, diff_mode=True)['diff']['after'] == {}

    again = Reconciler(client, MACHINE)
    again.delete(again.find(name='web'))
    assert not again.changed


def test_act_waits_for_state_and_check_mode_predicts(fake, make_client):
    machine = fake.add_machine('web', state='STOPPED')
    client = make_client(fake)
    check = Reconciler(client, MACHINE, check_mode=True)
    predicted = check.act(machine, 'start', ['STARTED'])
    assert predicted['state'] == 'STARTED' and _writes(fake) == []
    engine = Reconciler(client, MACHINE)
    started = engine.act(client.get(machine['id']), 'start', ['STARTED'])
    assert started['state'] == 'STARTED' and engine.actions == ['start']


def test_a_broken_resource_blocks_updates_but_not_deletion(fake, make_client):
    broken = fake.add_machine('broken', state='ERROR')
    engine = Reconciler(make_client(fake), MACHINE)
    current = engine.find(name='broken')
    with pytest.raises(CimiError, match='in state ERROR'):
        engine.wait_stable(current)
    assert engine.wait_stable(current, fail_ok=True)['state'] == 'ERROR'
    engine.delete(current)
    assert engine.changed and broken['id'] not in [m['id'] for m in fake.machines.values()]


def test_find_asks_again_without_expand_when_the_provider_refuses_it(fake, make_client):
    fake.add_machine('web')
    fake.add_fault('GET', '/cimi/machines', status=400)
    engine = Reconciler(make_client(fake), MACHINE)
    assert engine.find(name='web', expand='interfaces,interfaces/endpoints')['name'] == 'web'
    lookups = [r[2] for r in fake.requests if r[0] == 'GET' and r[1] == '/cimi/machines']
    assert [q.get('$expand') for q in lookups] == [['interfaces,interfaces/endpoints'], None]


def test_find_does_not_hide_other_errors(fake, make_client):
    fake.add_fault('GET', '/cimi/machines', status=403)
    with pytest.raises(CimiError) as info:
        Reconciler(make_client(fake), MACHINE).find(name='web', expand='interfaces')
    assert info.value.status == 403


def test_a_name_lookup_tells_the_add_href_so_a_create_needs_no_extra_read(fake, make_client):
    client = make_client(fake)
    assert client.find_one('machines', 'web') is None
    assert client.add_href('machines') == fake.base + 'machines'
    reads = [r[2] for r in fake.requests if r[0] == 'GET' and r[1] == '/cimi/machines']
    assert len(reads) == 1 and '$filter' in reads[0]
