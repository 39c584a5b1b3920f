# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small in-process CIMI server (stdlib http.server) with scriptable faults, for unit tests."""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from urllib.parse import parse_qs, urlsplit

from loopback_http import JsonHandler, LoopbackServer

NS2 = 'http://schemas.dmtf.org/cimi/2/'
NS1 = 'http://schemas.dmtf.org/cimi/1/'


class FakeCimi(LoopbackServer):
    """State of the fake provider. faults: list of dicts consumed by matching requests."""

    def __init__(self, version=2, page_cap=None):
        self.ns = NS2 if version == 2 else NS1
        self.version = version
        self.machines = {}
        self.jobs = {}
        self.faults = []
        self.requests = []
        self.creates = 0
        self.page_cap = page_cap
        self.lock = threading.Lock()
        super().__init__()

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

    def add_machine(self, name, state='STOPPED', properties=None):
        with self.lock:
            mid = 'm%d' % (len(self.machines) + 1)
            url = self.base + 'machines/' + mid
            delete_rel = 'delete' if self.version == 2 else NS1 + 'action/delete'
            machine = {'resourceURI': self.ns + 'Machine', 'id': url, 'name': name, 'state': state,
                       'cpu': 1, 'memory': 1048576,
                       'operations': [{'rel': 'edit', 'href': url}, {'rel': delete_rel, 'href': url},
                                      {'rel': self.ns + 'action/start', 'href': url + '/start',
                                       'available': state != 'STARTED'},
                                      {'rel': self.ns + 'action/stop', 'href': url + '/stop',
                                       'available': state == 'STARTED'}]}
            if properties:
                machine['properties'] = properties
            self.machines[mid] = machine
            return machine

    def add_job(self, target, action, state='SUCCESS', message=None):
        with self.lock:
            jid = 'j%d' % (len(self.jobs) + 1)
            job = {'resourceURI': self.ns + 'Job', 'id': self.base + 'jobs/' + jid, 'state': state,
                   'action': action, 'progress': 100, 'returnCode': 0 if state == 'SUCCESS' else 1,
                   'targetResource': {'href': target}, 'affectedResources': [{'href': target}]}
            if message:
                job['statusMessage'] = message
            self.jobs[jid] = job
            return job

    def _handler_class(self):
        fake = self

        class Handler(JsonHandler):

            def _reset(self):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                self.close_connection = True
                self.connection.close()

            def _error(self, status, message):
                self._send(status, {'resourceURI': fake.ns + 'Job', 'id': '', 'state': 'FAILED',
                                    'returnCode': status, 'statusMessage': message})

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
                reset_after = fault and fault.get('reset') == 'after'
                if fault and fault.get('late_answer'):  # act now, answer only after this delay
                    send, delay = self._send, fault['late_answer']
                    self._send = lambda *args, **kwargs: (time.sleep(delay), send(*args, **kwargs))
                self._route(method, parts.path, query, body)
                if reset_after:
                    self._reset()

            def _route(self, method, path, query, body):
                rel = path[len('/cimi/'):] if path.startswith('/cimi/') else None
                if rel == 'cloudEntryPoint':
                    cep = {'resourceURI': fake.ns + 'CloudEntryPoint', 'id': fake.cep_url, 'name': 'fake',
                           'baseURI': fake.base, 'machines': {'href': 'machines'}, 'jobs': {'href': 'jobs'}}
                    if fake.version == 1:
                        cep['machineConfigurations'] = {'href': 'machineConfigs'}
                    return self._send(200, cep)
                if rel == 'machines' and method == 'GET':
                    return self._send(200, self._collection(query))
                if rel == 'machines' and method == 'POST':
                    fake.creates += 1
                    machine = fake.add_machine(body.get('name'), state='CREATING')
                    job = fake.add_job(machine['id'], 'add')
                    machine['state'] = (body.get('machineTemplate') or {}).get('initialState', 'STOPPED')
                    for key in ('description', 'properties'):
                        if key in body:
                            machine[key] = body[key]
                    return self._send(202, dict(machine, state='CREATING'),
                                      {'Location': machine['id'], 'CIMI-Job-URI': job['id']})
                match = re.match(r'^machines/(m\d+)(/(start|stop))?$', rel or '')
                if match and match.group(1) in fake.machines:
                    machine = fake.machines[match.group(1)]
                    if match.group(3):
                        machine['state'] = 'STARTED' if match.group(3) == 'start' else 'STOPPED'
                        job = fake.add_job(machine['id'], NS2 + 'action/' + match.group(3))
                        return self._send(202, None, {'CIMI-Job-URI': job['id']})
                    for operation in machine['operations']:
                        if operation['rel'].endswith('/start'):
                            operation['available'] = machine['state'] != 'STARTED'
                        elif operation['rel'].endswith('/stop'):
                            operation['available'] = machine['state'] == 'STARTED'
                    if method == 'GET':
                        return self._send(200, machine)
                    if method == 'PUT':
                        select = query.get('$select', [''])[0].split(',')
                        for key in select:
                            if key in body:
                                machine[key] = body[key]
                            else:
                                machine.pop(key, None)
                        return self._send(200, machine)
                    if method == 'DELETE':
                        del fake.machines[match.group(1)]
                        job = fake.add_job(machine['id'], 'delete')
                        return self._send(200, None, {'CIMI-Job-URI': job['id']})
                match = re.match(r'^jobs/(j\d+)$', rel or '')
                if match and match.group(1) in fake.jobs:
                    return self._send(200, fake.jobs[match.group(1)])
                return self._error(404, 'no such resource %s' % path)

            def _collection(self, query):
                items = sorted(fake.machines.values(), key=lambda m: m['id'])
                flt = query.get('$filter', [None])[0]
                if flt:
                    match = re.match(r"^(name|property\['([^']*)'\])='((?:[^'\\]|\\.)*)'$", flt)
                    value = re.sub(r'\\(.)', r'\1', match.group(3))
                    if match.group(2) is None:
                        items = [m for m in items if m['name'] == value]
                    else:
                        items = [m for m in items if (m.get('properties') or {}).get(match.group(2)) == value]
                count = len(items)
                first = int(query.get('$first', ['1'])[0])
                last = int(query.get('$last', [str(count)])[0])
                if fake.page_cap:
                    last = min(last, first + fake.page_cap - 1)
                page = items[first - 1:last] if last >= first else []
                coll = {'resourceURI': fake.ns + 'MachineCollection', 'id': fake.base + 'machines',
                        'count': count, 'operations': [{'rel': 'add', 'href': fake.base + 'machines'}]}
                if page:
                    coll['machines'] = page
                return coll

        return Handler
