"""The floor: a minimal Starlette app on uvicorn (same settings as the provider) serving fixed
JSON bodies. ``python floor_app.py PORT_FILE NAME=BODY_FILE ...`` serves each body at /NAME."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route


def route(name: str, body: bytes) -> Route:
    async def endpoint(request):
        return Response(body, media_type="application/json")
    return Route("/" + name, endpoint)


def main() -> None:
    port_file, specs = Path(sys.argv[1]), sys.argv[2:]
    routes = [route(name, Path(path).read_bytes())
              for name, path in (spec.split("=", 1) for spec in specs)]
    # Same socket set-up as the provider: with IPPROTO_TCP given, asyncio sets TCP_NODELAY on
    # accepted sockets; without it every keep-alive answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    config = uvicorn.Config(Starlette(routes=routes), log_level="warning", access_log=False,
                            server_header=False)
    port_file.write_text(str(sock.getsockname()[1]))
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
