# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cimi_volume_attachment against the fake provider: the lifecycle of one attachment, bad inputs,
and cimi_volume's attached_to, which shares the implementation."""
from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.modules import cimi_volume, cimi_volume_attachment


def _setup(fake):
    volume = fake.add('volumes', 'data')
    web1 = fake.add_machine('web-1')
    web2 = fake.add_machine('web-2')
    return volume, web1, web2


def _entries(machine):
    return [(e['volume']['href'], e.get('initialLocation')) for e in machine['volumes']['volumes']]


def test_lifecycle_of_an_attachment(fake, run_module):
    volume, web1 = _setup(fake)[:2]
    args = {'endpoint': fake.cep_url, 'volume': 'data', 'machine': 'web-1', 'initial_location': '/dev/vdb'}
    wanted = {'volume': volume['id'], 'volume_name': 'data', 'machine': web1['id'], 'machine_name': 'web-1',
              'initial_location': '/dev/vdb'}

    result, code = run_module(cimi_volume_attachment, args, check_mode=True, diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['attach']
    assert result['attachment'] == dict(wanted, id=None)
    assert result['diff'] == {'before': {'volume': volume['id'], 'attachments': []},
                              'after': {'volume': volume['id'], 'attachments': [
                                  {'machine': web1['id'], 'initial_location': '/dev/vdb'}]}}
    assert result['cadf'] == {'typeURI': 'storage/volume', 'id': volume['id'], 'name': 'data'}
    assert fake.writes() == [] and _entries(web1) == []

    result, code = run_module(cimi_volume_attachment, args, diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['attach']
    assert result['attachment'] == dict(wanted, id=web1['id'] + '/volumes/v1')
    assert _entries(web1) == [(volume['id'], '/dev/vdb')]

    for check_mode in (True, False):
        writes = len(fake.writes())
        result, code = run_module(cimi_volume_attachment, args, check_mode=check_mode, diff=True)
        assert code == 0 and not result['changed'] and result['actions'] == []
        assert result['attachment'] == dict(wanted, id=web1['id'] + '/volumes/v1')
        assert result['diff']['before'] == result['diff']['after']
        assert len(fake.writes()) == writes

    result, code = run_module(cimi_volume_attachment, dict(args, initial_location='/dev/vdc'), diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['detach', 'attach']
    assert result['attachment']['initial_location'] == '/dev/vdc'
    assert result['diff']['before']['attachments'] == [{'machine': web1['id'], 'initial_location': '/dev/vdb'}]
    assert _entries(web1) == [(volume['id'], '/dev/vdc')]

    result, code = run_module(cimi_volume_attachment, dict(args, initial_location=None))
    assert code == 0 and not result['changed'] and result['attachment']['initial_location'] == '/dev/vdc'

    absent = {'endpoint': fake.cep_url, 'volume': 'data', 'machine': 'web-1', 'state': 'absent'}
    result, code = run_module(cimi_volume_attachment, absent, check_mode=True, diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['detach'] and result['attachment'] == {}
    assert result['diff']['after'] == {'volume': volume['id'], 'attachments': []}
    assert _entries(web1) == [(volume['id'], '/dev/vdc')]

    result, code = run_module(cimi_volume_attachment, absent)
    assert code == 0 and result['changed'] and result['actions'] == ['detach'] and _entries(web1) == []

    result, code = run_module(cimi_volume_attachment, absent)
    assert code == 0 and not result['changed'] and result['actions'] == []


def test_attached_elsewhere_fails_naming_the_machine(fake, run_module):
    volume, web1, web2 = _setup(fake)
    args = {'endpoint': fake.cep_url, 'volume': 'data', 'machine': 'web-1', 'initial_location': '/dev/vdb'}
    assert run_module(cimi_volume_attachment, args)[1] == 0
    writes = len(fake.writes())

    for check_mode in (True, False):
        result, code = run_module(cimi_volume_attachment, dict(args, machine='web-2'), check_mode=check_mode)
        assert code == 1 and 'Traceback' not in result['msg']
        assert "volume 'data' is attached to machine 'web-1' (%s) at /dev/vdb, not to machine 'web-2'" % web1['id'] \
            in result['msg']
        assert 'state=absent' in result['msg']
    assert len(fake.writes()) == writes and _entries(web2) == []

    # absent for another machine: nothing to do there; without a machine: detached from web-1
    absent = {'endpoint': fake.cep_url, 'volume': 'data', 'state': 'absent'}
    result, code = run_module(cimi_volume_attachment, dict(absent, machine='web-2'))
    assert code == 0 and not result['changed'] and _entries(web1) == [(volume['id'], '/dev/vdb')]
    result, code = run_module(cimi_volume_attachment, absent, diff=True)
    assert code == 0 and result['changed'] and result['actions'] == ['detach'] and _entries(web1) == []
    assert result['diff']['before']['attachments'] == [{'machine': web1['id'], 'initial_location': '/dev/vdb'}]


def test_unknown_volume_or_machine(fake, run_module):
    volume = _setup(fake)[0]
    base = {'endpoint': fake.cep_url, 'volume': 'data', 'machine': 'web-1'}
    for args, message in (
            (dict(base, volume='nope'), "no volume named 'nope'"),
            (dict(base, machine='nope'), "no machine named 'nope'"),
            (dict(base, volume=fake.base + 'volumes/nope'), 'no volume at %svolumes/nope' % fake.base),
            (dict(base, machine=fake.base + 'machines/nope'), 'no machine at %smachines/nope' % fake.base)):
        result, code = run_module(cimi_volume_attachment, args)
        assert code == 1 and result['msg'] == message
    assert fake.writes() == []

    result, code = run_module(cimi_volume_attachment, dict(base, machine='later'), check_mode=True)
    assert code == 0 and result['changed'] and result['actions'] == ['attach']
    assert result['attachment']['machine_name'] == 'later' and result['attachment']['volume'] == volume['id']

    for args in (dict(base, volume='nope'), dict(base, machine='nope')):
        result, code = run_module(cimi_volume_attachment, dict(args, state='absent'))
        assert code == 0 and not result['changed'] and result['attachment'] == {}
    assert fake.writes() == []

    result, code = run_module(cimi_volume_attachment, {'endpoint': fake.cep_url, 'volume': 'data'})
    assert code == 1 and 'state is present but all of the following are missing: machine' in result['msg']
    result, code = run_module(cimi_volume_attachment, dict(base, machine=''))
    assert code == 1 and result['msg'] == "no machine named ''"


def test_without_waiting_the_attachment_is_predicted(fake, run_module):
    volume, web1 = _setup(fake)[:2]
    args = {'endpoint': fake.cep_url, 'volume': volume['id'], 'machine': web1['id'], 'wait': False}
    result, code = run_module(cimi_volume_attachment, args)
    assert code == 0 and result['changed'] and result['attachment']['id'] is None
    assert result['attachment']['machine_name'] == 'web-1' and _entries(web1) == [(volume['id'], None)]
    assert not [r for r in fake.requests if r[0] == 'GET' and '/jobs/' in r[1]]


def test_a_machine_without_volumes_is_a_clear_error(fake, run_module):
    _setup(fake)
    del fake.add_machine('bare')['volumes']
    result, code = run_module(cimi_volume_attachment, {'endpoint': fake.cep_url, 'volume': 'data', 'machine': 'bare'})
    assert code == 1 and "machine 'bare' shows no volumes collection" in result['msg']
    assert fake.writes() == []


def test_cimi_volume_attached_to_shares_the_attachment(fake, run_module):
    volume, web1 = _setup(fake)[:2]
    args = {'endpoint': fake.cep_url, 'name': 'data', 'attached_to': 'web-1', 'initial_location': '/dev/vdb'}
    result, code = run_module(cimi_volume, args)
    assert code == 0 and result['changed'] and result['actions'] == ['attach']
    assert result['attachments'] == [{'machine': web1['id'], 'initial_location': '/dev/vdb'}]

    same = {'endpoint': fake.cep_url, 'volume': 'data', 'machine': 'web-1', 'initial_location': '/dev/vdb'}
    result, code = run_module(cimi_volume_attachment, same)
    assert code == 0 and not result['changed']

    result, code = run_module(cimi_volume, {'endpoint': fake.cep_url, 'name': 'data', 'detached': True})
    assert code == 0 and result['actions'] == ['detach'] and _entries(web1) == []
