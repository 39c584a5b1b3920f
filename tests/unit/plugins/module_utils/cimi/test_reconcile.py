# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine against the in-process fake provider."""
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import (
    Outcome, Reconciler, ResourceKind, changed_fields)

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
    outcome = engine.create({'name': 'web'}, {'name': 'web', 'state': 'STOPPED'})
    assert outcome.changed and outcome.created and outcome.resource['state'] == 'STOPPED'
    assert _writes(fake) == [] and fake.creates == 0
    result = engine.result(outcome, diff_mode=True)
    assert result['diff'] == {'before': {}, 'after': {'name': 'web', 'state': 'STOPPED'}}
    assert result['cadf'] == {'typeURI': 'compute/machine', 'id': None, 'name': 'web'}


def test_create_then_idempotent_then_update_then_delete(fake, make_client):
    client = make_client(fake)
    engine = Reconciler(client, MACHINE)
    created = engine.create({'name': 'web'}, {'name': 'web'})
    machine = created.resource
    assert machine['state'] == 'STOPPED' and fake.creates == 1 and created.actions == ('create',)
    result = engine.result(created)
    assert result['changed'] and result['cadf']['id'] == machine['id']

    current = engine.find(name='web')
    same = engine.update(current, {'name': 'web', 'properties': None})
    assert not same.changed and same.resource == current

    predicted = Reconciler(client, MACHINE, check_mode=True).update(current, {'description': 'new'})
    assert predicted.changed and predicted.resource['description'] == 'new'
    assert 'description' not in client.get(current['id'])

    updated = engine.update(current, {'description': 'new'})
    assert updated.changed and updated.resource['description'] == 'new'
    assert engine.result(updated, diff_mode=True)['diff']['before'].get('description') is None

    gone = engine.delete(engine.find(name='web'))
    assert gone.changed and client.get_optional(current['id']) is None
    assert engine.result(gone, diff_mode=True)['diff']['after'] == {}

    assert not engine.delete(engine.find(name='web')).changed


def test_act_waits_for_state_and_check_mode_predicts(fake, make_client):
    machine = fake.add_machine('web', state='STOPPED')
    client = make_client(fake)
    predicted = Reconciler(client, MACHINE, check_mode=True).act(machine, 'start', ['STARTED'])
    assert predicted.resource['state'] == 'STARTED' and _writes(fake) == []
    started = Reconciler(client, MACHINE).act(client.get(machine['id']), 'start', ['STARTED'])
    assert started.resource['state'] == 'STARTED' and started.actions == ('start',)


def test_outcomes_chain_actions_and_keep_the_first_before_view():
    first = Outcome({'id': 'm', 'state': 'STARTED'}, ['stop'], {'id': 'm', 'state': 'STARTED'},
                    {'id': 'm', 'state': 'STOPPED'})
    chained = first.then(Outcome(None, ['delete'], {'id': 'm', 'state': 'STOPPED'}, {}))
    assert chained.actions == ('stop', 'delete') and chained.resource is None
    assert chained.before == {'id': 'm', 'state': 'STARTED'} and chained.after == {}
    assert not Outcome({'id': 'm'}).then(Outcome({'id': 'm'})).changed


def test_a_broken_resource_blocks_updates_but_not_deletion(fake, make_client):
    broken = fake.add_machine('broken', state='ERROR')
    engine = Reconciler(make_client(fake), MACHINE)
    current = engine.find(name='broken')
    with pytest.raises(CimiError, match='in state ERROR'):
        engine.wait_stable(current)
    assert engine.wait_stable(current, fail_ok=True)['state'] == 'ERROR'
    assert engine.delete(current).changed
    assert broken['id'] not in [m['id'] for m in fake.machines.values()]


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


def test_properties_coercion_one_rule_and_refusals():
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import coerce_properties
    assert coerce_properties({'port': 8080, 'on': True, 'off': False, 'ratio': 0.5, 's': 'x'}) == {
        'port': '8080', 'on': 'true', 'off': 'false', 'ratio': '0.5', 's': 'x'}
    for bad, word in (([1], 'a list'), ({'a': 1}, 'a mapping'), (None, 'null')):
        with pytest.raises(CimiError) as info:
            coerce_properties({'k': bad})
        assert "'k' is %s" % word in str(info.value)


def test_purge_properties_false_merges_and_keeps_other_keys():
    current = {'properties': {'a': '1', 'b': '2', REQUEST_ID_PROPERTY: 'r'}}
    assert changed_fields(current, {'properties': {'a': '1'}}, purge_properties=False) == {}
    assert changed_fields(current, {'properties': {'c': 3}}, purge_properties=False) == {
        'properties': {'a': '1', 'b': '2', 'c': '3', REQUEST_ID_PROPERTY: 'r'}}
    assert changed_fields(current, {'properties': {'a': '1'}}) == {
        'properties': {'a': '1', REQUEST_ID_PROPERTY: 'r'}}


def test_expect_type_refuses_an_id_of_another_kind():
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiLookupError
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import expect_type
    volume = {'id': 'http://x/volumes/1', 'resourceURI': 'http://schemas.dmtf.org/cimi/2/Volume'}
    with pytest.raises(CimiLookupError) as info:
        expect_type(volume, 'Machine', volume['id'], 'machine')
    assert 'http://x/volumes/1 is a Volume, not a Machine' in str(info.value)
    assert expect_type(volume, 'Volume', volume['id']) is volume
    assert expect_type({'id': 'x'}, 'Machine', 'x') == {'id': 'x'}
    assert expect_type(None, 'Machine', 'x') is None


def test_check_mode_predicts_a_refused_delete_or_edit(fake, make_client):
    from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiOperationUnavailable
    engine = Reconciler(make_client(fake), MACHINE, check_mode=True)
    machine = dict(fake.add_machine('fixed'))
    machine['operations'] = [op for op in machine.get('operations') or []
                             if not op['rel'].endswith(('delete', 'edit'))]
    with pytest.raises(CimiOperationUnavailable, match="does not offer the 'delete' operation"):
        engine.delete(machine)
    with pytest.raises(CimiOperationUnavailable, match="does not offer the 'edit' operation"):
        engine.update(machine, {'description': 'new'})
    unavailable = dict(machine, operations=[{'rel': 'delete', 'href': machine['id'], 'available': False}])
    assert engine.delete(unavailable).actions == ('delete',)  # may become available (stop first)
    assert _writes(fake) == []
