# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one fake CIMI provider of the unit tests, served two ways.

FakeProvider holds the resources of every Cloud Entry Point collection and answers requests as a
provider would: machines are created through a Job (202, CREATING) and started or stopped by
actions; other resources are stored as POSTed (201); PUT applies a partial ``$select`` update;
volumes are attached and detached through a machine's ``volumes`` (insert and remove, 202).
What a provider may not support is switchable: the capabilities it advertises in
ResourceMetadata (without FilterParameter it ignores ``$filter``, without FirstParameter
``$first``/``$last``, without ExpandParameter ``$expand``), a page cap, silently truncated
results, the CIMI 1.x namespace, and with it (``dangling_addresses``) a quirk of the retired 1.x
implementations: each machine's ``networkInterfaces`` advertise an ``addresses`` collection that
answers 404.

FakeCimi serves it over HTTP on a loopback port, with scriptable faults (resets, timeouts,
malformed bodies), recording (method, path, query, body, headers). FakeTransport answers a
CimiClient in process (no socket), recording (method, url, params).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import uuid
from urllib.parse import parse_qs, urlsplit

from loopback_http import JsonHandler, LoopbackServer

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiHTTPError, CimiNotFoundError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import CimiResponse
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.inventory_filter import compile_filter

NS2 = 'http://schemas.dmtf.org/cimi/2/'
NS1 = 'http://schemas.dmtf.org/cimi/1/'
BASE = 'http://cimi.test/cimi/'  # FakeTransport's; FakeCimi's is its loopback address
ALL_CAPS = ('FilterParameter', 'FirstParameter', 'SelectParameter', 'ExpandParameter',
            'OrderByParameter', 'QueryPathNotation')

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
ID_PREFIXES = {'machines': 'm', 'jobs': 'j'}


def machine(n, name=None, state='STARTED', properties=None, config='small', addresses=None,
            interfaces=1, base=BASE):
    """An inventory-style machine m<n>: its interfaces (with endpoints) and volumes are rendered
    as the request's $expand asks."""
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
        'resourceURI': NS2 + 'Machine', 'id': mid, 'name': name if name is not None else 'vm-%d' % n,
        'state': state, 'cpu': 2, 'memory': 2097152, 'created': '2024-01-01T00:00:%02dZ' % (n % 60),
        'properties': properties if properties is not None else {'role': 'web' if n % 2 else 'db'},
        'machineConfig': {'href': base + 'machineConfigs/' + config} if config else None,
        '_interfaces': ifaces,
        '_volumes': [{'id': mid + '/volumes/1', 'volume': {'href': base + 'volumes/v%d' % n},
                      'initialLocation': '/dev/vdb'}],
    }


def _expanded(item, expand):
    """An inventory-style machine as sent: private keys and unset attributes left out."""
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
    return rendered


