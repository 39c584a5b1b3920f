# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions raised by the CIMI client; each one knows how to describe itself safely."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def strip_credentials(url):
    """Return url without any user:password@ part, so it can be shown to a user."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return '<unparsable URL>'
    if '@' not in parts.netloc:
        return url
    host = parts.netloc.rsplit('@', 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


class CimiError(Exception):
    """A CIMI operation failed.

    Carries the HTTP method, the URL (credentials stripped), the HTTP status and, when the
    provider sent one, the Job's statusMessage and returnCode.
    """

    def __init__(self, message, method=None, url=None, status=None, job_message=None,
                 return_code=None, job=None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = strip_credentials(url)
        self.status = status
        self.job_message = job_message
        self.return_code = return_code
        self.job = job

    def __str__(self):
        parts = [self.message]
        if self.method and self.url:
            parts.append('(%s %s' % (self.method, self.url) + (
                ' -> HTTP %s)' % self.status if self.status is not None else ')'))
        if self.job_message and self.job_message not in self.message:
            parts.append('provider said: %s' % self.job_message)
        if self.return_code not in (None, 0):
            parts.append('returnCode %s' % self.return_code)
        return ' '.join(parts)

    def to_result(self):
        """The fields a module adds to fail_json (never secrets)."""
        result = {'msg': str(self)}
        if self.status is not None:
            result['status'] = self.status
        if self.url:
            result['url'] = self.url
        if self.method:
            result['method'] = self.method
        if self.job_message:
            result['job_message'] = self.job_message
        if self.return_code is not None:
            result['return_code'] = self.return_code
        return result


class CimiHTTPError(CimiError):
    """The provider answered with an HTTP error status."""


class CimiNotFoundError(CimiHTTPError):
    """HTTP 404."""


class CimiConnectionError(CimiError):
    """No usable answer: connection refused or reset, timeout, TLS failure."""


class CimiProtocolError(CimiError):
    """The provider answered, but not in a way the client can use (bad JSON, missing href)."""


class CimiOperationUnavailable(CimiError):
    """The resource does not offer the operation, or offers it with available: false."""


class CimiJobFailed(CimiError):
    """A Job ended in FAILED, STOPPED or CANCELLED."""


class CimiTimeout(CimiError):
    """Waiting for a Job or a state ran out of time."""


class CimiAmbiguousCreate(CimiError):
    """A create POST failed ambiguously and no resource with its name could be found."""


class CimiLookupError(CimiError):
    """A name matches no resource or more than one."""


class CimiMissingCreateInfo(CimiError):
    """A resource must be created but the task does not say how."""
