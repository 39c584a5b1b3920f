"""In-process unit tests of the store, backend events and the memory backend's simulation."""
from __future__ import annotations

import asyncio

import pytest

from cimi_provider.backends import BackendError, create_backend
from cimi_provider.backends.base import InterfaceSpec, MachineSpec
from cimi_provider.backends.memory import address_for, mac_for
from cimi_provider.server import BackendContext, BackendEvents
from cimi_provider.store import Store


def test_store_rollback_leaves_cache_and_disk_unchanged(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    with store.write() as tx:
        tx.put("machines/a", "Machine", {"id": "machines/a", "state": "STOPPED"})
    with pytest.raises(RuntimeError):
        with store.write() as tx:
            tx.put("machines/a", "Machine", {"id": "machines/a", "state": "STARTED"})
            tx.put("machines/b", "Machine", {"id": "machines/b"})
            raise RuntimeError("boom")
    assert store.get("machines/a")["state"] == "STOPPED" and store.get("machines/b") is None
    store.close()
    reopened = Store(str(tmp_path / "s.db"))
    assert [d["id"] for d in reopened.list("Machine")] == ["machines/a"]
    assert reopened._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reopened._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_write_that_need_not_be_durable_leaves_durable_commits_after_it(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    with store.write(durable=False) as tx:
        tx.put("jobs/j", "Job", {"id": "jobs/j", "progress": 40})
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again
    with pytest.raises(RuntimeError), store.write(durable=False) as tx:
        tx.put("jobs/j", "Job", {"id": "jobs/j", "progress": 50})
        raise RuntimeError("boom")
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert store.get("jobs/j")["progress"] == 40
    store.close()
    assert Store(str(tmp_path / "s.db")).get("jobs/j")["progress"] == 40


def test_children_and_delete(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    with store.write() as tx:
        tx.put("machines/a", "Machine", {"id": "machines/a"})
        tx.put("machines/a/disks/1", "Disk", {"id": "machines/a/disks/1"}, parent="machines/a")
    assert [r.id for r in store.children("machines/a")] == ["machines/a/disks/1"]
    with store.write() as tx:
        tx.delete("machines/a/disks/1")
    assert store.children("machines/a") == [] and store.list("Disk", "machines/a") == []


def test_backend_events_persist_state(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    with store.write() as tx:
        tx.put("machines/a", "Machine", {"id": "machines/a", "state": "STARTED"})
    BackendEvents(store).state_changed("Machine", "machines/a", "STOPPED")
    BackendEvents(store).state_changed("Machine", "machines/unknown", "STOPPED")
    assert store.get("machines/a")["state"] == "STOPPED"
    assert BackendContext(store).next_serial("mac") == 1
    assert BackendContext(store).next_serial("mac") == 2


def test_memory_backend_failures_and_addresses(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    backend = create_backend("memory", fail_patterns=["^bad"], fail_operations=["create"])

    async def scenario():
        await backend.open(BackendContext(store), BackendEvents(store))
        seen = []
        ok = await backend.create_machine(
            MachineSpec("machines/x", "good", 1, 1024, interfaces=[InterfaceSpec()]),
            lambda p, m: seen.append(p))
        with pytest.raises(BackendError, match="injected failure"):
            await backend.create_machine(MachineSpec("machines/y", "bad-one", 1, 1024),
                                         lambda *_: None)
        return ok, seen

    result, seen = asyncio.run(scenario())
    assert result.state == "STOPPED" and result.interfaces[0].mac_address == mac_for(1)
    assert result.interfaces[0].endpoints[0].address == "192.0.2.10" and seen
    assert address_for(245) == "192.0.2.254" and address_for(246) == "198.18.0.1"
    with pytest.raises(BackendError):
        create_backend("nonsense")
