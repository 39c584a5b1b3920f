# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A generic in-process CIMI store (stdlib http.server) for module unit tests.

Every collection of the Cloud Entry Point answers synchronously: POST stores the body as the new
resource (201 + Location), PUT applies a partial ``$select`` update, DELETE removes. ``$filter``
is recorded but not applied (the client re-checks names itself), so tests assert the expression
sent. Every request is recorded as (method, path, query, body).
"""

from __future__ import annotations

import json
import threading
import uuid
from urllib.parse import parse_qs, urlsplit

from loopback_http import JsonHandler, LoopbackServer

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY

NS = 'http://schemas.dmtf.org/cimi/2/'

# CEP key -> (collection item array key, resource type, state a new resource settles in)
COLLECTIONS = {
    'machines': ('machines', 'Machine', 'STOPPED'),
    'machineTemplates': ('machineTemplates', 'MachineTemplate', None),
    'machineConfigs': ('machineConfigurations', 'MachineConfiguration', None),
    'machineImages': ('machineImages', 'MachineImage', 'AVAILABLE'),
    'credentials': ('credentials', 'Credential', None),
    'volumes': ('volumes', 'Volume', 'AVAILABLE'),
    'networks': ('networks', 'Network', 'STARTED'),
    'systems': ('systems', 'System', 'STOPPED'),
    'systemTemplates': ('systemTemplates', 'SystemTemplate', None),
    'jobs': ('jobs', 'Job', None),
}


class FakeStore(LoopbackServer):
    def __init__(self):
        self.resources = dict((key, {}) for key in COLLECTIONS)
        self.requests = []
        self.lock = threading.Lock()
        super().__init__()

    def add(self, key, name, **attributes):
        """Store a resource directly (as if made earlier); returns it."""
        with self.lock:
            rid = '%s%d' % (key[:3], sum(len(c) for c in self.resources.values()) + 1)
            url = self.base + key + '/' + rid
            resource = {'resourceURI': NS + COLLECTIONS[key][1], 'id': url, 'name': name,
                        'operations': [{'rel': 'edit', 'href': url}, {'rel': 'delete', 'href': url}]}
            if COLLECTIONS[key][2]:
                resource['state'] = COLLECTIONS[key][2]
            resource.update(attributes)
            self.resources[key][rid] = resource
            return resource

    def posted(self, key):
        """Bodies POSTed to a collection, without the client's create tag (checked to be there)."""
        bodies = []
        for body in [r[3] for r in self.requests if r[0] == 'POST' and r[1] == '/cimi/' + key]:
            body = dict(body, properties=dict(body['properties']))
            assert uuid.UUID(body['properties'].pop(REQUEST_ID_PROPERTY))
            if not body['properties']:
                del body['properties']
            bodies.append(body)
        return bodies

    def writes(self):
        return [r for r in self.requests if r[0] != 'GET']

    def filters_sent(self, key):
        return [r[2]['$filter'][0] for r in self.requests
                if r[0] == 'GET' and r[1] == '/cimi/' + key and '$filter' in r[2]]

    def _handler_class(self):
        store = self

        class Handler(JsonHandler):

            def _error(self, status, message):
                self._send(status, {'resourceURI': NS + 'Job', 'id': '', 'state': 'FAILED',
                                    'returnCode': status, 'statusMessage': message})

            def _dispatch(self, method):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                store.requests.append((method, parts.path, query, body))
                segments = parts.path[len('/cimi/'):].split('/') if parts.path.startswith('/cimi/') else []
                if segments == ['cloudEntryPoint']:
                    cep = {'resourceURI': NS + 'CloudEntryPoint', 'id': store.cep_url, 'baseURI': store.base}
                    cep.update((key, {'href': key}) for key in COLLECTIONS)
                    return self._send(200, cep)
                if len(segments) == 1 and segments[0] in COLLECTIONS:
                    return self._collection(method, segments[0], query, body)
                if len(segments) == 2 and segments[1] in store.resources.get(segments[0], {}):
                    return self._resource(method, segments[0], segments[1], query, body)
                return self._error(404, 'no such resource %s' % parts.path)

            def _collection(self, method, key, query, body):
                if method == 'POST':
                    fields = dict((k, v) for k, v in body.items() if k != 'resourceURI')
                    resource = store.add(key, fields.pop('name', None), **fields)
                    return self._send(201, resource, {'Location': resource['id']})
                items = sorted(store.resources[key].values(), key=lambda r: r['id'])
                first = int(query.get('$first', ['1'])[0])
                last = int(query.get('$last', [str(len(items))])[0])
                page = items[first - 1:last] if last >= first else []
                collection = {'resourceURI': NS + COLLECTIONS[key][1] + 'Collection', 'id': store.base + key,
                              'count': len(items), 'operations': [{'rel': 'add', 'href': store.base + key}]}
                if page:
                    collection[COLLECTIONS[key][0]] = page
                return self._send(200, collection)

            def _resource(self, method, key, rid, query, body):
                resource = store.resources[key][rid]
                if method == 'GET':
                    return self._send(200, resource)
                if method == 'PUT':
                    for attribute in query.get('$select', [''])[0].split(','):
                        if attribute in body:
                            resource[attribute] = body[attribute]
                        else:
                            resource.pop(attribute, None)
                    return self._send(200, resource)
                if method == 'DELETE':
                    del store.resources[key][rid]
                    return self._send(200)
                return self._error(405, 'method not allowed')

        return Handler
