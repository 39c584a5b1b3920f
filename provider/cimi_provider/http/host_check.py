"""Host header check for a provider without authentication (DNS rebinding).

Without credentials to check, a web page whose name an attacker re-points at 127.0.0.1 could
drive the loopback provider from the victim's browser; the browser still names the attacker's
host in ``Host``. So an unauthenticated provider answers only requests whose ``Host`` is a
loopback name or address (any port) or a name given with ``--allowed-host``; others get 400.
"""
from __future__ import annotations

import ipaddress

from ..errors import error_job
from ..serialization import render

LOOPBACK_NAMES = frozenset({"localhost"})


def host_name(header: str) -> str:
    """``Host`` without its port, lower case, IPv6 brackets removed."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if ":" in header else header


def is_loopback_host(name: str) -> bool:
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HostCheckMiddleware:
    """ASGI middleware: refuse requests whose ``Host`` is neither loopback nor allowed."""

    def __init__(self, app, allowed: frozenset = frozenset()):
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed)

    def accepts(self, header: str | None) -> bool:
        if header is None:  # HTTP/1.0 without Host: no browser sends that
            return True
        name = host_name(header)
        return name in self.allowed or is_loopback_host(name)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            hosts = [v for k, v in scope.get("headers", ()) if k == b"host"]
            header = hosts[0].decode("latin-1") if len(hosts) == 1 else None
            if len(hosts) > 1 or not self.accepts(header):
                body, ctype = render(error_job(400, "the Host header names a host this provider "
                                                    "does not serve (see --allowed-host)"), "json")
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", ctype.encode()),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
