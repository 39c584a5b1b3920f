"""The provider's access log: one JSON line per HTTP request, off unless ``--access-log`` is set.

Each line holds the request's start time (UTC), client address, authenticated user (``null``
when none), method, path with the query's parameter names (values read ``<redacted>``: a
``$filter`` may compare a secret), status, response body bytes and duration in milliseconds.
Never a header or a body: the Authorization header and request payloads stay out by
construction. The dispatcher names the user with :func:`note_user`; everything else comes from
the ASGI scope and the response messages, so every route (the OpenAPI document included) and
every answer (errors, cache hits, HEAD) is logged alike.

Lines are appended with one ``os.write`` on an ``O_APPEND`` descriptor under a lock: nothing is
buffered in the process (flushed per line), threads never interleave, and concurrent writers of
the same file each land whole lines.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from urllib.parse import unquote_plus

log = logging.getLogger("cimi_provider.access")
USER_KEY = "cimi_provider.user"   # ASGI scope key the dispatcher sets once a request is authenticated
MAX_TARGET = 2048                 # a hostile URL must not make a line huge
REDACTED = "<redacted>"


def note_user(scope: dict, name: str | None) -> None:
    """Record the authenticated user of the request that owns ``scope`` (for the access log)."""
    scope[USER_KEY] = name


def redacted_query(query: bytes) -> str:
    """The query's parameter names (decoded: ``$filter``, not ``%24filter``), in order, each
    value replaced by ``<redacted>``."""
    parts = []
    for part in query.decode("latin-1").split("&"):
        name, sep, _ = part.partition("=")
        if part:
            parts.append(unquote_plus(name) + (f"={REDACTED}" if sep else ""))
    return "&".join(parts)


def request_target(scope: dict) -> str:
    path = scope.get("raw_path")
    path = path.decode("latin-1") if path else scope.get("path", "")
    query = scope.get("query_string") or b""
    target = path + ("?" + redacted_query(query) if query else "")
    return target if len(target) <= MAX_TARGET else target[:MAX_TARGET] + "..."


def utc_iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"


class AccessLogFile:
    """Appends access records to ``path`` (created 0600 if missing)."""

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.failures = 0

    def write(self, record: dict) -> None:
        line = (json.dumps(record, separators=(",", ":"), ensure_ascii=True) + "\n").encode("ascii")
        with self._lock:
            if self._fd is None:
                return
            try:
                os.write(self._fd, line)
            except OSError as exc:  # a full disk must not fail the request; say so once in a while
                self.failures += 1
                if self.failures in (1, 10, 100) or self.failures % 1000 == 0:
                    log.error("access log %s: cannot write (%d lines lost): %s",
                              self.path, self.failures, exc.strerror)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class AccessLogMiddleware:
    """ASGI middleware: time the request, count the body bytes sent, write one record."""

    def __init__(self, app, sink: AccessLogFile):
        self.app = app
        self.sink = sink

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_wall, started = time.time(), time.perf_counter()
        answer = {"status": None, "bytes": 0}

        async def counting_send(message):
            kind = message["type"]
            if kind == "http.response.start":
                answer["status"] = message["status"]
            elif kind == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            client = scope.get("client")
            self.sink.write({
                "time": utc_iso(started_wall),
                "client": client[0] if client else None,
                "user": scope.get(USER_KEY),
                "method": scope.get("method"),
                "path": request_target(scope),
                "status": answer["status"] if answer["status"] is not None else 500,
                "bytes": answer["bytes"],
                "duration_ms": round((time.perf_counter() - started) * 1000.0, 3),
            })
