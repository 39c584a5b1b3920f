# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: cimi
short_description: Machines of one or more DMTF CIMI providers as an inventory
version_added: 1.0.0
description:
  - Reads the Machines of one or more CIMI (DMTF DSP0263) Cloud Entry Points and makes each one
    an inventory host, grouped by state, by machine configuration and by property.
  - Each endpoint's machines are read in pages (O(page_size) machines per request) with their
    interfaces, addresses and volumes expanded inline (C($expand=interfaces/endpoints,volumes)),
    never with one request per machine. Filters run on the provider when it advertises the
    C(FilterParameter) capability, and on the controller otherwise (and always as a re-check).
  - By default (O(fail_on_errors=true)) the inventory is complete or fails. A provider that stops
    returning machines before its advertised C(count) is an error, not a shorter inventory. With
    O(fail_on_errors=false), an endpoint that fails is skipped with a warning and the hosts of the
    others are kept.
  - Every value that comes from the provider (names, properties, addresses) is marked unsafe, so a
    machine named C({{ lookup('pipe', 'id') }}) is data and is never templated.
  - The raw API responses are cached per request URL when O(cache) is on; a warm cache makes no
    request at all. C(--flush-cache) and the C(refresh_inventory) meta task read the provider again.
  - Configuration files must be named C(*.cimi.yml) or C(*.cimi.yaml).
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.plugins
options:
  plugin:
    description: Marks this file as a configuration of this plugin.
    required: true
    type: str
    choices: [cloudmgmt.dmtf.cimi]
  endpoints:
    description:
      - Several Cloud Entry Points to read. Each entry is a CEP URL, or a mapping with C(endpoint) and
        any other connection option (O(username), O(password), O(token), O(validate_certs),
        O(ca_path), O(client_cert), O(client_key), O(timeout), O(retries)) that overrides the
        top-level value for that endpoint.
      - When not set, the single O(endpoint) is read.
    type: list
    elements: raw
    default: []
  filters:
    description:
      - Which machines to include, as a CIMI C($filter) expression string (for example
        C(cpu>=2 and state='STARTED')), or as a mapping of attribute to value, ANDed, where a
        list value means any of its values and C(property[KEY]) compares a property.
      - Combined (ANDed) with O(states) and O(properties).
    type: raw
  states:
    description: Only machines in one of these states (for example C(STARTED)).
    type: list
    elements: str
    default: []
  properties:
    description: Only machines whose C(properties) have all of these key/value pairs.
    type: dict
    default: {}
  hostnames:
    description:
      - How to name each host, in order of preference. A value is used only when no other machine
        has the same one; otherwise the next entry is tried, and at last the machine's id URI.
      - V(name) the machine name; V(id) the last segment of its id; V(uri) the full id;
        V(ipv4), V(ipv6), V(address) its first address of that kind; V(property[KEY]) a property;
        V(interface[NAME]) the first address of the interface with that name, id or network.
    type: list
    elements: str
    default: [name, id]
  ansible_host_preference:
    description:
      - Where C(ansible_host) comes from, in order of preference; the same entries as O(hostnames).
        No C(ansible_host) is set when none gives a value. O(compose) can override it.
      - When the provider reaches that address through a forwarded port (the endpoint's
        C(properties.port), as the reference provider's C(--libvirt-forward-ports) reports
        127.0.0.1 and a port), C(ansible_port) is set to that port too.
    type: list
    elements: str
    default: [ipv4, ipv6]
  hostvars_prefix:
    description: Prefix of the host variables set from the API (C(cimi_id), C(cimi_state), ...).
    type: str
    default: cimi_
  default_groups:
    description:
      - Groups made for every host, in addition to O(groups) and O(keyed_groups)
        C(<group_prefix>_state_<state>), C(<group_prefix>_config_<configuration name>),
        C(<group_prefix>_property_<key>_<value>) and, when chosen, C(<group_prefix>_host_<host>)
        (machines of a provider that shows each machine's backend host, as the reference
        provider does with several libvirt hosts). Names are lower case with other characters
        than letters, digits and C(_) replaced by C(_).
    type: list
    elements: str
    choices: [state, config, properties, host]
    default: [state, config, properties]
  group_prefix:
    description: Prefix of the default group names.
    type: str
    default: cimi
  page_size:
    description: Machines per request (C($first)/C($last) paging). A provider may return fewer.
    type: int
    default: 500
  volumes:
    description: Read the machines' attached volumes (host variable C(cimi_volumes)).
    type: bool
    default: true
  fail_on_errors:
    description:
      - V(true) fails the whole inventory when one endpoint cannot be read (as openstack.cloud's
        C(fail_on_errors)).
      - V(false) warns, naming the endpoint and the error, and keeps the hosts of the endpoints that answered.
    type: bool
    default: true
