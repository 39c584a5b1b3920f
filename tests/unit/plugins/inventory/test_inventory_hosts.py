# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Machine -> host variables, hostnames with collisions, ansible_host choice, group names."""
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import inventory_hosts as hosts

import fake_cimi as fp


def rendered(machine):
    """The machine as a provider returns it with $expand=interfaces/endpoints,volumes."""
    out = dict((k, v) for k, v in machine.items() if not k.startswith('_') and v is not None)
    out['interfaces'] = {'count': len(machine['_interfaces']), 'interfaces': machine['_interfaces']}
    out['volumes'] = {'count': 1, 'volumes': machine['_volumes']}
    return out


CONFIGS = {fp.BASE + 'machineConfigs/small': 'm1-small'}


def facts_of(machine):
    return hosts.host_facts(rendered(machine), CONFIGS, fp.BASE + 'cloudEntryPoint')


def test_facts_of_a_machine_with_two_interfaces():
    machine = fp.machine(1, interfaces=2, addresses=['2001:db8::5', '192.0.2.7'])
    facts = facts_of(machine)
    assert facts['id'] == fp.BASE + 'machines/m1' and facts['name'] == 'vm-1'
    assert facts['state'] == 'STARTED' and facts['cpu'] == 2 and facts['memory'] == 2097152
    assert facts['properties'] == {'role': 'web'}
    # IPv4 first, then the rest, in interface order.
    assert facts['addresses'] == ['192.0.2.7', '192.0.2.7', '2001:db8::5', '2001:db8::5']
    assert len(facts['interfaces']) == 2
    assert facts['interfaces'][0]['mac_address'] == '52:54:00:00:01:00'
    assert facts['interfaces'][0]['network'] == fp.BASE + 'networks/net0'
    assert facts['volumes'] == [{'id': fp.BASE + 'machines/m1/volumes/1', 'volume': fp.BASE + 'volumes/v1',
                                 'initial_location': '/dev/vdb'}]
    assert facts['machine_config'] == {'id': fp.BASE + 'machineConfigs/small', 'name': 'm1-small'}


def test_unexpanded_references_and_1x_interfaces():
    machine = {'id': 'http://x/m/1', 'name': 'a', 'interfaces': {'href': 'http://x/m/1/interfaces'},
               'volumes': {'href': 'http://x/m/1/volumes'}}
    facts = hosts.host_facts(machine, {}, 'e')
    assert facts['interfaces'] == [] and facts['addresses'] == [] and facts['volumes'] == []
    assert facts['machine_config'] is None
    one_x = {'id': 'http://x/m/2', 'networkInterfaces': [
        {'id': 'i1', 'addresses': [{'address': {'ip': '198.51.100.4', 'allocation': 'dynamic'}}]}]}
    facts = hosts.host_facts(one_x, {}, 'e')
    assert facts['addresses'] == ['198.51.100.4']


def test_non_scalar_and_odd_values_are_not_copied_blindly():
    machine = {'id': 'http://x/m/1', 'name': {'nested': 'x'}, 'cpu': [1], 'properties': {'n': 5}}
    facts = hosts.host_facts(machine, {}, 'e')
    assert 'name' not in facts and 'cpu' not in facts
    assert facts['properties'] == {'n': '5'}


def test_preferences():
    facts = facts_of(fp.machine(3, interfaces=2, addresses=['2001:db8::9', '192.0.2.9'],
                                properties={'fqdn': 'web3.example.com'}))
    assert hosts.preference_value(facts, 'name') == 'vm-3'
    assert hosts.preference_value(facts, 'id') == 'm3'
    assert hosts.preference_value(facts, 'uri') == fp.BASE + 'machines/m3'
    assert hosts.preference_value(facts, 'ipv4') == '192.0.2.9'
    assert hosts.preference_value(facts, 'ipv6') == '2001:db8::9'
    assert hosts.preference_value(facts, 'address') == '2001:db8::9'
    assert hosts.preference_value(facts, 'property[fqdn]') == 'web3.example.com'
    assert hosts.preference_value(facts, 'property[nope]') is None
    assert hosts.preference_value(facts, 'interface[2]') == '192.0.2.9'
    assert hosts.preference_value(facts, 'interface[net1]') == '192.0.2.9'
    assert hosts.preference_value(facts, 'interface[eth9]') is None


def test_unknown_preference_is_refused():
    with pytest.raises(ValueError, match='hostnames'):
        hosts.validate_preferences(['name', 'nonsense'], 'hostnames')


def test_colliding_names_fall_back_to_the_next_preference_for_all_of_them():
    machines = [fp.machine(1, name='web'), fp.machine(2, name='web'), fp.machine(3, name='db'),
                fp.machine(4, name='')]
    names, collisions = hosts.choose_hostnames([facts_of(m) for m in machines], ['name', 'id'])
    assert names == ['m1', 'm2', 'db', 'm4']
    assert collisions == 2


def test_when_every_preference_collides_the_id_uri_is_used():
    a = facts_of(fp.machine(1, name='web'))
    b = dict(facts_of(fp.machine(1, name='web')), id='http://other/cimi/machines/m1')
    names, collisions = hosts.choose_hostnames([a, b], ['name', 'id'])
    assert names == [fp.BASE + 'machines/m1', 'http://other/cimi/machines/m1']
    assert collisions == 2


def test_group_names_are_sanitised():
    assert hosts.group_name('cimi', 'config', 'm1.large') == 'cimi_config_m1_large'
    hostile = hosts.group_name('cimi', 'property', 'role', "{{ lookup('pipe','id') }}")
    assert hostile == 'cimi_property_role____lookup__pipe___id_____'
    assert hosts.group_name('', 'state', 'STARTED') == 'state_started'
    assert hosts.group_name('9') == '_9'
    facts = facts_of(fp.machine(1))
    assert hosts.default_groups(facts, ['state', 'config', 'properties'], 'cimi') == [
        'cimi_state_started', 'cimi_config_m1_small', 'cimi_property_role_web']
    assert hosts.default_groups(facts, ['state'], 'c') == ['c_state_started']
    facts['properties']['cloudmgmt.dmtf/request-id'] = '6f1c2a9e-0000-4000-8000-000000000001'
    assert hosts.default_groups(facts, ['properties'], 'c') == ['c_property_role_web']  # no group per create
    assert hosts.default_groups(facts, ['host'], 'c') == []  # a provider that shows no host


def test_machines_group_by_their_backend_host():
    machine = dict(fp.machine(1), host='kvm-2.example')
    facts = facts_of(machine)
    assert facts['host'] == 'kvm-2.example'
    assert hosts.default_groups(facts, ['state', 'host'], 'cimi') == [
        'cimi_state_started', 'cimi_host_kvm_2_example']
