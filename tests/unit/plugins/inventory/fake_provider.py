# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-process fake of a CIMI provider at the transport level (no sockets), for unit tests.

It answers CimiClient GETs like a provider would: CEP, ResourceMetadata with switchable
capabilities, machines with $filter, $first/$last, $expand (and an optional page cap), and
records every request so tests can count them.
"""
from __future__ import annotations

import json

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiNotFoundError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import CimiResponse
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.inventory_filter import compile_filter

BASE = 'http://cimi.test/cimi/'
NS = 'http://schemas.dmtf.org/cimi/2/'
ALL_CAPS = ('FilterParameter', 'FirstParameter', 'SelectParameter', 'ExpandParameter',
            'OrderByParameter', 'QueryPathNotation')


def machine(n, name=None, state='STARTED', properties=None, config='small', addresses=None,
            interfaces=1, base=BASE):
    mid = base + 'machines/m%d' % n
    ifaces = []
    for i in range(interfaces):
        iid = '%s/interfaces/%d' % (mid, i + 1)
        addrs = addresses if addresses is not None else ['192.0.2.%d' % ((n * 2 + i) % 250 + 1)]
        ifaces.append({'id': iid, 'state': 'ENABLED', 'network': {'href': base + 'networks/net%d' % i},
                       'macAddress': '52:54:00:00:%02x:%02x' % (n % 256, i), 'mtu': 1500,
                       'endpoints': {'href': iid + '/endpoints', 'count': len(addrs), 'endpoints': [
                           {'id': '%s/endpoints/%d' % (iid, j + 1), 'state': 'ENABLED',
                            'protocol': 'IPv6' if ':' in a else 'IPv4', 'address': a, 'origin': 'STATIC'}
                           for j, a in enumerate(addrs)]}})
    return {
        'resourceURI': NS + 'Machine', 'id': mid, 'name': name if name is not None else 'vm-%d' % n,
        'state': state, 'cpu': 2, 'memory': 2097152, 'created': '2024-01-01T00:00:%02dZ' % (n % 60),
        'properties': properties if properties is not None else {'role': 'web' if n % 2 else 'db'},
        'machineConfig': {'href': base + 'machineConfigs/' + config} if config else None,
        '_interfaces': ifaces,
        '_volumes': [{'id': mid + '/volumes/1', 'volume': {'href': base + 'volumes/v%d' % n},
                      'initialLocation': '/dev/vdb'}],
    }


class FakeTransport:

    def __init__(self, machines=(), capabilities=ALL_CAPS, page_cap=None, ignore_first=False,
                 with_metadata=True, truncate_at=None, base=BASE):
        self.base = base
        self.truncate_at = truncate_at
        self.machines = list(machines)
        self.capabilities = set(capabilities)
        self.page_cap = page_cap
        self.ignore_first = ignore_first
        self.with_metadata = with_metadata
        self.requests = []
        self.retries = 0
        self.closed = False

    def close(self):
        self.closed = True

    def request(self, method, url, params=None, body=None, idempotent=None):
        params = dict(params or {})
        self.requests.append((method, url, params))
        base = self.base
        path = url[len(base):] if url.startswith(base) else None
        if path == 'cloudEntryPoint':
            doc = {'resourceURI': NS + 'CloudEntryPoint', 'id': url, 'baseURI': base,
                   'machines': {'href': 'machines'}, 'machineConfigs': {'href': 'machineConfigs'}}
            if self.with_metadata:
                doc['resourceMetadata'] = {'href': 'resourceMetadata'}
        elif path == 'resourceMetadata':
            doc = {'resourceMetadatas': [{'typeURI': NS + 'CloudEntryPoint', 'capabilities': [
                {'uri': NS + 'capability/CloudEntryPoint/' + c, 'value': 'true'} for c in sorted(self.capabilities)]}]}
        elif path == 'machines':
            doc = self._machines(params)
        elif path == 'machineConfigs':
            doc = {'count': 2, 'machineConfigurations': [
                {'id': base + 'machineConfigs/small', 'name': 'm1-small'},
                {'id': base + 'machineConfigs/large', 'name': 'm1.large'}]}
        else:
            raise CimiNotFoundError('not found', method=method, url=url, status=404)
        return CimiResponse(method, url, 200, {'Content-Type': 'application/json'}, json.dumps(doc))

    def _machines(self, params):
        items = self.machines
        if '$filter' in params and 'FilterParameter' in self.capabilities:
            predicate = compile_filter(params['$filter'])
            items = [m for m in items if predicate(m)]
        count = len(items)
        if self.truncate_at is not None:
            items = items[:self.truncate_at]  # a provider silently capping its results
        if 'FirstParameter' in self.capabilities and not self.ignore_first:
            first, last = int(params.get('$first', 1)), int(params.get('$last', count))
            if self.page_cap:
                last = min(last, first + self.page_cap - 1)
            items = items[first - 1:last]
        expand = set(str(params.get('$expand', '')).split(',')) if 'ExpandParameter' in self.capabilities else set()
        out = []
        for item in items:
            rendered = dict((k, v) for k, v in item.items() if not k.startswith('_') and v is not None)
            if 'interfaces/endpoints' in expand:
                rendered['interfaces'] = {'count': len(item['_interfaces']), 'interfaces': item['_interfaces']}
            elif 'interfaces' in expand:
                rendered['interfaces'] = {'count': len(item['_interfaces']), 'interfaces': [
                    dict(i, endpoints={'href': i['id'] + '/endpoints'}) for i in item['_interfaces']]}
            else:
                rendered['interfaces'] = {'href': item['id'] + '/interfaces'}
            if 'volumes' in expand:
                rendered['volumes'] = {'count': len(item['_volumes']), 'volumes': item['_volumes']}
            else:
                rendered['volumes'] = {'href': item['id'] + '/volumes'}
            out.append(rendered)
        return {'resourceURI': NS + 'MachineCollection', 'id': self.base + 'machines', 'count': count,
                'machines': out}

    def gets(self, path):
        return [r for r in self.requests if r[0] == 'GET' and r[1] == self.base + path]