notes:
  - Host variables (with the default prefix) are C(cimi_id), C(cimi_name), C(cimi_description),
    C(cimi_state), C(cimi_cpu), C(cimi_memory) (KiB), C(cimi_cpu_arch), C(cimi_cpu_speed),
    C(cimi_created), C(cimi_updated), C(cimi_host) (the backend host, where the provider shows one),
    C(cimi_properties), C(cimi_addresses) (IPv4 first),
    C(cimi_interfaces), C(cimi_volumes), C(cimi_machine_config) (C(id), C(name)),
    C(cimi_machine_image) and C(cimi_endpoint).
  - Addresses need a provider advertising C(ExpandParameter) and C(QueryPathNotation); otherwise
    only addresses the interfaces carry inline are known, and a warning says so.
  - A value of O(states) that is not a CIMI machine state, and a key of an O(filters) mapping that is
    not a machine attribute (nor C(property[KEY])), get a warning naming it, since they match nothing.
  - Machines that share a name are named by a later O(hostnames) preference; a warning names the
    shared names.
'''

EXAMPLES = r'''
---
# inventory/cloud.cimi.yml
plugin: cloudmgmt.dmtf.cimi
endpoint: https://cimi.example.com/cimi/cloudEntryPoint
states: [STARTED]
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
cache_connection: ~/.cache/cimi-inventory

---
# Two clouds, the second with its own token; a raw $filter
plugin: cloudmgmt.dmtf.cimi
endpoints:
  - https://cimi-a.example.com/cimi/cloudEntryPoint
  - endpoint: https://cimi-b.example.com/cimi/cloudEntryPoint
    token: "{{ lookup('ansible.builtin.env', 'CIMI_B_TOKEN') }}"