class FakeProvider:
    """The provider's state and answer(); base is set by the adapter serving it."""

    base = BASE

    def __init__(self, version=2, capabilities=ALL_CAPS, with_metadata=False, page_cap=None,
                 ignore_first=False, truncate_at=None, dangling_addresses=False):
        self.ns = NS2 if version == 2 else NS1
        self.version = version
        self.dangling_addresses = dangling_addresses and version == 1
        self.capabilities = set(capabilities)
        self.with_metadata = with_metadata
        self.page_cap = page_cap
        self.ignore_first = ignore_first
        self.truncate_at = truncate_at
        self.resources = dict((key, {}) for key in COLLECTIONS)
        self.creates = 0
        self.lock = threading.RLock()
        self._last_id = 0

    @property
    def cep_url(self):
        return self.base + 'cloudEntryPoint'

    @property
    def machines(self):
        return self.resources['machines']

    # ---- seeding ---------------------------------------------------------------------------

    def _store(self, key, resource=None, **attributes):
        with self.lock:
            self._last_id += 1
            rid = '%s%d' % (ID_PREFIXES.get(key, key[:3]), self._last_id)
            url = self.base + key + '/' + rid
            resource = dict(resource or {}, id=url, **attributes)
            self.resources[key][rid] = resource
            return resource

    def add(self, key, name, **attributes):
        """Store a resource directly (as if made earlier); returns it."""
        resource = {'resourceURI': self.ns + COLLECTIONS[key][1], 'name': name}
        if COLLECTIONS[key][2]:
            resource['state'] = COLLECTIONS[key][2]
        resource = self._store(key, resource)
        resource['operations'] = [{'rel': 'edit', 'href': resource['id']}, {'rel': 'delete', 'href': resource['id']}]
        if key == 'machines':
            self._with_volumes(resource)
        resource.update(attributes)
        return resource

    @staticmethod
    def _with_volumes(machine):
        """A machine's volumes sub-collection, always shown expanded: {href, count, volumes}."""
        machine['volumes'] = {'href': machine['id'] + '/volumes', 'count': 0, 'volumes': []}
        return machine

    def add_machine(self, name, state='STOPPED', properties=None):
        """A machine that starts and stops (its operations say which is available)."""
        resource = self._store('machines', {'resourceURI': self.ns + 'Machine', 'name': name, 'state': state,
                                            'cpu': 1, 'memory': 1048576})
        url = self._with_volumes(resource)['id']
        delete_rel = 'delete' if self.version == 2 else NS1 + 'action/delete'
        resource['operations'] = [{'rel': 'edit', 'href': url}, {'rel': delete_rel, 'href': url},
                                  {'rel': self.ns + 'action/start', 'href': url + '/start'},
                                  {'rel': self.ns + 'action/stop', 'href': url + '/stop'}]
        if properties:
            resource['properties'] = properties
        if self.dangling_addresses:
            resource['networkInterfaces'] = {'href': url + '/networkInterfaces'}
        return self._settled(resource)

    def add_machines(self, machines):
        """Inventory-style machines (see machine()), under their own ids."""
        for item in machines:
            self.resources['machines'][item['id'].rsplit('/', 1)[1]] = item

    def add_job(self, target, action, state='SUCCESS', message=None):
        job = {'resourceURI': self.ns + 'Job', 'state': state, 'action': action, 'progress': 100,
               'returnCode': 0 if state == 'SUCCESS' else 1,
               'targetResource': {'href': target}, 'affectedResources': [{'href': target}]}
        if message:
            job['statusMessage'] = message
        return self._store('jobs', job)

    @staticmethod
    def _settled(resource):
        """resource with its start/stop operations available as its state allows."""
        for operation in resource.get('operations') or []:
            if operation['rel'].endswith('/start'):
                operation['available'] = resource.get('state') != 'STARTED'
            elif operation['rel'].endswith('/stop'):
                operation['available'] = resource.get('state') == 'STARTED'
        return resource

    # ---- answering -------------------------------------------------------------------------

    def answer(self, method, rel, query, body):
        """(status, body, headers) of a request for rel (the path under base, None: elsewhere);
        query maps each parameter to its list of values."""
        if rel == 'cloudEntryPoint':
            return 200, self._cep(), {}
        if rel == 'resourceMetadata' and self.with_metadata:
            return 200, {'resourceMetadatas': [{'typeURI': NS2 + 'CloudEntryPoint', 'capabilities': [
                {'uri': NS2 + 'capability/CloudEntryPoint/' + c, 'value': 'true'}
                for c in sorted(self.capabilities)]}]}, {}
        segments = rel.split('/') if rel else []
        key = segments[0] if segments else None
        if len(segments) == 1 and key in COLLECTIONS:
            if method == 'POST':
                return self._create(key, body)
            return 200, self._collection(key, query), {}
        stored = self.resources.get(key, {}).get(segments[1]) if len(segments) in (2, 3) else None
        if stored is not None and len(segments) == 2:
            return self._resource(method, key, segments[1], query, body)
        if stored is not None and segments[2:] == ['networkInterfaces'] and self.dangling_addresses:
            return 200, self._v1_interfaces(stored), {}
        if stored is not None and key == 'machines' and segments[2] == 'volumes':
            return self._machine_volumes(method, stored, body)
        if stored is not None and key == 'machines' and segments[2] in ('start', 'stop') and method == 'POST':
            stored['state'] = 'STARTED' if segments[2] == 'start' else 'STOPPED'
            job = self.add_job(stored['id'], NS2 + 'action/' + segments[2])
            return 202, None, {'CIMI-Job-URI': job['id']}
        return self.error(404, 'no such resource %s' % rel)

    def _v1_interfaces(self, machine):
        """A 1.x MachineNetworkInterface collection whose addresses collection is not served."""
        iid = machine['id'] + '/networkInterfaces/1'
        return {'resourceURI': NS1 + 'MachineNetworkInterfaceCollection', 'id': machine['id'] + '/networkInterfaces',
                'count': 1, 'machineNetworkInterfaces': [
                    {'resourceURI': NS1 + 'MachineNetworkInterface', 'id': iid, 'state': 'ACTIVE',
                     'macAddress': '52:54:00:00:00:01', 'network': {'href': self.base + 'networks/n1'},
                     'addresses': {'href': iid + '/addresses'}}]}

    def attached(self, volume_id):
        """(machine, entry) of every attachment of a volume."""
        return [(m, e) for m in self.machines.values() if isinstance(m.get('volumes'), dict)
                for e in m['volumes'].get('volumes') or [] if (e.get('volume') or {}).get('href') == volume_id]

    def _machine_volumes(self, method, machine, body):
        """A machine's volumes: read, or insert/remove through a Job, as the reference provider does
        (a volume attached anywhere cannot be inserted again)."""
        volumes = machine['volumes']
        if method == 'GET':
            return 200, dict(volumes, resourceURI=self.ns + 'MachineVolumeCollection', id=volumes['href'],
                             operations=[{'rel': 'insert', 'href': volumes['href']},
                                         {'rel': 'remove', 'href': volumes['href']}]), {}
        if method != 'POST':
            return self.error(405, 'method not allowed')
        verb = str(body.get('action') or '').rsplit('/', 1)[-1]
        volume_id = (body.get('volume') or {}).get('href')
        if volume_id not in [v['id'] for v in self.resources['volumes'].values()]:
            return self.error(400, 'no volume %s' % volume_id)
        if verb == 'insert':
            if self.attached(volume_id):
                return self.error(409, 'volume %s is already attached to a machine' % volume_id)
            entry = {'id': '%s/v%d' % (volumes['href'], len(volumes['volumes']) + 1), 'volume': {'href': volume_id}}
            if body.get('initialLocation'):
                entry['initialLocation'] = body['initialLocation']
            volumes['volumes'].append(entry)
        elif verb == 'remove':
            entries = [e for e in volumes['volumes'] if e['volume']['href'] == volume_id]
            if not entries:
                return self.error(409, 'volume %s is not attached to this machine' % volume_id)
            volumes['volumes'].remove(entries[0])
        else:
            return self.error(400, 'action must be insert or remove')
        volumes['count'] = len(volumes['volumes'])
        return 202, None, {'CIMI-Job-URI': self.add_job(volumes['href'], NS2 + 'action/' + verb)['id']}

    def error(self, status, message):
        return status, {'resourceURI': self.ns + 'Job', 'id': '', 'state': 'FAILED',
                        'returnCode': status, 'statusMessage': message}, {}

    def _cep(self):
        cep = {'resourceURI': self.ns + 'CloudEntryPoint', 'id': self.cep_url, 'name': 'fake', 'baseURI': self.base}
        cep.update((key, {'href': key}) for key in COLLECTIONS)
        if self.version == 1:  # the 1.x name of the collection
            cep['machineConfigurations'] = cep.pop('machineConfigs')
        if self.with_metadata:
            cep['resourceMetadata'] = {'href': 'resourceMetadata'}
        return cep

    def _create(self, key, body):
        if key != 'machines':
            fields = dict((k, v) for k, v in body.items() if k != 'resourceURI')
            resource = self.add(key, fields.pop('name', None), **fields)
            return 201, resource, {'Location': resource['id']}
        self.creates += 1
        created = self.add_machine(body.get('name'), state='CREATING')
        job = self.add_job(created['id'], 'add')
        created['state'] = (body.get('machineTemplate') or {}).get('initialState', 'STOPPED')
        for field in ('description', 'properties'):
            if field in body:
                created[field] = body[field]
        return 202, dict(created, state='CREATING'), {'Location': created['id'], 'CIMI-Job-URI': job['id']}

    def _collection(self, key, query):
        items = list(self.resources[key].values())
        text = query.get('$filter', [None])[0]
        if text and 'FilterParameter' in self.capabilities:
            items = [item for item in items if compile_filter(text)(item)]
        count = len(items)
        if self.truncate_at is not None:
            items = items[:self.truncate_at]  # a provider silently capping its results
        if 'FirstParameter' in self.capabilities and not self.ignore_first:
            first = int(query.get('$first', ['1'])[0])
            last = int(query.get('$last', [str(count)])[0])
            if self.page_cap:
                last = min(last, first + self.page_cap - 1)
            items = items[first - 1:last] if last >= first else []
        expand = set(query.get('$expand', [''])[0].split(',')) if 'ExpandParameter' in self.capabilities else set()
        page = [_expanded(item, expand) if '_interfaces' in item else self._settled(item) for item in items]
        collection = {'resourceURI': self.ns + COLLECTIONS[key][1] + 'Collection', 'id': self.base + key,
                      'count': count, 'operations': [{'rel': 'add', 'href': self.base + key}]}
        if page:
            collection[COLLECTIONS[key][0]] = page
        return collection

    def _resource(self, method, key, rid, query, body):
        resource = self._settled(self.resources[key][rid])
        if method == 'GET':
            return 200, resource, {}
        if method == 'PUT':
            for attribute in query.get('$select', [''])[0].split(','):
                if attribute in body:
                    resource[attribute] = body[attribute]
                else:
                    resource.pop(attribute, None)
            return 200, resource, {}
        if method == 'DELETE':
            del self.resources[key][rid]
            if key == 'machines':
                return 200, None, {'CIMI-Job-URI': self.add_job(resource['id'], 'delete')['id']}
            return 200, None, {}
        return self.error(405, 'method not allowed')


