#!/usr/bin/env python3
"""The provider functions one ``POST /cimi/machines`` passes through, in the order first called.

    .venv/bin/python tools/provider_walk.py

Runs a memory-backend provider in process (no socket), creates one machine from the seeded
configuration and image, and records every provider function called from ``Dispatcher.__call__``
until the backend's ``create_machine`` (``sys.setprofile``). Leaves out what is not a step of the
flow: the query, serialization, catalogue, tenancy and error helpers, dataclass and property
accessors, and store internals other than ``row`` and ``write``. ``docs/architecture.md`` writes
the same walk down by hand; this checks it.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile

from cimi_provider.server import Settings, build

PACKAGE = os.sep + "cimi_provider" + os.sep
SKIPPED_PARTS = ("query", "serialization", "catalogue", "tenancy.py", "errors.py", "timeutil.py")
STORE_STEPS = ("row", "write")


def step_name(code) -> str | None:
    """``module.function`` for a provider function that is a step of the flow, else None."""
    path = code.co_filename
    if PACKAGE not in path:
        return None
    rel = path.split(PACKAGE, 1)[1]
    if any(part in rel for part in SKIPPED_PARTS) or code.co_name.startswith("<"):
        return None
    if rel == "store.py" and code.co_name not in STORE_STEPS:
        return None
    module = rel[:-3].replace(os.sep, ".")
    return f"{module}.{code.co_qualname}"


class Walk:
    def __init__(self):
        self.order: list = []
        self.calls: dict = {}
        self.active = False
        self.frames: list = []  # held, so a frame's id is never reused while recording

    def __call__(self, frame, event, _arg):
        if event != "call":
            return
        name = step_name(frame.f_code)
        if name is None:
            return
        if name.endswith("Dispatcher.__call__") and not self.calls:
            self.active = True  # once: its coroutine resumes after the backend call too
        if not self.active or any(seen is frame for seen in self.frames):
            return  # a coroutine resumed is not a new call
        self.frames.append(frame)
        if name not in self.calls:
            self.order.append(name)
        self.calls[name] = self.calls.get(name, 0) + 1
        if name.endswith(".create_machine"):
            self.active = False


async def request(app, method: str, path: str, body=None) -> tuple[int, dict | None]:
    raw = json.dumps(body).encode() if body is not None else b""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 40000),
             "server": ("127.0.0.1", 8780),
             "headers": [(b"host", b"127.0.0.1:8780"), (b"accept", b"application/json"),
                         (b"content-type", b"application/json"),
                         (b"content-length", str(len(raw)).encode())]}
    incoming = [{"type": "http.request", "body": raw, "more_body": False}]
    sent: list = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(payload) if payload else None


async def walk() -> Walk:
    with tempfile.TemporaryDirectory() as tmp:
        app, _provider = build(Settings(db=os.path.join(tmp, "walk.db")))
        async with app.router.lifespan_context(app):
            first = {}
            for collection, items in (("machineConfigs", "machineConfigurations"),
                                      ("machineImages", "machineImages")):
                status, page = await request(app, "GET", f"/cimi/{collection}")
                assert status == 200 and page.get(items), (collection, status, page)
                first[collection] = page[items][0]["id"]
            body = {"resourceURI": "http://schemas.dmtf.org/cimi/2/MachineCreate", "name": "walk-1",
                    "machineTemplate": {"machineConfig": {"href": first["machineConfigs"]},
                                        "machineImage": {"href": first["machineImages"]}}}
            steps = Walk()
            sys.setprofile(steps)
            try:
                status, _ = await request(app, "POST", "/cimi/machines", body)
            finally:
                sys.setprofile(None)
            assert status in (201, 202), status
            return steps


def main() -> int:
    steps = asyncio.run(walk())
    for n, name in enumerate(steps.order, 1):
        times = steps.calls[name]
        print(f"{n:3}. {name}" + (f"  (x{times})" if times > 1 else ""))
    core = [name for name in steps.order if name.startswith("service.core.")]
    print(f"{len(steps.order)} distinct steps, {sum(steps.calls.values())} calls; "
          f"service/core.py: {len(core)} functions, "
          f"{sum(steps.calls[name] for name in core)} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
