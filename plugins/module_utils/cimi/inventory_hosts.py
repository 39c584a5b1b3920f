# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From CIMI Machine representations to inventory hosts: names, addresses, variables, groups.

Pure functions over plain data (no Ansible objects), so they are unit-tested directly. Values
are copied only from known attributes into plain lists and dicts; the plugin marks every one of
them unsafe before it reaches the inventory.
"""

from __future__ import annotations

import re

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import forwarded_port

SCALAR_ATTRIBUTES = (
    ('id', 'id'), ('name', 'name'), ('description', 'description'), ('state', 'state'),
    ('cpu', 'cpu'), ('memory', 'memory'), ('cpuArch', 'cpu_arch'), ('cpuSpeed', 'cpu_speed'),
    ('created', 'created'), ('updated', 'updated'),
    # A provider extension: the backend host a machine runs on (the reference provider's).
    ('host', 'host'),
)
PREFERENCE_RE = re.compile(r'^(property|interface)\[(.+)\]$')
GROUP_UNSAFE_RE = re.compile(r'[^A-Za-z0-9_]')
IPV4_RE = re.compile(r'^[0-9]{1,3}(\.[0-9]{1,3}){3}$')


def short_id(machine_id):
    """Last path segment of a machine id: unique within its collection, readable as a name."""
    return compat.last_segment(machine_id or '') or None


def _is_ipv4(endpoint):
    protocol = str(endpoint.get('protocol') or '').lower()
    return protocol == 'ipv4' or (not protocol and IPV4_RE.match(str(endpoint.get('address') or '')))


def _items(value, items_key):
    """Items of an expanded sub-collection (a collection object or, from 1.x, a plain list)."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if isinstance(value, dict):
        return [item for item in compat.collection_items(value, items_key) if isinstance(item, dict)]
    return []


def interfaces(machine):
    """[{id, name, state, network, mac_address, mtu, addresses: [{address, protocol, origin, port}]}].

    ``port`` is set when the provider reaches the guest through a port forwarded on that address
    (the endpoint's ``properties.port``, as the reference provider's loopback forwarding gives)."""
    result = []
    for raw in _items(machine.get(compat.interfaces_key(machine)), 'interfaces'):
        endpoints = _items(raw.get('endpoints'), 'endpoints')
        if not endpoints and isinstance(raw.get('addresses'), list):  # 1.x MachineNetworkInterface
            endpoints = [a.get('address') if isinstance(a.get('address'), dict) else a
                         for a in raw['addresses'] if isinstance(a, dict)]
        addresses = []
        for endpoint in endpoints:
            address = endpoint.get('address') or endpoint.get('ip')
            if isinstance(address, str) and address:
                addresses.append({'address': address, 'protocol': endpoint.get('protocol') or
                                  ('IPv4' if _is_ipv4({'address': address}) else None),
                                  'origin': endpoint.get('origin') or endpoint.get('allocation'),
                                  'port': forwarded_port(endpoint)})
        result.append({
            'id': raw.get('id'), 'name': raw.get('name'), 'state': raw.get('state'),
            'network': compat.ref_href(raw.get('network')), 'mac_address': raw.get('macAddress'),
            'mtu': raw.get('mtu'), 'addresses': addresses,
        })
    return result


def port_of(facts, address):
    """The forwarded port of ``address`` on this machine, or None (then SSH's own port)."""
    for interface in facts['interfaces']:
        for entry in interface['addresses']:
            if entry['address'] == address and entry.get('port'):
                return entry['port']
    return None


def addresses(machine_interfaces):
    """Every address, IPv4 first, each group in interface order."""
    ipv4, other = [], []
    for interface in machine_interfaces:
        for entry in interface['addresses']:
            (ipv4 if _is_ipv4(entry) else other).append(entry['address'])
    return ipv4 + other


def volumes(machine):
    result = []
    for raw in _items(machine.get('volumes'), 'volumes'):
        result.append({'id': raw.get('id'), 'volume': compat.ref_href(raw.get('volume')),
                       'initial_location': raw.get('initialLocation')})
    return result


