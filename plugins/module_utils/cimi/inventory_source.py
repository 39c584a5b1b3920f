# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading machines for the inventory: one paged, filtered, expanded read per collection.

Every GET the inventory makes goes through ``CachingCimiClient.get``, which answers from a
dict keyed by the request URL (collection reads are stored whole, keyed by their URL without
``$first``/``$last``, so a cached result is never a mix of two reads). The plugin persists that
dict in Ansible's inventory cache; a warm cache therefore makes no HTTP request at all, and a
changed configuration (another filter, endpoint, page size) simply misses.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat, filters
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import CimiClient, ITEMS_KEYS
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError, CimiProtocolError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.inventory_filter import (
    FilterSyntaxError, compile_filter)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.paging import CollectionPager

CAPABILITY_PREFIX = 'capability/CloudEntryPoint/'
QUERY_CAPABILITIES = ('FilterParameter', 'FirstParameter', 'SelectParameter', 'ExpandParameter',
                      'OrderByParameter', 'QueryPathNotation')
# A collection changing while it is paged (a machine created or deleted between two pages)
# shows as a count that does not match what arrived; the read is then repeated this often.
READ_ATTEMPTS = 2


def cache_key(url, params=None):
    """The cache key of a GET: the URL plus its sorted query parameters."""
    if not params:
        return url
    query = urlencode(sorted((k, str(v)) for k, v in params.items()))
    return '%s%s%s' % (url, '&' if '?' in url else '?', query)


class CachingCimiClient(CimiClient):
    """A CimiClient whose reads are answered from, and recorded into, a response cache."""

    def __init__(self, endpoint, transport, responses=None):
        super().__init__(endpoint, transport)
        self.cached = dict(responses or {})
        self.used = {}
        self.requests = 0

    def get(self, url, params=None):
        key = cache_key(url, params)
        if key in self.cached:
            body = self.cached[key]
        else:
            self.requests += 1
            body = super().get(url, params)
        self.used[key] = body
        return body

    @property
    def cep(self):
        if self._cep is None:
            self._cep = self.get(self.endpoint)
        return self._cep

    def read_collection(self, url, items_key, params, page_size):
        """(items, count) of a whole collection; fails rather than return part of it."""
        key = cache_key(url, dict(params, **{'$pageSize': page_size}))
        if key in self.cached:
            self.used[key] = self.cached[key]
            return self.used[key]['items'], self.used[key]['count']
        for attempt in range(1, READ_ATTEMPTS + 1):
            pager = CollectionPager(self._page, url, items_key=items_key, page_size=page_size,
                                    **params)
            items = list(pager)
            if pager.truncated:
                raise CimiProtocolError(
                    'the provider reports %s items in %s but stopped returning them after %d; '
                    'refusing to build a partial inventory' % (pager.count, url, len(items)), url=url)
            if pager.count is None or pager.count == len(items):
                break
            if attempt == READ_ATTEMPTS:
                raise CimiProtocolError(
                    'the collection %s changed while it was read (count %s, %d items received); '
                    'try again' % (url, pager.count, len(items)), url=url)
        self.used[key] = {'items': items, 'count': len(items)}
        return items, len(items)

    def _page(self, url, params):
        self.requests += 1
        return CimiClient.get(self, url, params)


def capabilities(client):
    """{name: bool} of the CloudEntryPoint query capabilities (absent means false, 5.11)."""
    found = dict((name, False) for name in QUERY_CAPABILITIES)
    if not client.has_collection('resourceMetadata'):
        return found
    url = client.collection_url('resourceMetadata')
    metadata = compat.collection_items(client.get(url), ITEMS_KEYS['resourceMetadata'])
    for entry in metadata:
        for capability in entry.get('capabilities') or []:
            if not isinstance(capability, dict):
                continue
            uri = capability.get('uri') or ''
            marker = uri.find(CAPABILITY_PREFIX)
            if marker < 0:
                continue
            name = uri[marker + len(CAPABILITY_PREFIX):]
            if name in found:
                found[name] = str(capability.get('value', 'true')).strip().lower() not in ('false', '0', '')
    return found


# What the states and filters options are checked against: a value outside these is warned about
# (naming it), since it silently matches nothing.
MACHINE_STATES = ('CREATING', 'STARTING', 'STARTED', 'STOPPING', 'STOPPED', 'PAUSING', 'PAUSED',
                  'SUSPENDING', 'SUSPENDED', 'CAPTURING', 'RESTORING', 'DELETING', 'ERROR', 'FAILED',
                  'MIGRATING')
