"""Durability: everything acknowledged survives kill -9; interrupted work is reconciled."""
from __future__ import annotations

from cimi import Cimi, items, op
from server import ProviderProcess, wait_until


def test_acknowledged_changes_survive_kill(tmp_path):
    prov = ProviderProcess(tmp_path / "cimi.db").start()
    try:
        c = Cimi(prov)
        kept = c.new_machine("kept", initialState="STARTED")
        gone = c.new_machine("gone")
        c.ok("DELETE", op(gone, "delete"))
        kept["description"] = "updated before the crash"
        c.ok("PUT", op(kept, "edit"), kept)
        cfg = c.create("machineConfigs", {"name": "durable-cfg", "cpu": 3, "memory": 3})
        vol = c.create("volumes", {"name": "durable-vol", "volumeTemplate": {
            "volumeConfig": {"capacity": 1000}}})
        prov.kill()
        prov.start()
        c = Cimi(prov)
        doc = c.ok("GET", prov.base + kept["id"].split("/cimi/")[1]).doc
        assert doc["state"] == "STARTED" and doc["description"] == "updated before the crash"
        assert len(items(c.ok("GET", doc["interfaces"]["href"]).doc)) == 1
        names = {m["name"] for m in items(c.ok("GET", c.collection("machines")).doc)}
        assert names == {"kept"}
        assert c.ok("GET", c.collection("machineConfigs"),
                    params={"$filter": "name='durable-cfg'"}).doc["count"] == 1
        assert c.ok("GET", c.collection("volumes")).doc["count"] == 1
        assert cfg.status == 201 and vol.status == 201
        # Seeding is idempotent across restarts.
        assert c.ok("GET", c.collection("machineConfigs"),
                    params={"$filter": "name='m1-small'"}).doc["count"] == 1
    finally:
        prov.kill()


def test_interrupted_jobs_are_reconciled(tmp_path):
    prov = ProviderProcess(tmp_path / "cimi.db", "--latency", "5").start()
    try:
        c = Cimi(prov)
        creating = c.create("machines", c.machine_body("cut-off"))
        assert creating.status == 202
        net = c.create("networks", {"name": "net", "networkTemplate": {"initialState": "STARTED"}})
        job_url, machine_url = creating.headers["CIMI-Job-URI"], creating.headers["Location"]
        machine_path = machine_url.split("/cimi/")[1]
        job_path = job_url.split("/cimi/")[1]
        net_path = net.headers["Location"].split("/cimi/")[1]
        prov.kill()
        prov.args = []  # restart without latency
        prov.start()
        c = Cimi(prov)
        job = c.ok("GET", prov.base + job_path).doc
        assert job["state"] == "FAILED" and job["statusMessage"] == "interrupted by provider restart"
        machine = c.ok("GET", prov.base + machine_path).doc
        assert machine["state"] == "ERROR"  # never silently lost
        assert c.ok("GET", prov.base + net_path).doc["state"] == "ERROR"
        assert c.settle(c.ok("DELETE", op(machine, "delete")))["state"] == "SUCCESS"
    finally:
        prov.kill()


def test_accepted_delete_is_resumed_after_crash(tmp_path):
    prov = ProviderProcess(tmp_path / "cimi.db").start()
    try:
        c = Cimi(prov)
        machine = c.new_machine("to-delete")
        path = machine["id"].split("/cimi/")[1]
        prov.stop()
        prov.args = ["--latency", "5"]
        prov.start()
        c = Cimi(prov)
        machine = c.ok("GET", prov.base + path).doc
        reply = c.ok("DELETE", op(machine, "delete"))
        assert reply.status == 202
        prov.kill()
        prov.args = []
        prov.start()
        c = Cimi(prov)
        wait_until(lambda: c.call("GET", prov.base + path).status == 404)
    finally:
        prov.kill()


def test_clean_shutdown_on_sigterm(tmp_path):
    prov = ProviderProcess(tmp_path / "cimi.db").start()
    assert prov.stop() == 0
