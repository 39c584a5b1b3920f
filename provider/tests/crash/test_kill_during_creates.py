"""kill -9 the provider while 20 concurrent creates are in flight, restart it on the same
database, and check that nothing acknowledged is lost or duplicated and nothing is left
half-created without a job that explains it."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from server import ProviderProcess
from wire import NS, TERMINAL_JOB, TRANSIENT_STATES, Wire, items, op

CLIENTS = 20
LATENCY = "1.5"  # long enough that every accepted create is still running at the kill


def rebase(url: str, old_base: str, new_base: str) -> str:
    """Ids are absolute, and a restart binds a new free port: keep the part below the base."""
    assert url.startswith(old_base), (url, old_base)
    return new_base + url[len(old_base):]


def fire_creates(wire: Wire, add_url: str, body_for, acked: list, started: threading.Event):
    def one(index):
        started.wait()
        try:
            resp = requests.post(add_url, json=body_for(index), timeout=30,
                                 headers={"Accept": "application/json"})
        except requests.RequestException:
            return  # cut off by the kill: not acknowledged, so the provider owes nothing
        if resp.status_code in (201, 202) and resp.headers.get("Location"):
            acked.append((index, resp.headers["Location"], resp.headers.get("CIMI-Job-URI")))
    return one


def test_acknowledged_creates_survive_kill_9(tmp_path):
    prov = ProviderProcess(tmp_path / "cimi.db", "--latency", LATENCY).start()
    try:
        wire = Wire(prov.cep_url, "json")
        add_url = wire.add_url("machines")
        config, image = wire.first("machineConfigs"), wire.first("machineImages")
        run = f"crash-{int(time.time() * 1000) % 10 ** 8}"

        def body_for(index):
            return {"resourceURI": NS + "/MachineCreate", "name": f"{run}-{index}",
                    "machineTemplate": {"machineConfig": config, "machineImage": image}}

        acked: list = []
        started = threading.Event()
        pool = ThreadPoolExecutor(CLIENTS)
        futures = [pool.submit(fire_creates(wire, add_url, body_for, acked, started), i)
                   for i in range(CLIENTS)]
        started.set()
        deadline = time.monotonic() + 20
        while len(acked) < CLIENTS // 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        old_base = prov.base
        prov.kill()  # SIGKILL while the rest of the requests and all backend work are in flight
        for future in futures:
            future.result()
        pool.shutdown()
        assert len(acked) >= CLIENTS // 2, f"only {len(acked)} creates acknowledged before kill"

        prov.start()
        wire = Wire(prov.cep_url, "json")
        new_base = prov.base
        jobs = wait_for_jobs(wire)
        machines = items(wire.collection("machines"))  # a fresh database: only ours
        assert all(m["name"].startswith(run + "-") for m in machines)
        by_name: dict = {}
        for machine in machines:
            by_name.setdefault(machine["name"], []).append(machine)
        for name, copies in by_name.items():
            assert len(copies) == 1, f"{name} exists {len(copies)} times"

        for index, location, job_url in acked:
            machine = wire.get(rebase(location, old_base, new_base))
            assert machine["name"] == f"{run}-{index}"
            assert len(by_name[machine["name"]]) == 1
            if job_url:
                job = wire.get(rebase(job_url, old_base, new_base))
                assert job["state"] in TERMINAL_JOB, job
                if job["state"] != "SUCCESS":
                    assert job.get("statusMessage"), job  # cut off: says why
                    assert machine["state"] in ("ERROR", "FAILED"), (machine, job)
                else:
                    assert machine["state"] in ("STOPPED", "STARTED"), (machine, job)

        explained = {ref["href"] for job in jobs if job["state"] not in TERMINAL_JOB
                     for ref in job.get("affectedResources", [])}
        for machine in machines:
            doc = wire.get(machine["id"])
            if doc["state"] in TRANSIENT_STATES:
                assert doc["id"] in explained, f"half-created with no running job: {doc}"
        for job in jobs:
            if job["state"] == "FAILED":
                assert job.get("statusMessage"), job
        # Whatever the crash left (ERROR included) can still be cleaned up.
        deletes = [wire.ok("DELETE", op(wire.get(m["id"]), "delete")) for m in machines]
        for reply in deletes:  # issued together: the backend works on them in parallel
            wire.settle(reply)
        assert wire.collection("machines")["count"] == 0
    finally:
        prov.kill()


def wait_for_jobs(wire: Wire, timeout: float = 30.0) -> list:
    """Wait until the restarted provider has resumed or failed every interrupted job."""
    deadline = time.monotonic() + timeout
    while True:
        jobs = items(wire.collection("jobs", **{"$expand": "*"}))
        if all(job["state"] in TERMINAL_JOB for job in jobs):
            return jobs
        assert time.monotonic() < deadline, [j for j in jobs if j["state"] not in TERMINAL_JOB]
        time.sleep(0.1)
