"""Without authentication the provider answers only loopback (or --allowed-host) Host names.

DNS rebinding: a browser visiting evil.example, re-pointed at 127.0.0.1, sends
``Host: evil.example``; such requests get 400 with a CIMI error body, on every route.
With authentication on, any Host is served (credentials are the guard).
"""
from __future__ import annotations

import json
import socket

import pytest

from server import ProviderProcess


def raw_get(port: int, host: str | None, path: str = "/cimi/cloudEntryPoint") -> tuple[int, bytes]:
    head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall((head + "Accept: application/json\r\nConnection: close\r\n\r\n").encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


@pytest.fixture(scope="module")
def open_provider(tmp_path_factory):
    with ProviderProcess(tmp_path_factory.mktemp("hosts") / "cimi.db",
                         "--allowed-host", "cimi.lab.example") as prov:
        yield prov


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:8780", "127.0.0.1", "127.5.6.7:1",
                                  "[::1]", "[::1]:8780", "cimi.lab.example", "Cimi.Lab.Example:443"])
def test_loopback_and_allowed_hosts_served(open_provider, host):
    assert raw_get(open_provider.port, host)[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8780", "127.0.0.1.evil.example",
                                  "localhost.evil.example", "10.0.0.1", "[2001:db8::1]:80", ""])
@pytest.mark.parametrize("path", ["/cimi/cloudEntryPoint", "/cimi/openapi.json", "/cimi/machines"])
def test_other_hosts_refused(open_provider, host, path):
    status, body = raw_get(open_provider.port, host, path)
    assert status == 400
    error = json.loads(body)
    assert error["returnCode"] == 400 and error["state"] == "FAILED" and "Host" in error["statusMessage"]


def test_any_host_with_authentication(tmp_path):
    from cimi_provider.http.auth import hash_password
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": {"alice": {"password_hash": hash_password("pw-1", iterations=1000)}}}))
    with ProviderProcess(tmp_path / "cimi.db", "--users", str(users)) as prov:
        assert raw_get(prov.port, "evil.example")[0] == 401  # checked by authentication instead
