# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP transport for the CIMI client: one keep-alive requests.Session, auth, TLS, retries.

Retry policy (documented in the doc fragment):

* idempotent requests (GET, HEAD, PUT, DELETE) are retried after a connection failure, a timeout,
  or an HTTP 429/502/503/504, with exponential backoff and jitter, honouring ``Retry-After``;
* a POST is retried only when the provider certainly did not act on it: the connection could not
  be opened, or an HTTP 429 (rate limited). Everything else (reset mid-request, read timeout,
  502/503/504) is *ambiguous* and raised as such; the client decides (see ``CimiClient.create``).

Redirects are never followed by requests: a GET or HEAD follows at most MAX_REDIRECTS of them on
the endpoint's origin; a redirect to another origin, or of any other method, is an error.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
import traceback

from urllib.parse import urljoin, urlsplit

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import (
    CimiConnectionError, CimiHTTPError, CimiNotFoundError, CimiProtocolError, strip_credentials)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.options import CONNECTION_OPTIONS

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests import exceptions as requests_exceptions
    HAS_REQUESTS = True
except ImportError:
    requests = None
    requests_exceptions = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'PUT', 'DELETE'])
# Redirects are followed by hand: only for these methods (nothing with a body is ever re-sent),
# only on the endpoint's origin, and only this many times.
REDIRECT_STATUSES = frozenset([301, 302, 303, 307, 308])
REDIRECT_METHODS = frozenset(['GET', 'HEAD'])
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset([429, 502, 503, 504])
# Statuses where the provider says it did not act on the request at all.
NOT_PROCESSED_STATUSES = frozenset([429])
MAX_RETRY_AFTER = 60.0
JSON_TYPE = 'application/json'


class AmbiguousRequestError(CimiConnectionError):
    """A non-idempotent request may or may not have been acted on."""


class CimiResponse:
    """What the client needs of an HTTP response."""

    def __init__(self, method, url, status, headers, text):
        self.method = method
        self.url = url
        self.status = status
        self.headers = headers
        self.text = text

    def header(self, name):
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self, required=False):
        """Parsed JSON body, None when empty (unless required)."""
        if not self.text or not self.text.strip():
            if required:
                raise CimiProtocolError('empty response body where JSON was expected',
                                        method=self.method, url=self.url, status=self.status)
            return None
        try:
            return json.loads(self.text)
        except ValueError:
            raise CimiProtocolError('malformed JSON in response: %r' % self.text[:80],
                                    method=self.method, url=self.url, status=self.status)


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (now if now is not None else time.time())
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


DEFAULT_PORTS = {'http': 80, 'https': 443}