MACHINE_ATTRIBUTES = frozenset([
    'id', 'name', 'description', 'created', 'updated', 'properties', 'resourceURI', 'state', 'cpu',
    'memory', 'disks', 'cpuArch', 'cpuSpeed', 'volumes', 'interfaces', 'networkInterfaces',
    'machineConfig', 'machineImage', 'latestSnapshot', 'snapshots', 'meters', 'eventLog',
    'host', 'statusMessage'])


def option_warnings(filter_option=None, states=None):
    """Warnings naming each state in states and each attribute of a filters mapping that no
    CIMI machine has (a typo matches nothing, silently)."""
    warnings = []
    for state in states or []:
        if str(state) not in MACHINE_STATES:
            hint = ' (did you mean %s?)' % str(state).upper() if str(state).upper() in MACHINE_STATES else ''
            warnings.append('states: %r is not a CIMI machine state%s; known states: %s'
                            % (state, hint, ', '.join(MACHINE_STATES)))
    if isinstance(filter_option, dict):
        for key in filter_option:
            key = str(key)
            if key.startswith('property[') or key.split('/', 1)[0] in MACHINE_ATTRIBUTES:
                continue
            warnings.append('filters: %r is not an attribute of a CIMI machine (nor property[KEY]); '
                            'it matches no machine' % key)
    return warnings


def build_filter(filter_option=None, states=None, properties=None):
    """One $filter string from the three inventory filter options (ANDed), or None."""
    clauses = []
    if isinstance(filter_option, str):
        clauses.append(filter_option.strip())
    elif isinstance(filter_option, dict):
        clauses.append(filters.from_mapping(filter_option))
    elif filter_option:
        raise CimiError('filters must be a $filter string or a mapping of attribute to value')
    if states:
        clauses.append(filters.any_of(*[filters.eq('state', str(s)) for s in states]))
    if properties:
        clauses.append(filters.all_of(*[filters.prop(str(k), str(v)) for k, v in sorted(properties.items())]))
    return filters.all_of(*[c for c in clauses if c]) or None


def machine_expand(caps, want_volumes=True):
    """The $expand for a machines page: interfaces with their endpoints when paths work."""
    if not caps.get('ExpandParameter'):
        return None
    names = ['interfaces/endpoints' if caps.get('QueryPathNotation') else 'interfaces']
    if want_volumes:
        names.append('volumes')
    return ','.join(names)


def read_endpoint(client, filter_text, page_size, want_volumes=True):
    """Everything the inventory needs from one endpoint.

    Returns {'machines': [...], 'configs': {href: name}, 'capabilities': {...},
    'server_side_filter': bool, 'warnings': [...]}. Machines are filtered client-side when the
    provider cannot (and re-checked when it can).
    """
    warnings = []
    caps = capabilities(client)
    predicate = None
    server_side = bool(filter_text) and caps['FilterParameter']
    if filter_text:
        try:
            predicate = compile_filter(filter_text)
        except FilterSyntaxError as exc:
            if not server_side:
                raise CimiError('cannot apply the filter %r client-side (the provider does not '
                                'advertise FilterParameter): %s' % (filter_text, exc))
    params = {}
    if server_side:
        params['filter_expr'] = filter_text
    expand = machine_expand(caps, want_volumes)
    if expand:
        params['expand'] = expand
    if not caps['ExpandParameter']:
        warnings.append('the provider at %s does not advertise ExpandParameter: interfaces, addresses '
                        'and volumes are not read (they would need one request per machine)' % client.endpoint)
    elif not caps['QueryPathNotation']:
        warnings.append('the provider at %s does not advertise QueryPathNotation: addresses are only '
                        'known where interfaces carry them inline' % client.endpoint)
    machines, _count = client.read_collection(client.collection_url('machines'), 'machines', params, page_size)
    if predicate is not None:
        machines = [m for m in machines if isinstance(m, dict) and predicate(m)]
    configs = {}
    if client.has_collection('machineConfigs'):
        items, _count = client.read_collection(client.collection_url('machineConfigs'),
                                               ITEMS_KEYS['machineConfigs'], {'select': 'name,count'}, page_size)
        for item in items:
            if isinstance(item, dict) and item.get('id'):
                configs[item['id']] = item.get('name')
    return {'machines': machines, 'configs': configs, 'capabilities': caps,
            'server_side_filter': server_side, 'warnings': warnings}