class FakeCimi(FakeProvider, LoopbackServer):
    """The fake provider over HTTP on 127.0.0.1. faults: dicts consumed by matching requests."""

    def __init__(self, **options):
        FakeProvider.__init__(self, **options)
        LoopbackServer.__init__(self)
        self.faults = []
        self.requests = []

    def add_fault(self, method, path, **fault):
        fault.update(method=method, path=path)
        self.faults.append(fault)

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault['method'] == method and path.startswith(fault['path']):
                    self.faults.remove(fault)
                    return fault
        return None

    def writes(self):
        return [r for r in self.requests if r[0] != 'GET']

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

    def filters_sent(self, key):
        return [r[2]['$filter'][0] for r in self.requests
                if r[0] == 'GET' and r[1] == '/cimi/' + key and '$filter' in r[2]]

    def _handler_class(self):
        fake = self

        class Handler(JsonHandler):

            def _reset(self):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                self.close_connection = True
                self.connection.close()

            def _dispatch(self, method):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length) or b'null') if length else None
                fake.requests.append((method, parts.path, query, body, dict(self.headers)))
                fault = fake.take_fault(method, parts.path)
                if fault:
                    if fault.get('sleep'):
                        time.sleep(fault['sleep'])
                    if fault.get('reset') == 'before':
                        return self._reset()
                    if 'status' in fault:
                        return self._send(fault['status'], fault.get('body'), fault.get('headers'),
                                          raw=fault.get('raw'))
                    if fault.get('malformed'):
                        return self._send(200, raw=b'{"id": "oops", ')
                rel = parts.path[len('/cimi/'):] if parts.path.startswith('/cimi/') else None
                with fake.lock:
                    status, answer, headers = fake.answer(method, rel, query, body)
                if fault and fault.get('late_answer'):  # act now, answer only after this delay
                    time.sleep(fault['late_answer'])
                self._send(status, answer, headers)
                if fault and fault.get('reset') == 'after':
                    self._reset()

        return Handler


