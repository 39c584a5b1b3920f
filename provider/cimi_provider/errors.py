"""Errors raised while serving a request, and the Job-shaped error body (DSP0263 4.2.2).

Every error that reaches a client is a ``CimiError`` carrying an HTTP status and a message meant
for the consumer. Anything else is an internal error: it is logged, and the client sees a generic
500 message (never a traceback or internal detail).
"""
from __future__ import annotations

from .catalogue.model import NS
from .timeutil import now_iso


class CimiError(Exception):
    """An error with an HTTP status and a consumer-facing message."""

    status = 400

    def __init__(self, message: str, status: int | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = headers or {}


class BadRequest(CimiError):
    status = 400


class Unauthorized(CimiError):
    status = 401


class Forbidden(CimiError):
    status = 403


class NotFound(CimiError):
    status = 404


class MethodNotAllowed(CimiError):
    status = 405


class Conflict(CimiError):
    status = 409


class PayloadTooLarge(CimiError):
    status = 413


def error_job(status: int, message: str) -> dict:
    """The temporary Job a provider returns as an error body (4.2.2): id "" and state FAILED."""
    return {
        "resourceURI": NS + "/Job",
        "id": "",
        "name": "error",
        "state": "FAILED",
        "progress": 100,
        "returnCode": status,
        "statusMessage": message,
        "timeOfStatusChange": now_iso(),
    }


class TooManyRequests(CimiError):
    status = 429
