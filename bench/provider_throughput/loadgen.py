"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending the next GET
as soon as the previous answer is read. Raw asyncio streams, so one Python process can keep 50
connections busy on a 2-core machine without the client being the bottleneck."""
from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit


async def _connection(host, port, request: bytes, stop_at: float, latencies: list, errors: list):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if status != 200:
                errors.append(status)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _run(url: str, connections: int, seconds: float, headers: dict) -> dict:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n{extra}\r\n").encode()
    latencies: list = []
    errors: list = []
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(_connection(parts.hostname, parts.port, request, stop_at, latencies,
                                       errors) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "latencies": latencies, "errors": len(errors)}


def load(url: str, connections: int = 50, seconds: float = 5.0, headers=None) -> dict:
    """Drive ``url`` with ``connections`` concurrent clients for ``seconds``."""
    return asyncio.run(_run(url, connections, seconds, headers or {"Accept": "application/json"}))