filters: "cpu>=2 and property['tier']!='test'"
ansible_host_preference: ['interface[mgmt]', ipv4]
'''

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import inventory_hosts as hosts
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import HttpTransport
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.inventory_source import (
    CachingCimiClient, build_filter, option_warnings, read_endpoint)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.options import CONNECTION_OPTIONS


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'cloudmgmt.dmtf.cimi'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('.cimi.yml', '.cimi.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        cache_on = bool(self.get_option('cache'))
        responses = {}
        if cache_on and cache:
            responses = self._cache.get(cache_key) or {}
        try:
            for option in ('hostnames', 'ansible_host_preference'):
                hosts.validate_preferences(self.get_option(option) or [], option)
            results, used, requests = self._read_all(responses)
        except (CimiError, ValueError) as exc:
            raise AnsibleParserError('cloudmgmt.dmtf.cimi: %s' % exc)
        if cache_on and (requests or used.keys() != responses.keys()):
            self._cache[cache_key] = used
        self._populate(results)

    # ---- reading ---------------------------------------------------------------------------

    def _endpoint_options(self):
        base = dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS)
        entries = self.get_option('endpoints') or [base['endpoint']]
        configured = []
        for entry in entries:
            options = dict(base)
            if isinstance(entry, str):
                options['endpoint'] = entry
            elif isinstance(entry, dict):
                unknown = sorted(set(entry) - set(CONNECTION_OPTIONS))
                if unknown:
                    raise CimiError('endpoints: unknown option(s) %s' % ', '.join(unknown))
                options.update(entry)
            else:
                raise CimiError('endpoints: each entry must be a URL or a mapping')
            # Values from the configuration file may be templates (a vaulted password, a lookup).
            options = dict((k, self.templar.template(v) if isinstance(v, str) else v) for k, v in options.items())
            if not options.get('endpoint'):
                raise CimiError('no CIMI endpoint given (option endpoint or endpoints, or CIMI_ENDPOINT)')
            configured.append(options)
        return configured

    @staticmethod
    def _transport(options):
        return HttpTransport.from_options(options)

    def _read_all(self, responses):
        filter_text = build_filter(self.get_option('filters'), self.get_option('states'),
                                   self.get_option('properties'))
        for warning in option_warnings(self.get_option('filters'), self.get_option('states')):
            self.display.warning('cloudmgmt.dmtf.cimi: %s' % warning)
        fail_on_errors = self.get_option('fail_on_errors')
        page_size = self.get_option('page_size')
        if page_size < 1:
            raise CimiError('page_size must be at least 1')
        results, used, requests = [], {}, 0
        for options in self._endpoint_options():
            transport = self._transport(options)
            client = CachingCimiClient(options['endpoint'], transport, responses)
            try:
                result = read_endpoint(client, filter_text, page_size, self.get_option('volumes'))
            except CimiError as exc:
                if fail_on_errors:
                    raise
                self.display.warning('cloudmgmt.dmtf.cimi: skipping the endpoint %s (fail_on_errors is false): %s'
                                     % (options['endpoint'], exc))
                continue
            finally:
                transport.close()
            for warning in result['warnings']:
                self.display.warning(warning)
            result['endpoint'] = options['endpoint']
            results.append(result)
            used.update(client.used)
            requests += client.requests
        return results, used, requests

    # ---- building --------------------------------------------------------------------------

    def _populate(self, results):
        preferences = self.get_option('hostnames') or ['name', 'id']
        address_preferences = self.get_option('ansible_host_preference') or []
        prefix = self.get_option('hostvars_prefix') or ''
        kinds = self.get_option('default_groups') or []
        group_prefix = self.get_option('group_prefix')
        strict = self.get_option('strict')
        compose = self.get_option('compose')
        groups = self.get_option('groups')
        keyed_groups = self.get_option('keyed_groups')

        all_facts = []
        for result in results:
            for machine in result['machines']:
                if isinstance(machine, dict) and machine.get('id'):
                    all_facts.append(hosts.host_facts(machine, result['configs'], result['endpoint']))
        duplicates = set()
        names, collisions = hosts.choose_hostnames(all_facts, preferences, duplicates)
        if collisions:
            self.display.warning('cloudmgmt.dmtf.cimi: %d machine(s) share a name with another (%s) and are '
                                 'named by a later hostnames preference' % (
                                     collisions, ', '.join(sorted(str(d) for d in duplicates))))

        for name, facts in zip(names, all_facts):
            hostname = wrap_var(name)
            self.inventory.add_host(hostname)
            variables = wrap_var(dict((prefix + key, value) for key, value in facts.items()))
            address = None
            for preference in address_preferences:
                address = hosts.preference_value(facts, preference)
                if address:
                    variables['ansible_host'] = wrap_var(address)
                    port = hosts.port_of(facts, address)
                    if port:  # a forwarded port (e.g. 127.0.0.1:42201 -> the guest's SSH)
                        variables['ansible_port'] = port
                    break
            for key, value in variables.items():
                self.inventory.set_variable(hostname, key, value)
            for group in hosts.default_groups(facts, kinds, group_prefix):
                self.inventory.add_group(group)
                self.inventory.add_child(group, hostname)
            if compose:
                self._set_composite_vars(compose, variables, hostname, strict=strict)
            if groups:
                self._add_host_to_composed_groups(groups, variables, hostname, strict=strict)
            if keyed_groups:
                self._add_host_to_keyed_groups(keyed_groups, variables, hostname, strict=strict)
