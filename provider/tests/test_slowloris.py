"""Stalled clients (slowloris) neither exhaust the provider's descriptors nor lock others out.

The provider runs with a 256-descriptor limit and faces 300 connections that each send half a
request head and stall (and a few that send nothing): a valid client is still answered at
once, and once the header timeout has passed the server has closed every stalled connection.
"""
from __future__ import annotations

import resource
import socket
import time

import requests

from server import ProviderProcess

FD_LIMIT = 256
STALLED = 300
HEADER_TIMEOUT = 3.0
PARTIAL_HEAD = b"GET /cimi/cloudEntryPoint HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def low_fd_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def closed_by_peer(conn: socket.socket, deadline: float) -> bool:
    """True once the server closes ``conn`` (any data before that is read and dropped)."""
    try:
        while True:
            conn.settimeout(max(deadline - time.monotonic(), 0.1))
            if conn.recv(65536) == b"":
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_stalled_heads_neither_exhaust_descriptors_nor_lock_out_clients(tmp_path):
    prov = ProviderProcess(tmp_path / "cimi.db", "--header-timeout", str(HEADER_TIMEOUT),
                           preexec_fn=low_fd_limit).start()
    stalled = []
    try:
        for index in range(STALLED):
            conn = socket.create_connection(("127.0.0.1", prov.port), timeout=5)
            if index % 50:  # every 50th sends nothing at all
                conn.sendall(PARTIAL_HEAD)
            stalled.append(conn)
        opened = time.monotonic()
        answer = requests.get(prov.cep_url, timeout=5)
        assert answer.status_code == 200 and time.monotonic() - opened < 3
        deadline = opened + HEADER_TIMEOUT + 5
        still_open = [c for c in stalled if not closed_by_peer(c, deadline)]
        assert still_open == []
        assert requests.get(prov.cep_url, timeout=5).status_code == 200
        assert prov.proc.poll() is None
        assert "Too many open files" not in prov.log()
    finally:
        for conn in stalled:
            conn.close()
        prov.stop()


def test_kept_alive_connection_closed_when_idle(tmp_path):
    with ProviderProcess(tmp_path / "cimi.db", "--keep-alive-timeout", "1") as prov:
        with socket.create_connection(("127.0.0.1", prov.port), timeout=5) as conn:
            conn.sendall(b"GET /cimi/cloudEntryPoint HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert conn.recv(65536).startswith(b"HTTP/1.1 200")
            started = time.monotonic()
            assert closed_by_peer(conn, started + 4)
            assert time.monotonic() - started < 3


def test_low_soft_fd_limit_raised_towards_the_hard_one(tmp_path):
    def soft_64():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 4096))

    with ProviderProcess(tmp_path / "cimi.db", preexec_fn=soft_64) as prov:
        limits = open(f"/proc/{prov.proc.pid}/limits", encoding="ascii").read()
    line = next(row for row in limits.splitlines() if row.startswith("Max open files"))
    soft, hard = (int(value) for value in line.split()[3:5])
    assert hard == 4096 and soft >= 200 + 64  # the default --max-connections and a reserve
