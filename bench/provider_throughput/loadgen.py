"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending the next request
as soon as the previous answer is read. Raw asyncio streams, so one Python process can keep 50
connections busy on a 2-core machine without the client being the bottleneck.

Reads are GETs of one URL. With ``writes`` (a ``Writes``), every ``writes.every``-th request of
a connection is a write instead: it creates a machine, or deletes one it created earlier that
has had time to settle. Only reads are timed and counted as requests; writes are counted apart.
"""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Writes:
    create_url: str       # the machines collection (its `add` operation)
    create_body: dict     # a MachineCreate
    every: int = 20       # 1 request in 20 (5%) is a write
    settle: float = 3.0   # seconds before a created machine is deleted (its create Job ended)


def _request(method: str, target: str, netloc: str, extra: str, body: bytes = b"") -> bytes:
    length = f"Content-Length: {len(body)}\r\nContent-Type: application/json\r\n" if body else ""
    return (f"{method} {target} HTTP/1.1\r\nHost: {netloc}\r\n{extra}{length}\r\n").encode() + body


async def _answer(reader) -> tuple[int, dict]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return status, headers


class _Connection:
    def __init__(self, url: str, headers: dict, writes: Writes | None):
        parts = urlsplit(url)
        self.host, self.port, self.netloc = parts.hostname, parts.port, parts.netloc
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.read = _request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                             self.netloc, self.extra)
        self.writes = writes
        self.created: list = []  # (path, created at) of this connection's machines
        self.count = 0

    def next_write(self) -> bytes:
        now = time.monotonic()
        if self.created and now - self.created[0][1] > self.writes.settle:
            path, _ = self.created.pop(0)
            return _request("DELETE", path, self.netloc, self.extra)
        body = json.dumps(self.writes.create_body).encode()
        return _request("POST", urlsplit(self.writes.create_url).path, self.netloc, self.extra, body)

    async def run(self, stop_at: float, latencies: list, errors: list, written: list) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            while time.perf_counter() < stop_at:
                self.count += 1
                if self.writes and self.count % self.writes.every == 0:
                    writer.write(self.next_write())
                    status, headers = await _answer(reader)
                    written.append(status)
                    if status in (201, 202) and b"location" in headers:
                        location = urlsplit(headers[b"location"].decode()).path
                        self.created.append((location, time.monotonic()))
                    continue
                started = time.perf_counter()
                writer.write(self.read)
                status, _ = await _answer(reader)
                if status != 200:
                    errors.append(status)
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()


async def _run(url: str, connections: int, seconds: float, headers: dict,
               writes: Writes | None) -> dict:
    latencies: list = []
    errors: list = []
    written: list = []
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(_Connection(url, headers, writes).run(stop_at, latencies, errors,
                                                                  written)
                           for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "latencies": latencies, "errors": len(errors), "writes": len(written),
            "write_errors": sum(1 for s in written if s >= 400)}


def load(url: str, connections: int = 50, seconds: float = 5.0, headers=None,
         writes: Writes | None = None) -> dict:
    """Drive ``url`` with ``connections`` concurrent clients for ``seconds``."""
    return asyncio.run(_run(url, connections, seconds,
                            headers or {"Accept": "application/json"}, writes))
