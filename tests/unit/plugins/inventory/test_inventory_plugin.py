# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin end to end against an in-process fake provider (transport level).

The real provider is exercised by tests/system/inventory; these cover what it cannot be made
to do: not advertising FilterParameter/ExpandParameter, ignoring $first, truncating results.
"""
from __future__ import annotations


import pytest

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import is_trusted_as_template

import fake_cimi as fp

CEP = fp.BASE + 'cloudEntryPoint'
NO_FILTER = tuple(c for c in fp.ALL_CAPS if c != 'FilterParameter')


class Run:

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.transports = {}
        self.inventory = None

    def __call__(self, config, cache=True, **transports):
        path = self.tmp_path / 'test.cimi.yml'
        text = 'plugin: cloudmgmt.dmtf.cimi\n'
        if 'endpoint' not in config and 'endpoints' not in config:
            text += 'endpoint: %s\n' % CEP
        path.write_text(text + config)
        plugin = inventory_loader.get('cloudmgmt.dmtf.cimi')
        assert plugin.verify_file(str(path))
        plugin._transport = lambda options: self.transports[options['endpoint']]
        self.inventory = InventoryData()
        plugin.parse(self.inventory, DataLoader(), str(path), cache=cache)
        if hasattr(plugin, '_cache'):  # as InventoryManager does (it ignores AttributeError)
            plugin.update_cache_if_changed()
        return self.inventory

    def hosts(self):
        return sorted(self.inventory.hosts)

    def group(self, name):
        return sorted(h.name for h in self.inventory.groups[name].get_hosts())


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


def machine_pages(transport):
    return [r[2] for r in transport.gets('machines')]


def test_pages_across_boundaries_one_request_per_page(run):
    transport = fp.FakeTransport([fp.machine(n) for n in range(1, 8)])
    run.transports[CEP] = transport
    run('page_size: 3\n')
    assert run.hosts() == ['vm-%d' % n for n in range(1, 8)]
    pages = machine_pages(transport)
    assert [(p['$first'], p['$last']) for p in pages] == [(1, 3), (4, 6), (7, 9)]
    assert all(p['$expand'] == 'interfaces/endpoints,volumes' for p in pages)
    # CEP, ResourceMetadata, 3 machine pages, 1 config page: nothing per host.
    assert len(transport.requests) == 6
    host = run.inventory.get_host('vm-3')
    assert host.vars['cimi_addresses'] == ['192.0.2.7'] and host.vars['ansible_host'] == '192.0.2.7'
    assert host.vars['cimi_machine_config'] == {'id': fp.BASE + 'machineConfigs/small', 'name': 'm1-small'}
    assert run.group('cimi_state_started') == run.hosts()
    assert run.group('cimi_property_role_db') == ['vm-2', 'vm-4', 'vm-6']
    assert run.group('cimi_config_m1_small') == run.hosts()


def test_provider_capping_pages_is_read_to_the_end(run):
    transport = fp.FakeTransport([fp.machine(n) for n in range(1, 11)], page_cap=4)
    run.transports[CEP] = transport
    run('page_size: 6\n')
    assert len(run.hosts()) == 10
    assert [(p['$first'], p['$last']) for p in machine_pages(transport)] == [(1, 6), (5, 10), (9, 14)]


def test_provider_ignoring_first_still_gives_every_machine_once(run):
    transport = fp.FakeTransport([fp.machine(n) for n in range(1, 6)], ignore_first=True)
    run.transports[CEP] = transport
    run('page_size: 2\n')
    assert len(run.hosts()) == 5 and len(machine_pages(transport)) == 1


def test_silent_truncation_is_an_error(run):
    run.transports[CEP] = fp.FakeTransport([fp.machine(n) for n in range(1, 11)], truncate_at=4)
    with pytest.raises(AnsibleParserError, match='reports 10 items .* stopped returning them after 4'):
        run('page_size: 3\n')


def test_empty_collection_gives_an_empty_inventory(run):
    transport = fp.FakeTransport([])
    run.transports[CEP] = transport
    run('page_size: 3\n')
    assert run.hosts() == [] and len(machine_pages(transport)) == 1


MIXED = [fp.machine(1, state='STARTED', properties={'role': 'web'}),
         fp.machine(2, state='STOPPED', properties={'role': 'web'}),
         fp.machine(3, state='STARTED', properties={'role': 'db'}),
         fp.machine(4, state='STARTED', properties={'role': 'web', 'tier': 'prod'})]
FILTER_CONFIG = 'states: [STARTED]\nfilters:\n  property[role]: web\n'


def test_filters_are_sent_to_a_provider_that_advertises_them(run):
    transport = fp.FakeTransport(MIXED)
    run.transports[CEP] = transport
    run(FILTER_CONFIG)
    assert run.hosts() == ['vm-1', 'vm-4']
    assert machine_pages(transport)[0]['$filter'] == "(property['role']='web') and (state='STARTED')"


def test_filters_apply_client_side_when_the_provider_cannot_filter(run):
    transport = fp.FakeTransport(MIXED, capabilities=NO_FILTER)
    run.transports[CEP] = transport
    run(FILTER_CONFIG)
    assert run.hosts() == ['vm-1', 'vm-4']
    assert '$filter' not in machine_pages(transport)[0]


def test_raw_filter_string_and_properties_client_side(run):
    run.transports[CEP] = fp.FakeTransport(MIXED, capabilities=NO_FILTER)
    run("filters: \"cpu>=2 and state!='STOPPED'\"\nproperties:\n  tier: prod\n")
    assert run.hosts() == ['vm-4']


def test_provider_without_resource_metadata_is_filtered_client_side(run):
    transport = fp.FakeTransport(MIXED, with_metadata=False)
    run.transports[CEP] = transport
    run(FILTER_CONFIG)
    assert run.hosts() == ['vm-1', 'vm-4']
    assert '$filter' not in machine_pages(transport)[0] and '$expand' not in machine_pages(transport)[0]


def test_bad_client_side_filter_is_a_clear_error(run):
    run.transports[CEP] = fp.FakeTransport(MIXED, capabilities=NO_FILTER)
    with pytest.raises(AnsibleParserError, match='cannot apply the filter'):
        run('filters: "state>"\n')


def test_without_path_notation_interfaces_are_expanded_without_addresses(run):
    caps = tuple(c for c in fp.ALL_CAPS if c != 'QueryPathNotation')
    transport = fp.FakeTransport(MIXED, capabilities=caps)
    run.transports[CEP] = transport
    run('')
    assert machine_pages(transport)[0]['$expand'] == 'interfaces,volumes'
    host = run.inventory.get_host('vm-1')
    assert len(host.vars['cimi_interfaces']) == 1 and host.vars['cimi_addresses'] == []
    assert 'ansible_host' not in host.vars


def test_hostnames_preferences_and_ansible_host(run):
    machines = [fp.machine(1, name='web', properties={'fqdn': 'a.example'}),
                fp.machine(2, name='web', properties={}),
                fp.machine(3, name='db', interfaces=2, addresses=['2001:db8::3', '192.0.2.33'])]
    run.transports[CEP] = fp.FakeTransport(machines)
    run("hostnames: ['property[fqdn]', name, id]\nansible_host_preference: [ipv6, ipv4]\n")
    assert run.hosts() == ['a.example', 'db', 'm2']
    assert run.inventory.get_host('db').vars['ansible_host'] == '2001:db8::3'
    assert run.inventory.get_host('m2').vars['ansible_host'] == '192.0.2.5'


def test_forwarded_port_becomes_ansible_port(run):
    """A guest reached on 127.0.0.1 through a forwarded port (the reference provider's
    --libvirt-forward-ports): ansible_host and ansible_port together, only for that address."""
    forwarded = fp.machine(1, name='guest', addresses=['127.0.0.1'])
    endpoint = forwarded['_interfaces'][0]['endpoints']['endpoints'][0]
    endpoint['properties'] = {'port': '42201'}
    plain = fp.machine(2, name='plain')
    odd = fp.machine(3, name='odd', addresses=['127.0.0.1'])
    odd['_interfaces'][0]['endpoints']['endpoints'][0]['properties'] = {'port': 'ssh'}
    run.transports[CEP] = fp.FakeTransport([forwarded, plain, odd])
    run('')
    guest = run.inventory.get_host('guest').vars
    assert guest['ansible_host'] == '127.0.0.1' and guest['ansible_port'] == 42201
    assert guest['cimi_interfaces'][0]['addresses'][0]['port'] == 42201
    assert 'ansible_port' not in run.inventory.get_host('plain').vars
    assert 'ansible_port' not in run.inventory.get_host('odd').vars  # not a port: ignored


def test_compose_groups_keyed_groups_and_prefix(run):
    run.transports[CEP] = fp.FakeTransport(MIXED)
    run("hostvars_prefix: x_\ndefault_groups: [state]\ngroup_prefix: c\n"
        "compose:\n  ansible_host: x_addresses[0]\n  big: x_cpu * 10\n"
        "groups:\n  webs: x_properties.role == 'web'\n"
        "keyed_groups:\n  - key: x_properties.role\n    prefix: role\n")
    host = run.inventory.get_host('vm-4')
    assert host.vars['big'] == 20 and host.vars['x_state'] == 'STARTED' and 'cimi_state' not in host.vars
    assert run.group('webs') == ['vm-1', 'vm-2', 'vm-4']
    assert run.group('role_db') == ['vm-3']
    assert run.group('c_state_stopped') == ['vm-2']
    assert 'cimi_state_started' not in run.inventory.groups
    assert 'c_property_role_web' not in run.inventory.groups


def test_two_endpoints(run):
    other = 'http://other.test/cimi/'
    run.transports[CEP] = fp.FakeTransport([fp.machine(1, name='a'), fp.machine(2, name='same')])
    run.transports[other + 'cloudEntryPoint'] = fp.FakeTransport(
        [fp.machine(1, name='same', base=other)], base=other)
    run('endpoints:\n  - %s\n  - endpoint: %scloudEntryPoint\n    timeout: 5\n' % (CEP, other))
    # 'same' is taken twice, so both use their id; 'm1' is then taken twice too (once per
    # endpoint), so the second cloud's m1 gets its full URI.
    assert run.hosts() == ['a', other + 'machines/m1', 'm2']
    assert run.inventory.get_host(other + 'machines/m1').vars['cimi_endpoint'] == other + 'cloudEntryPoint'


def test_unknown_endpoint_option_and_bad_preference_are_errors(run):
    run.transports[CEP] = fp.FakeTransport([])
    with pytest.raises(AnsibleParserError, match='unknown option'):
        run('endpoints:\n  - endpoint: %s\n    pasword: x\n' % CEP)
    with pytest.raises(AnsibleParserError, match='unknown entry'):
        run('hostnames: [name, nonsense]\n')


def test_api_values_are_never_trusted_as_templates(run):
    evil = "{{ lookup('pipe', 'id') }}"
    run.transports[CEP] = fp.FakeTransport([fp.machine(1, name=evil, properties={'role': evil})])
    run('compose:\n  copy: cimi_name\nkeyed_groups:\n  - key: cimi_properties.role\n    prefix: r\n')
    assert run.hosts() == [evil]
    host = run.inventory.get_host(evil)
    assert host.vars['copy'] == evil and host.vars['cimi_name'] == evil
    for value in (host.vars['cimi_name'], host.vars['cimi_properties']['role'], host.vars['copy'], host.name):
        assert not is_trusted_as_template(value)
    assert all('{' not in g for g in run.inventory.groups)


CACHE_CONFIG = ('cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n'
                'page_size: 2\n')


def test_cache_warm_makes_no_request_and_flush_reads_again(run, tmp_path):
    config = CACHE_CONFIG % (tmp_path / 'cache')
    first = fp.FakeTransport([fp.machine(n) for n in range(1, 6)])
    run.transports[CEP] = first
    run(config)
    assert len(first.requests) == 6 and len(run.hosts()) == 5
    warm = fp.FakeTransport([fp.machine(n) for n in range(1, 9)])
    run.transports[CEP] = warm
    run(config)
    assert warm.requests == [] and len(run.hosts()) == 5
    assert run.inventory.get_host('vm-2').vars['cimi_addresses'] == ['192.0.2.5']
    run(config, cache=False)  # --flush-cache / refresh_inventory
    assert len(warm.requests) > 0 and len(run.hosts()) == 8
    again = fp.FakeTransport([])
    run.transports[CEP] = again
    run(config)
    assert again.requests == [] and len(run.hosts()) == 8


def test_cache_misses_when_the_query_changes(run, tmp_path):
    config = CACHE_CONFIG % (tmp_path / 'cache')
    run.transports[CEP] = fp.FakeTransport(MIXED)
    run(config)
    changed = fp.FakeTransport(MIXED)
    run.transports[CEP] = changed
    run(config + 'states: [STOPPED]\n')
    assert run.hosts() == ['vm-2']
    assert [p.get('$filter') for p in machine_pages(changed)] == ["state='STOPPED'"]
    # CEP and ResourceMetadata came from the cache; only the new query was read.
    assert changed.gets('cloudEntryPoint') == [] and changed.gets('resourceMetadata') == []


class Warnings(list):
    def __call__(self, message, *args, **kwargs):
        self.append(message)


@pytest.fixture
def warnings(monkeypatch):
    from ansible.utils.display import Display
    captured = Warnings()
    monkeypatch.setattr(Display, 'warning', lambda self, message, *a, **k: captured.append(message))
    return captured


def test_fail_on_errors_false_keeps_the_live_endpoints_hosts(run, warnings):
    down = 'http://down.test/cimi/'
    run.transports[CEP] = fp.FakeTransport([fp.machine(1, name='alive')])
    run.transports[down + 'cloudEntryPoint'] = fp.FakeTransport([fp.machine(1, name='lost', base=down)],
                                                                base=down, truncate_at=0)
    config = 'endpoints:\n  - %s\n  - %scloudEntryPoint\n' % (CEP, down)
    with pytest.raises(AnsibleParserError):
        run(config)
    run(config + 'fail_on_errors: false\n')
    assert run.hosts() == ['alive']
    assert any('skipping the endpoint %scloudEntryPoint' % down in w for w in warnings)


def test_unknown_state_filter_attribute_and_duplicates_are_named(run, warnings):
    run.transports[CEP] = fp.FakeTransport([fp.machine(1, name='twin'), fp.machine(2, name='twin')])
    run('states: [started, STOPPED, Zombie]\nfilters:\n  colour: red\n  property[role]: web\n', cache=False)
    text = '\n'.join(warnings)
    assert "'started' is not a CIMI machine state (did you mean STARTED?)" in text
    assert "'Zombie' is not a CIMI machine state;" in text and "'STOPPED'" not in text
    assert "filters: 'colour' is not an attribute" in text and 'property[role]' not in text
    run.transports[CEP] = fp.FakeTransport([fp.machine(1, name='twin'), fp.machine(2, name='twin')])
    warnings[:] = []
    run('')
    assert any('share a name with another (twin)' in w for w in warnings)