class FakeTransport(FakeProvider):
    """The fake provider as a CimiClient transport, in process: inventory-style machines and two
    machine configurations, ResourceMetadata advertised."""

    def __init__(self, machines=(), base=BASE, with_metadata=True, **options):
        self.base = base
        FakeProvider.__init__(self, with_metadata=with_metadata, **options)
        self.add_machines(machines)
        for rid, name in (('small', 'm1-small'), ('large', 'm1.large')):
            self.resources['machineConfigs'][rid] = {'id': base + 'machineConfigs/' + rid, 'name': name}
        self.requests = []
        self.retries = 0
        self.closed = False

    def close(self):
        self.closed = True

    def request(self, method, url, params=None, body=None, idempotent=None):
        params = dict(params or {})
        self.requests.append((method, url, params))
        rel = url[len(self.base):] if url.startswith(self.base) else None
        status, answer, headers = self.answer(method, rel, dict((k, [str(v)]) for k, v in params.items()), body)
        if status == 404:
            raise CimiNotFoundError('not found', method=method, url=url, status=status)
        if status >= 400:
            raise CimiHTTPError('HTTP %d' % status, method=method, url=url, status=status)
        return CimiResponse(method, url, status, dict(headers, **{'Content-Type': 'application/json'}),
                            json.dumps(answer))

    def gets(self, path):
        return [r for r in self.requests if r[0] == 'GET' and r[1] == self.base + path]