def host_facts(machine, configs, endpoint):
    """The host variables of one machine, without prefix (the plugin adds it)."""
    facts = {}
    for attribute, name in SCALAR_ATTRIBUTES:
        value = machine.get(attribute)
        if isinstance(value, (str, int, float, bool)) and not isinstance(value, dict):
            facts[name] = value
    properties = machine.get('properties')
    facts['properties'] = dict((str(k), v if isinstance(v, str) else str(v))
                               for k, v in properties.items()) if isinstance(properties, dict) else {}
    facts['interfaces'] = interfaces(machine)
    facts['addresses'] = addresses(facts['interfaces'])
    facts['volumes'] = volumes(machine)
    config_href = compat.ref_href(machine.get('machineConfig'))
    facts['machine_config'] = {'id': config_href, 'name': configs.get(config_href)} if config_href else None
    image_href = compat.ref_href(machine.get('machineImage'))
    if image_href:
        facts['machine_image'] = image_href
    facts['endpoint'] = endpoint
    return facts


def preference_value(facts, preference):
    """The value of one hostnames/ansible_host preference for a host, or None."""
    if preference == 'name':
        return facts.get('name') or None
    if preference == 'id':
        return short_id(facts.get('id'))
    if preference == 'uri':
        return facts.get('id') or None
    if preference in ('ipv4', 'ipv6', 'address'):
        for interface in facts['interfaces']:
            for entry in interface['addresses']:
                is_v4 = _is_ipv4(entry)
                if preference == 'address' or (preference == 'ipv4') == bool(is_v4):
                    if preference != 'ipv6' or ':' in entry['address']:
                        return entry['address']
        return None
    match = PREFERENCE_RE.match(preference)
    if match and match.group(1) == 'property':
        value = facts['properties'].get(match.group(2))
        return value or None
    if match:
        wanted = match.group(2)
        for interface in facts['interfaces']:
            names = (interface.get('name'), short_id(interface.get('id')), short_id(interface.get('network')))
            if wanted in names and interface['addresses']:
                ipv4 = [a['address'] for a in interface['addresses'] if _is_ipv4(a)]
                return (ipv4 or [interface['addresses'][0]['address']])[0]
    return None


def validate_preferences(preferences, option):
    for preference in preferences:
        if preference in ('name', 'id', 'uri', 'ipv4', 'ipv6', 'address') or PREFERENCE_RE.match(preference):
            continue
        raise ValueError('%s: unknown entry %r (use name, id, uri, ipv4, ipv6, address, property[KEY] '
                         'or interface[NAME])' % (option, preference))


def choose_hostnames(all_facts, preferences, duplicates=None):
    """One inventory hostname per machine, in input order.

    A preference's value is used only if no other machine has the same value for it (so a
    duplicated name never silently merges two machines); otherwise the next preference is
    tried, and finally the machine's full id URI, unique by definition. Returns the names and
    the number of machines that fell back because of a collision; duplicates, when given (a
    set), receives the values that collided.
    """
    counts = []
    for preference in preferences:
        seen = {}
        for facts in all_facts:
            value = preference_value(facts, preference)
            if value is not None:
                seen[value] = seen.get(value, 0) + 1
        counts.append(seen)
    names, collisions, taken = [], 0, set()
    for facts in all_facts:
        chosen, collided = None, False
        for preference, seen in zip(preferences, counts):
            value = preference_value(facts, preference)
            if value is None:
                continue
            if seen[value] == 1 and value not in taken:
                chosen = value
                break
            collided = True
            if duplicates is not None:
                duplicates.add(value)
        if chosen is None:
            chosen = facts.get('id') or 'cimi-machine-%d' % len(names)
            while chosen in taken:
                chosen += '_'
        collisions += 1 if collided else 0
        taken.add(chosen)
        names.append(chosen)
    return names, collisions


def group_name(*parts):
    """A group name from API values: lower case, only [a-z0-9_], never starting with a digit."""
    name = GROUP_UNSAFE_RE.sub('_', '_'.join(str(p) for p in parts if p not in (None, ''))).lower()
    if not name or name[0].isdigit():
        name = '_' + name
    return name


def default_groups(facts, kinds, prefix):
    """Group names for the default groupings (state, config, properties, host)."""
    groups = []
    if 'state' in kinds and facts.get('state'):
        groups.append(group_name(prefix, 'state', facts['state']))
    if 'host' in kinds and facts.get('host'):
        groups.append(group_name(prefix, 'host', facts['host']))
    if 'config' in kinds and facts.get('machine_config'):
        config = facts['machine_config']
        groups.append(group_name(prefix, 'config', config.get('name') or short_id(config.get('id'))))
    if 'properties' in kinds:
        for key in sorted(facts['properties']):
            if key == REQUEST_ID_PROPERTY:
                continue  # one id per create: a group per host says nothing
            groups.append(group_name(prefix, 'property', key, facts['properties'][key]))
    return groups