def url_origin(url):
    """(scheme, host, port) with the scheme's default port filled in, for same-origin checks."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = (parts.scheme or '').lower()
    return scheme, (parts.hostname or '').lower(), port or DEFAULT_PORTS.get(scheme)


class HttpTransport:
    """Sends requests with the connection options; raises CimiError subclasses on failure."""

    def __init__(self, username=None, password=None, token=None, validate_certs=True,
                 ca_path=None, client_cert=None, client_key=None, timeout=30.0, retries=3,
                 backoff_base=0.5, backoff_max=10.0, sleep=time.sleep, rand=random.random,
                 user_agent='cloudmgmt.dmtf-cimi'):
        if not HAS_REQUESTS:
            raise CimiConnectionError('the Python library requests is required')
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._rand = rand
        self.session = requests.Session()  # keep-alive; proxies come from the environment
        self.session.headers.update({'Accept': JSON_TYPE, 'User-Agent': user_agent})
        if token:
            self.session.headers['Authorization'] = 'Bearer %s' % token
        elif username is not None:
            self.session.auth = (username, password or '')
        # Passed on every request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a
        # Session-level verify, which would silently ignore ca_path.
        self.verify = False if not validate_certs else (ca_path or True)
        if client_cert:
            self.session.cert = (client_cert, client_key) if client_key else client_cert
        self.origin = None

    @classmethod
    def from_options(cls, options, **kwargs):
        """A transport for the connection options (see options.CONNECTION_OPTIONS), whose defaults
        stand in for the ones left unset."""
        defaults = dict((name, spec.get('default')) for name, spec in CONNECTION_OPTIONS.items())
        return cls(
            username=options.get('username'), password=options.get('password'),
            token=options.get('token'), validate_certs=options.get('validate_certs', defaults['validate_certs']),
            ca_path=options.get('ca_path'), client_cert=options.get('client_cert'),
            client_key=options.get('client_key'), timeout=options.get('timeout') or defaults['timeout'],
            retries=options['retries'] if options.get('retries') is not None else defaults['retries'],
            **kwargs)

    def pin_origin(self, url):
        """Only ever send requests (and so credentials) to the origin of url: the endpoint the
        user configured. An href from the provider that points elsewhere is refused."""
        self.origin = url_origin(url)

    def close(self):
        self.session.close()

    def backoff(self, attempt, retry_after=None):
        """Seconds to sleep before retry number attempt (1-based)."""
        if retry_after is not None:
            return retry_after
        delay = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return delay * (0.5 + self._rand() / 2.0)  # jitter: 50-100 % of the delay

    def sleep_backoff(self, attempt):
        self._sleep(self.backoff(attempt))

    def request(self, method, url, params=None, body=None, idempotent=None):
        """Send one request (retrying as the policy allows); return a CimiResponse.

        HTTP statuses >= 400 are raised as CimiHTTPError with the provider's message. A redirect
        is followed only for GET/HEAD and only on the endpoint's origin (see redirect_target).
        """
        method = method.upper()
        if self.origin is not None and url_origin(url) != self.origin:
            raise CimiProtocolError(
                'refusing to send a request to %s: it is not on the endpoint\'s host (%s://%s:%s), and the '
                'credentials are only for the endpoint' % ((strip_credentials(url),) + self.origin),
                method=method, url=url)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        for unused in range(MAX_REDIRECTS + 1):
            response = self._request_with_retries(method, url, params, body, idempotent)
            if response.status not in REDIRECT_STATUSES:
                return response
            url = self.redirect_target(response, url)
            params = None  # the Location is the whole target, query included
        raise CimiProtocolError('the provider redirected more than %d times; giving up' % MAX_REDIRECTS,
                                method=method, url=url, status=response.status)

    def redirect_target(self, response, url):
        """Where a redirect may be followed to, or a CimiProtocolError. Errors name the status
        and the target's origin only: never the body, never the target's path or query."""
        method, status = response.method, response.status
        location = response.header('Location')
        if not location:
            raise CimiProtocolError('the provider answered HTTP %s without a Location' % status,
                                    method=method, url=url, status=status)
        target = urljoin(url, location)
        where = '%s://%s:%s' % url_origin(target)
        if method not in REDIRECT_METHODS:
            raise CimiProtocolError(
                'the provider answered %s with HTTP %s, a redirect to %s; a %s is never sent again on a '
                'redirect (its body may hold secrets, and it may already have been acted on)'
                % (method, status, where, method), method=method, url=url, status=status)
        if url_origin(target) != (self.origin or url_origin(url)):
            raise CimiProtocolError(
                'refusing to follow HTTP %s to %s: it is not the endpoint\'s origin, and the credentials '
                'and answers are only for the endpoint' % (status, where), method=method, url=url, status=status)
        return target

    def _request_with_retries(self, method, url, params, body, idempotent):
        attempt = 0
        started = time.monotonic()
        while True:
            attempt += 1
            can_retry = attempt <= self.retries
            try:
                response = self._send(method, url, params, body)
            except AmbiguousRequestError as exc:
                if idempotent and can_retry:
                    self._sleep(self.backoff(attempt))
                    continue
                raise self.unreachable(exc, attempt, started) if idempotent else exc
            except CimiConnectionError as exc:
                # The connection was never established: nothing reached the provider.
                if can_retry and getattr(exc, 'not_sent', False):
                    self._sleep(self.backoff(attempt))
                    continue
                raise self.unreachable(exc, attempt, started) if getattr(exc, 'not_sent', False) else exc
            if response.status in RETRY_STATUSES and can_retry and (
                    idempotent or response.status in NOT_PROCESSED_STATUSES):
                self._sleep(self.backoff(attempt, parse_retry_after(response.header('Retry-After'))))
                continue
            if response.status >= 400:
                raise self.http_error(response, ambiguous=not idempotent)
            return response

    def unreachable(self, exc, attempts, started):
        """The error of a request that got no answer after every attempt: says how many attempts
        over how long, and why in a few words (never the library's text alone)."""
        reason = getattr(exc, 'reason', None) or exc.message
        error = type(exc)('cannot reach the CIMI endpoint %s after %d attempt%s over %.1f s: %s' % (
            exc.url, attempts, '' if attempts == 1 else 's', time.monotonic() - started, reason),
            method=exc.method, url=exc.url)
        error.not_sent = getattr(exc, 'not_sent', False)
        error.reason = reason
        return error

    def http_error(self, response, ambiguous=False):
        message, return_code, job = compat.error_details(response.text)
        summary = 'CIMI request failed with HTTP %s' % response.status
        if message:
            summary = '%s: %s' % (summary, message)
        if response.status == 401:
            summary += (' (not authenticated: set CIMI_TOKEN, or username and password (CIMI_USERNAME and '
                        'CIMI_PASSWORD), or the token option)')
        elif response.status == 403:
            summary += ' (authenticated, but not allowed: check the account\'s rights on the provider)'
        cls = CimiNotFoundError if response.status == 404 else CimiHTTPError
        error = cls(summary, method=response.method, url=response.url, status=response.status,
                    job_message=message, return_code=return_code, job=job)
        error.ambiguous = ambiguous and response.status in RETRY_STATUSES - NOT_PROCESSED_STATUSES
        return error

    def _send(self, method, url, params, body):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers['Content-Type'] = JSON_TYPE
        safe_url = strip_credentials(url)
        try:
            raw = self.session.request(method, url, params=params, data=data, headers=headers,
                                       timeout=self.timeout, allow_redirects=False, verify=self.verify)
        except requests_exceptions.SSLError as exc:
            raise CimiConnectionError('TLS failure: %s' % _short(exc), method=method, url=safe_url)
        except (requests_exceptions.ConnectTimeout, requests_exceptions.InvalidURL,
                requests_exceptions.MissingSchema, requests_exceptions.InvalidSchema) as exc:
            error = CimiConnectionError('cannot reach the CIMI endpoint: %s' % _short(exc),
                                        method=method, url=safe_url)
            error.not_sent = isinstance(exc, requests_exceptions.ConnectTimeout)
            error.reason = 'connection timed out after %ss' % self.timeout if error.not_sent else None
            raise error
        except requests_exceptions.ConnectionError as exc:
            if _connection_refused(exc):
                error = CimiConnectionError('cannot connect to the CIMI endpoint: %s' % _short(exc),
                                            method=method, url=safe_url)
                error.not_sent = True
                error.reason = _refusal_reason(exc)
                raise error
            error = AmbiguousRequestError('connection failed during the request: %s' % _short(exc),
                                          method=method, url=safe_url)
            error.reason = 'connection lost during the request'
            raise error
        except requests_exceptions.Timeout as exc:
            error = AmbiguousRequestError('no answer within %ss: %s' % (self.timeout, _short(exc)),
                                          method=method, url=safe_url)
            error.reason = 'no answer within %ss (timeout option)' % self.timeout
            raise error
        except requests_exceptions.RequestException as exc:
            # e.g. ChunkedEncodingError: the answer broke off mid-body.
            raise AmbiguousRequestError('request failed: %s' % _short(exc), method=method, url=safe_url)
        return CimiResponse(method, strip_credentials(raw.url or url), raw.status_code,
                            dict(raw.headers), raw.text)


def _connection_refused(exc):
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text or 'Name or service' in text


def _refusal_reason(exc):
    text = repr(exc)
    if 'Name or service' in text or 'nodename nor servname' in text or 'Temporary failure in name' in text:
        return 'host name not found'
    if 'Connection refused' in text:
        return 'connection refused'
    return 'cannot connect'


def _short(exc):
    """Exception text without credentials embedded in URLs; short enough for a message."""
    text = str(exc)
    for word in text.split():
        if '://' in word and '@' in word:
            text = text.replace(word, strip_credentials(word.strip("'\"(),")))
    return text[:300]
