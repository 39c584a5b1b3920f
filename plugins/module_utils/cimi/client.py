# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CimiClient: discovery from the Cloud Entry Point, CRUD, actions and Jobs.

Every URL is taken from the provider (CEP collection refs, ``operations`` hrefs, ``Location``,
``CIMI-Job-URI``) and resolved with ``urljoin(baseURI, href)``; the client only appends ``$``
query parameters, never builds a path.

Creating is never re-sent blindly: every create carries a fresh client request id in its
``properties`` (key REQUEST_ID_PROPERTY). When the POST fails ambiguously, the client looks the
collection up for that id for a bounded time (``retries`` lookups with backoff); a resource found
is adopted. If none is found: after a gateway's 502/503/504 the POST is sent again (up to
``retries`` times, same id); after a read timeout or a connection lost mid-request the create
fails with CimiAmbiguousCreate, since it may still commit later.
"""

from __future__ import annotations

import uuid

from urllib.parse import urljoin

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat, filters
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import (
    CimiAmbiguousCreate, CimiError, CimiHTTPError, CimiLookupError, CimiNotFoundError,
    CimiOperationUnavailable, CimiProtocolError)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import (
    AmbiguousRequestError, HttpTransport)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.paging import CollectionPager
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.waiter import Waiter

# CEP keys abbreviate where collection item arrays do not (DSP0263 5.12; Deltacloud DTACLOUD-577).
CEP_KEY_ALIASES = {
    'machineConfigs': ('machineConfigs', 'machineConfigurations'),
    'volumeConfigs': ('volumeConfigs', 'volumeConfigurations'),
}
# Tags each create so an ambiguous one can be found again; the reconcile never diffs or removes it.
REQUEST_ID_PROPERTY = 'cloudmgmt.dmtf/request-id'
ITEMS_KEYS = {
    'machineConfigs': 'machineConfigurations',
    'volumeConfigs': 'volumeConfigurations',
    'resourceMetadata': 'resourceMetadatas',
}


def looks_like_href(value):
    """References accept a name or an href; anything with a slash is an href."""
    return isinstance(value, str) and '/' in value


class CreateOutcome:
    """Result of a create: the resource URL, its representation if known, the Job URL."""

    def __init__(self, url, resource=None, job_url=None, status=None, recovered=False):
        self.url = url
        self.resource = resource
        self.job_url = job_url
        self.status = status
        self.recovered = recovered


class CimiClient:

    def __init__(self, endpoint, transport, backoff=None):
        if not endpoint:
            raise CimiError('no CIMI endpoint given (option endpoint or CIMI_ENDPOINT)')
        self.endpoint = endpoint
        self.transport = transport
        if hasattr(transport, 'pin_origin'):
            transport.pin_origin(endpoint)
        self.waiter = Waiter(self, backoff)
        self._cep = None
        self._add_hrefs = {}

    @classmethod
    def from_options(cls, options, **transport_kwargs):
        """Build a client from the connection options (see options.CONNECTION_OPTIONS)."""
        transport = HttpTransport.from_options(options, **transport_kwargs)
        return cls(options.get('endpoint'), transport)

    # ---- discovery -------------------------------------------------------------------------

    @property
    def cep(self):
        if self._cep is None:
            cep = self.transport.request('GET', self.endpoint).json(required=True)
            if not isinstance(cep, dict):
                raise CimiProtocolError('the endpoint did not return a Cloud Entry Point object',
                                        method='GET', url=self.endpoint)
            self._cep = cep
        return self._cep

    @property
    def base_uri(self):
        base = self.cep.get('baseURI') or self.endpoint
        return urljoin(self.endpoint, base)

    def resolve(self, href):
        if not href:
            raise CimiProtocolError('the provider returned an empty href', url=self.endpoint)
        return urljoin(self.base_uri, href)

    def has_collection(self, key):
        return any(compat.ref_href(self.cep.get(k)) for k in CEP_KEY_ALIASES.get(key, (key,)))

    def collection_url(self, key):
        for candidate in CEP_KEY_ALIASES.get(key, (key,)):
            href = compat.ref_href(self.cep.get(candidate))
            if href:
                return self.resolve(href)
        raise CimiOperationUnavailable('this CIMI provider does not offer %s (no %r in its Cloud Entry Point)'
                                       % (key, key), url=self.endpoint)

    def add_href(self, key):
        """The collection's add href, discovered cheaply with $last=0."""
        if key not in self._add_hrefs:
            url = self.collection_url(key)
            collection = self.get(url, {'$last': 0})
            self._add_hrefs[key] = self.operation_href(collection, 'add', what='the %s collection' % key)
        return self._add_hrefs[key]

    @staticmethod
    def find_operation(resource, rel):
        """The operation whose rel's last segment is rel (bare or URI form), or None."""
        for operation in (resource or {}).get('operations') or []:
            if isinstance(operation, dict) and compat.last_segment(operation.get('rel')) == rel:
                return operation
        return None

    def is_available(self, resource, rel):
        operation = self.find_operation(resource, rel)
        return bool(operation) and operation.get('available', True) is not False and bool(operation.get('href'))

    def operation_href(self, resource, rel, what=None):
        what = what or resource.get('name') or resource.get('id') or 'the resource'
        operation = self.find_operation(resource, rel)
        if not operation or not operation.get('href'):
            raise CimiOperationUnavailable('%s does not offer the %r operation' % (what, rel),
                                           url=resource.get('id'))
        if operation.get('available') is False:
            state = resource.get('state')
            raise CimiOperationUnavailable('the %r operation of %s is not available now%s' % (
                rel, what, ' (state %s)' % state if state else ''), url=resource.get('id'))
        return self.resolve(operation['href'])

    # ---- reading ---------------------------------------------------------------------------

    def get(self, url, params=None):
        body = self.transport.request('GET', url, params=params).json(required=True)
        if not isinstance(body, dict):
            raise CimiProtocolError('expected a JSON object', method='GET', url=url)
        return body

    def get_optional(self, url, params=None):
        try:
            return self.get(url, params)
        except CimiNotFoundError:
            return None

    def pager(self, key_or_url, items_key=None, **kwargs):
        if '/' in key_or_url:
            url = key_or_url
        else:
            url = self.collection_url(key_or_url)
            items_key = items_key or ITEMS_KEYS.get(key_or_url, key_or_url)
        return CollectionPager(self.get, url, items_key=items_key, **kwargs)

    def list(self, key_or_url, **kwargs):
        return list(self.pager(key_or_url, **kwargs))

    def find_by_name(self, key, name, expand=None):
        """Resources of a collection with exactly this name (filtered server-side, re-checked).
        The page also tells the collection's add href: kept, so a create after it needs no
        extra read."""
        pager = self.pager(key, filter_expr=filters.eq('name', name), expand=expand)
        items = list(pager)
        add = self.find_operation({'operations': pager.operations}, 'add')
        if key not in self._add_hrefs and add and add.get('href') and add.get('available', True) is not False:
            self._add_hrefs[key] = self.resolve(add['href'])
        return [item for item in items if item.get('name') == name]

    def find_one(self, key, name, expand=None, what=None):
        """The single resource with this name, None if absent; error if ambiguous."""
        found = self.find_by_name(key, name, expand=expand)
        if len(found) > 1:
            raise CimiLookupError('the name %r is ambiguous: %d %s have it (%s); use the id instead' % (
                name, len(found), what or key, ', '.join(str(f.get('id')) for f in found)))
        return found[0] if found else None

    def ref(self, key, value, what=None):
        """{'href': ...} for a reference given as a name or an href."""
        if looks_like_href(value):
            return {'href': self.resolve(value)}
        found = self.find_one(key, value, what=what)
        if found is None:
            error = CimiLookupError('no %s named %r' % (what or key, value))
            error.not_found = True
            raise error
        return {'href': found['id']}

    # ---- writing ---------------------------------------------------------------------------

    def create(self, key, body):
        """POST a create body to the collection's add href; see the module docstring for retries."""
        url = self.add_href(key)
        request_id = str(uuid.uuid4())
        body = dict(body, properties=dict(body.get('properties') or {}, **{REQUEST_ID_PROPERTY: request_id}))
        attempts = 0
        while True:
            attempts += 1
            try:
                response = self.transport.request('POST', url, body=body, idempotent=False)
                break
            except (AmbiguousRequestError, CimiHTTPError) as exc:
                if isinstance(exc, CimiHTTPError) and not getattr(exc, 'ambiguous', False):
                    raise
                found = self.find_created(key, request_id)
                if found is not None:
                    return CreateOutcome(found['id'], resource=found, recovered=True)
                if isinstance(exc, AmbiguousRequestError) or attempts > self.transport.retries:
                    raise CimiAmbiguousCreate(
                        'the create request%s failed ambiguously (%s): it may or may not have happened, and '
                        'no resource with its request id (property %s) has appeared; look for a new '
                        'resource before retrying' % (' for %r' % body['name'] if body.get('name') else '',
                                                      exc.message, REQUEST_ID_PROPERTY),
                        method='POST', url=url, status=exc.status)
                self.transport.sleep_backoff(attempts)
        return self._create_outcome(url, response)

    def find_created(self, key, request_id):
        """The resource a create tagged with request_id made, polled for a bounded time, or None.
        A provider that refuses the property filter (400) has its collection scanned instead."""
        for attempt in range(1, self.transport.retries + 2):
            if attempt > 1:
                self.transport.sleep_backoff(attempt - 1)
            try:
                items = self.list(key, filter_expr=filters.prop(REQUEST_ID_PROPERTY, request_id))
            except CimiHTTPError as exc:
                if exc.status != 400:
                    raise
                items = self.list(key)
            found = [item for item in items
                     if ((item.get('properties') or {}).get(REQUEST_ID_PROPERTY)) == request_id]
            if found:
                return found[0]
        return None

    def _create_outcome(self, collection_url, response):
        location = response.header('Location')
        job_url = response.header('CIMI-Job-URI')
        body = response.json()
        resource = body if isinstance(body, dict) and body.get('id') and not compat.is_job(body) else None
        if compat.is_job(body) and not job_url and body.get('id'):
            job_url = body['id']
        job_url = self.resolve(job_url) if job_url else None
        url = self.resolve(location) if location else (resource or {}).get('id')
        if not url and job_url:
            job = body if compat.is_job(body) else self.get(job_url)
            url = self._created_from_job(job, collection_url)
        if not url:
            raise CimiProtocolError('the provider accepted the create but said neither where the new '
                                    'resource is nor which job creates it', method='POST',
                                    url=collection_url, status=response.status)
        return CreateOutcome(url, resource=resource, job_url=job_url, status=response.status)

    def _created_from_job(self, job, collection_url):
        for ref in job.get('affectedResources') or []:
            href = compat.ref_href(ref)
            if href and self.resolve(href) != collection_url:
                return self.resolve(href)
        return None

    def update(self, resource, changes):
        """Partial PUT (?$select=) of the changed attributes; returns (resource, job_url)."""
        url = self.operation_href(resource, 'edit')
        response = self.transport.request('PUT', url, params={'$select': ','.join(sorted(changes))},
                                          body=dict(changes))
        job_url = response.header('CIMI-Job-URI')
        body = response.json()
        if isinstance(body, dict) and body.get('id') and not compat.is_job(body):
            return body, self.resolve(job_url) if job_url else None
        return None, self.resolve(job_url) if job_url else None

    def delete(self, resource):
        """DELETE through the delete href; returns the Job URL if any. 404 counts as done."""
        url = self.operation_href(resource, 'delete')
        try:
            response = self.transport.request('DELETE', url)
        except CimiNotFoundError:
            return None
        job_url = response.header('CIMI-Job-URI')
        return self.resolve(job_url) if job_url else None

    def action(self, resource, name, **params):
        """POST an Action to the operation's href; returns the Job URL if any."""
        url = self.operation_href(resource, name)
        return self.post_action(url, name, params)

    def collection_action(self, collection_url, rel, **params):
        """insert/remove on a sub-collection (volume attach and detach)."""
        collection = self.get(collection_url, {'$last': 0})
        url = self.operation_href(collection, rel, what='collection %s' % collection_url)
        return self.post_action(url, rel, params)

    def collection_operation(self, key, operation, **params):
        """POST an Action to an operation of a top-level collection (the SystemCollection's
        import); the CreateOutcome of the resource it makes. Never re-sent: it creates."""
        url = self.collection_url(key)
        collection = self.get(url, {'$last': 0})
        href = self.operation_href(collection, operation, what='the %s collection' % key)
        body = {'resourceURI': compat.type_uri('Action'), 'action': compat.action_uri(operation)}
        body.update(dict((k, v) for k, v in params.items() if v is not None))
        response = self.transport.request('POST', href, body=body, idempotent=False)
        return self._create_outcome(url, response)

    def post_action(self, url, name, params):
        body = {'resourceURI': compat.type_uri('Action'), 'action': compat.action_uri(name)}
        body.update(dict((k, v) for k, v in params.items() if v is not None))
        response = self.transport.request('POST', url, body=body, idempotent=False)
        job_url = response.header('CIMI-Job-URI')
        if not job_url:
            data = response.json() if response.text else None
            if compat.is_job(data) and data.get('id'):
                job_url = data['id']
        return self.resolve(job_url) if job_url else None

    # ---- jobs ------------------------------------------------------------------------------

    def wait_job(self, job_url, timeout, what='the job'):
        return self.waiter.wait_job(job_url, timeout, what=what)
