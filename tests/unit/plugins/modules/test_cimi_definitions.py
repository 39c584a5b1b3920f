# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bodies and argument checks of cimi_machine_config, cimi_machine_template, cimi_machine_image and
cimi_credential against the in-process generic store (the real provider is in integration)."""
from __future__ import annotations

import base64

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.modules import (
    cimi_credential, cimi_machine, cimi_machine_config, cimi_machine_image, cimi_machine_template)

NS = 'http://schemas.dmtf.org/cimi/2/'


# ---- cimi_machine_config ----------------------------------------------------------------------

def test_machine_config_body_in_cimi_units(store, run_module):
    args = {'endpoint': store.cep_url, 'name': 'c1', 'cpu': 2, 'memory': 1536, 'cpu_arch': 'x86_64',
            'disks': [{'capacity_gb': 2.5, 'format': 'qcow2', 'initial_location': '/dev/vda'},
                      {'capacity_gb': 0.001}]}
    result, code = run_module(cimi_machine_config, args)
    assert code == 0 and result['changed'] and result['actions'] == ['create']
    body = store.posted('machineConfigs')[0]
    assert body == {'resourceURI': NS + 'MachineConfiguration', 'name': 'c1', 'cpu': 2,
                    'memory': 1536 * 1024, 'cpuArch': 'x86_64',
                    'disks': [{'capacity': 2500000, 'format': 'qcow2', 'initialLocation': '/dev/vda'},
                              {'capacity': 1000}]}
    assert result['machine_config']['memory'] == 1572864
    assert result['cadf'] == {'typeURI': 'compute/machine/configuration', 'id': result['id'], 'name': 'c1'}


def test_machine_config_optional_fields_are_left_out(store, run_module):
    result, code = run_module(cimi_machine_config, {'endpoint': store.cep_url, 'name': 'c2', 'cpu': 1,
                                                    'memory': 512, 'cpu_speed': 0})
    assert code == 0
    assert store.posted('machineConfigs') == [{'resourceURI': NS + 'MachineConfiguration', 'name': 'c2',
                                               'cpu': 1, 'memory': 524288, 'cpuSpeed': 0}]


def test_machine_config_check_mode_predicts_without_writing(store, run_module):
    args = {'endpoint': store.cep_url, 'name': 'c3', 'cpu': 1, 'memory': 1024, 'description': 'd'}
    result, code = run_module(cimi_machine_config, args, check_mode=True, diff=True)
    assert code == 0 and result['changed'] and store.writes() == []
    assert result['diff']['before'] == {}
    assert result['diff']['after'] == {'name': 'c3', 'description': 'd', 'cpu': 1, 'memory': 1048576}


def test_machine_config_only_common_attributes_are_updated(store, run_module):
    store.add('machineConfigs', 'c4', cpu=1, memory=1048576, description='old')
    args = {'endpoint': store.cep_url, 'name': 'c4', 'cpu': 8, 'memory': 1024, 'description': 'new'}
    result, code = run_module(cimi_machine_config, args)
    assert code == 0 and result['actions'] == ['update']
    put = [r for r in store.writes() if r[0] == 'PUT'][0]
    assert put[2]['$select'] == ['description'] and put[3] == {'description': 'new'}


@pytest.mark.parametrize('args, message', [
    ({'name': 'c5', 'cpu': 1}, 'cpu and memory are needed'),
    ({'name': 'c5', 'memory': 1}, 'cpu and memory are needed'),
    ({'cpu': 1, 'memory': 1}, 'one of the following is required: name, id'),
    ({'name': 'c5', 'cpu': 1, 'memory': 1, 'disks': [{'format': 'raw'}]}, 'capacity_gb'),
    ({'name': 'c5', 'cpu': 'many', 'memory': 1}, 'cpu'),
])
def test_machine_config_bad_arguments(store, run_module, args, message):
    args = dict(args, endpoint=store.cep_url)
    result, code = run_module(cimi_machine_config, args)
    assert code == 1 and message in result['msg'] and store.writes() == []


# ---- cimi_machine_template --------------------------------------------------------------------

def test_machine_template_resolves_references_and_encodes_user_data(store, run_module):
    config = store.add('machineConfigs', 'small')
    image = store.add('machineImages', 'debian')
    credential = store.add('credentials', 'ops')
    net = store.add('networks', 'front')
    args = {'endpoint': store.cep_url, 'name': 't1', 'config': 'small', 'image': image['id'],
            'credential': 'ops', 'networks': ['front', net['id']], 'initial_state': 'STARTED',
            'user_data': u'#cloud-config\nhostname: caf\u00e9\n'}
    result, code = run_module(cimi_machine_template, args)
    assert code == 0 and result['changed']
    body = store.posted('machineTemplates')[0]
    assert body['resourceURI'] == NS + 'MachineTemplate'
    assert body['machineConfig'] == {'href': config['id']}
    assert body['machineImage'] == {'href': image['id']}
    assert body['credential'] == {'href': credential['id']}
    assert body['interfaceTemplates'] == [{'network': {'href': net['id']}}, {'network': {'href': net['id']}}]
    assert body['initialState'] == 'STARTED'
    assert base64.b64decode(body['userData']).decode('utf-8') == u'#cloud-config\nhostname: caf\u00e9\n'


def test_machine_template_minimal_body(store, run_module):
    store.add('machineConfigs', 'small')
    store.add('machineImages', 'debian')
    result, code = run_module(cimi_machine_template, {'endpoint': store.cep_url, 'name': 't2',
                                                      'config': 'small', 'image': 'debian'})
    assert code == 0
    assert sorted(store.posted('machineTemplates')[0]) == ['machineConfig', 'machineImage', 'name', 'resourceURI']


def test_machine_template_missing_reference_fails_before_posting(store, run_module):
    store.add('machineImages', 'debian')
    result, code = run_module(cimi_machine_template, {'endpoint': store.cep_url, 'name': 't3',
                                                      'config': 'nope', 'image': 'debian'})
    assert code == 1 and "no machine configuration named 'nope'" in result['msg']
    assert store.writes() == []


def test_machine_template_ambiguous_reference(store, run_module):
    store.add('machineConfigs', 'twin')
    store.add('machineConfigs', 'twin')
    store.add('machineImages', 'debian')
    result, code = run_module(cimi_machine_template, {'endpoint': store.cep_url, 'name': 't4',
                                                      'config': 'twin', 'image': 'debian'})
    assert code == 1 and 'ambiguous' in result['msg'] and store.writes() == []


def test_machine_template_check_mode_tolerates_a_reference_made_earlier(store, run_module):
    store.add('machineImages', 'debian')
    result, code = run_module(cimi_machine_template, {'endpoint': store.cep_url, 'name': 't5',
                                                      'config': 'later', 'image': 'debian'}, check_mode=True)
    assert code == 0 and result['changed'] and store.writes() == []
    assert result['machine_template']['machineConfig'] == {'href': 'later'}


def test_machine_template_rejects_a_wrong_initial_state(store, run_module):
    result, code = run_module(cimi_machine_template, {'endpoint': store.cep_url, 'name': 't6',
                                                      'initial_state': 'RUNNING'})
    assert code == 1 and 'initial_state' in result['msg']


# ---- cimi_machine_image -----------------------------------------------------------------------

def test_machine_image_registered_by_location(store, run_module):
    args = {'endpoint': store.cep_url, 'name': 'i1', 'image_location': 'file:///srv/i1.qcow2'}
    result, code = run_module(cimi_machine_image, args)
    assert code == 0 and result['machine_image']['state'] == 'AVAILABLE'
    assert store.posted('machineImages') == [{'resourceURI': NS + 'MachineImage', 'name': 'i1',
                                              'imageLocation': 'file:///srv/i1.qcow2'}]


def test_machine_image_captured_from_a_machine_by_name(store, run_module):
    machine = store.add('machines', 'web')
    result, code = run_module(cimi_machine_image, {'endpoint': store.cep_url, 'name': 'i2',
                                                   'capture_from': 'web'})
    assert code == 0
    assert store.posted('machineImages')[0]['imageLocation'] == machine['id']


@pytest.mark.parametrize('args, message', [
    ({'name': 'i3'}, 'give image_location or capture_from'),
    ({'name': 'i3', 'image_location': 'file:///a', 'capture_from': 'web'}, 'mutually exclusive'),
    ({'name': 'i3', 'capture_from': 'no-such-machine'}, "no machine named 'no-such-machine'"),
])
def test_machine_image_bad_arguments(store, run_module, args, message):
    result, code = run_module(cimi_machine_image, dict(args, endpoint=store.cep_url))
    assert code == 1 and message in result['msg'] and store.writes() == []


# ---- cimi_credential --------------------------------------------------------------------------

CANARY = 'canary-Secret-4242'


def test_credential_body_carries_the_secret_and_the_result_never_does(store, run_module):
    args = {'endpoint': store.cep_url, 'name': 'k1', 'user_name': 'ops', 'secret': CANARY,
            'public_key': 'ssh-ed25519 AAAA k1'}
    result, code = run_module(cimi_credential, args, diff=True)
    assert code == 0 and result['changed']
    assert store.posted('credentials') == [{
        'resourceURI': NS + 'CredentialCreate', 'name': 'k1',
        'credentialTemplate': {'resourceURI': NS + 'CredentialTemplate', 'userName': 'ops',
                               'password': CANARY, 'key': 'ssh-ed25519 AAAA k1'}}]
    assert CANARY not in str(result)


def test_credential_check_mode_prediction_has_no_secret(store, run_module):
    args = {'endpoint': store.cep_url, 'name': 'k2', 'user_name': 'ops', 'secret': CANARY}
    result, code = run_module(cimi_credential, args, check_mode=True, diff=True)
    assert code == 0 and store.writes() == []
    assert result['diff']['after'] == {'name': 'k2', 'userName': 'ops'}
    assert CANARY not in str(result)


def test_credential_secret_is_not_compared_so_rerun_is_idempotent(store, run_module):
    store.add('credentials', 'k3', userName='ops')
    args = {'endpoint': store.cep_url, 'name': 'k3', 'user_name': 'ops', 'secret': CANARY}
    result, code = run_module(cimi_credential, args)
    assert code == 0 and not result['changed'] and store.writes() == []


def test_credential_with_nothing_to_hold_fails_without_the_secret(store, run_module):
    result, code = run_module(cimi_credential, {'endpoint': store.cep_url, 'name': 'k4', 'secret': ''})
    assert code == 1 and 'give user_name, secret or public_key' in result['msg']
    assert store.writes() == []


def test_credential_provider_error_does_not_echo_the_secret(store, run_module):
    args = {'endpoint': store.cep_url, 'name': 'k5', 'user_name': 'ops', 'secret': CANARY, 'state': 'wrong'}
    result, code = run_module(cimi_credential, args)
    assert code == 1 and 'state' in result['msg'] and CANARY not in str(result)


USER_DATA = u'#cloud-config\npassword: UserDataCanary-9c1\n'
MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


@pytest.mark.parametrize('check_mode', [False, True])
def test_user_data_is_masked_in_results(store, run_module, check_mode):
    """user_data is no_log, and the userData the provider echoes (base64) is masked too."""
    store.add('machineConfigs', 'small')
    store.add('machineImages', 'debian')
    encoded = base64.b64encode(USER_DATA.encode('utf-8')).decode('ascii')
    runs = [(cimi_machine_template, {'name': 't-ud', 'config': 'small', 'image': 'debian'}, 'machine_template'),
            (cimi_machine, {'name': 'm-ud', 'config': 'small', 'image': 'debian', 'wait': False}, 'machine')]
    for module, args, key in runs:
        args = dict(args, endpoint=store.cep_url, user_data=USER_DATA)
        result, code = run_module(module, args, check_mode=check_mode, diff=True)
        assert code == 0 and result['changed'], result
        text = repr(result)
        assert 'UserDataCanary' not in text and encoded not in text
        shown = result[key] if key == 'machine_template' else result[key].get('machineTemplate')
        if shown is not None:  # a machine predicted in check mode shows no template
            assert shown['userData'] == MASK
        assert result['invocation']['module_args']['user_data'] == MASK
    posted = store.posted('machineTemplates') + [b['machineTemplate'] for b in store.posted('machines')]
    assert [p['userData'] for p in posted] == ([] if check_mode else [encoded, encoded])


def test_credential_password_without_username_is_refused(store, run_module, monkeypatch):
    for name in ('CIMI_USERNAME', 'CIMI_PASSWORD', 'CIMI_TOKEN'):
        monkeypatch.delenv(name, raising=False)
    args = {'endpoint': store.cep_url, 'name': 'c1', 'user_name': 'bob', 'password': 'hunter2'}
    result, code = run_module(cimi_credential, args)
    assert code == 1 and 'set secret (or credential_password)' in result['msg']
    assert 'hunter2' not in str(result) and store.requests == []
    result, code = run_module(cimi_credential, dict(args, password=None, credential_password='hunter2'))
    assert code == 0 and result['changed'] and 'hunter2' not in str(result)
    assert store.posted('credentials')[0]['credentialTemplate']['password'] == 'hunter2'
