"""Start-up adoption and out-of-band state changes: the reason reaches the resource.

A backend that observes a resource in another state than the database holds (a machine whose
hypervisor object was removed behind the provider's back) gives a message; the provider records
it as the resource's ``statusMessage`` extension, rendered to consumers. The start-up order is
recover (adopts), seed, then ``backend.adopted()``.
"""
from __future__ import annotations

import asyncio

import cimi_provider.server as server_mod
from cimi_provider.backends.memory import FailureInjector, MemoryBackend
from cimi_provider.catalogue import TYPES
from cimi_provider.server import BackendEvents, Settings, build
from cimi_provider.service.core import base_doc
from cimi_provider.service.render import render
from cimi_provider.store import Store

GONE = "its hypervisor object was removed outside the provider"


class RecordingBackend(MemoryBackend):
    """The memory backend, except that ``machines/gone`` has vanished from the hypervisor."""

    def __init__(self):
        super().__init__(0.0, FailureInjector((), 0.0, ("create",), 0))
        self.calls = []

    def adopt(self, kind, resource_id, doc, state):
        self.calls.append(("adopt", resource_id))
        if resource_id == "machines/gone":
            return "ERROR"
        if resource_id == "machines/untraced":
            return None
        return super().adopt(kind, resource_id, doc, state)

    def adoption_message(self, resource_id):
        return GONE if resource_id == "machines/gone" else None

    def adopted(self):
        self.calls.append(("adopted", None))


def _put_machine(store, rid, state):
    doc = base_doc(TYPES["Machine"], rid, {"name": rid.rsplit("/", 1)[-1]})
    doc["state"] = state
    with store.write() as tx:
        tx.put(rid, "Machine", doc)


def _start(db, backend, monkeypatch):
    monkeypatch.setattr(server_mod, "create_backend", lambda *_a, **_k: backend)
    app, provider = build(Settings(db=str(db)))

    async def lifespan():
        async with app.router.lifespan_context(app):
            pass
    asyncio.run(lifespan())
    return Store(str(db))


def test_adoption_message_reaches_the_resource_and_adopted_follows(tmp_path, monkeypatch):
    db = tmp_path / "adopt.db"
    store = Store(str(db))
    for rid in ("machines/gone", "machines/untraced", "machines/fine"):
        _put_machine(store, rid, "STARTED")
    store.close()
    backend = RecordingBackend()
    store = _start(db, backend, monkeypatch)
    try:
        gone, untraced, fine = (store.get(f"machines/{k}") for k in ("gone", "untraced", "fine"))
        assert gone["state"] == "ERROR" and gone["statusMessage"] == GONE
        assert render(gone, "http://h/cimi/")["statusMessage"] == GONE
        assert untraced["state"] == "ERROR" and "no trace" in untraced["statusMessage"]
        assert fine["state"] == "STARTED" and "statusMessage" not in fine
        # adopted() comes once, after every adoption (those of the seed images included)
        assert backend.calls[-1] == ("adopted", None)
        assert [c for c in backend.calls if c[0] == "adopted"] == [("adopted", None)]
        assert ("adopt", "machineImages/cirros") in backend.calls
    finally:
        store.close()


def test_state_changed_records_and_clears_the_message(tmp_path):
    store = Store(str(tmp_path / "events.db"))
    try:
        _put_machine(store, "machines/m1", "STARTED")
        events = BackendEvents(store)
        events.state_changed("Machine", "machines/m1", "ERROR", GONE)
        doc = store.get("machines/m1")
        assert doc["state"] == "ERROR" and doc["statusMessage"] == GONE
        events.state_changed("Machine", "machines/m1", "STOPPED")  # observed again: no reason
        doc = store.get("machines/m1")
        assert doc["state"] == "STOPPED" and "statusMessage" not in doc
        events.state_changed("Volume", "machines/m1", "ERROR", "wrong kind")  # ignored
        assert store.get("machines/m1")["state"] == "STOPPED"
    finally:
        store.close()


def test_seed_images_only_for_the_memory_backend(tmp_path, monkeypatch):
    class OtherBackend(RecordingBackend):
        name = "other"

    store = _start(tmp_path / "other.db", OtherBackend(), monkeypatch)
    try:
        assert store.list("MachineImage") == []
        assert {d["name"] for d in store.list("MachineConfiguration")} == {"m1-small", "m1-medium"}
        assert len(store.list("VolumeConfiguration")) == 2
    finally:
        store.close()
    store = _start(tmp_path / "memory.db", RecordingBackend(), monkeypatch)
    try:
        assert {d["name"] for d in store.list("MachineImage")} == {"debian-12", "cirros"}
    finally:
        store.close()
