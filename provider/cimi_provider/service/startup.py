"""Start-up: recover from a crash, adopt resources into the backend, seed the catalogue.

Jobs that were QUEUED/RUNNING/STOPPING when the process died are marked FAILED with
"interrupted by provider restart". Their resources are reconciled: a resource stuck in CREATING
becomes ERROR (never silently dropped); one stuck in an action's transitional state returns to the
state it had before the action; a DELETING resource is deleted (the delete had been accepted),
through a new Job so the backend cleans up too.
"""
from __future__ import annotations

import logging

from ..backends.memory import address_for, mac_for
from ..catalogue import JOB_ACTIVE, NS, TYPES
from ..request import RequestContext
from ..timeutil import now_iso
from . import eventlogs
from .core import base_doc

log = logging.getLogger("cimi_provider.startup")
START_UP = RequestContext(base="")  # start-up work is no consumer's request: ids stay relative
INTERRUPTED = "interrupted by provider restart"
RECONCILED = ("Machine", "Volume", "Network", "System", "MachineImage", "VolumeImage")
TRANSITIONAL = ("STARTING", "STOPPING", "PAUSING", "SUSPENDING", "CAPTURING", "RESTORING",
                "MIGRATING")
ADOPTED = ("Machine", "Volume", "Network", "MachineImage")

SEED = {
    "MachineConfiguration": [
        ("machineConfigs/m1-small", {"name": "m1-small", "description": "1 vCPU, 1 GiB RAM, 10 GB disk",
                                     "cpu": 1, "memory": 1048576, "cpuArch": "x86_64",
                                     "disks": [{"capacity": 10000000, "format": "qcow2"}]}),
        ("machineConfigs/m1-medium", {"name": "m1-medium", "description": "2 vCPU, 4 GiB RAM, 20 GB disk",
                                      "cpu": 2, "memory": 4194304, "cpuArch": "x86_64",
                                      "disks": [{"capacity": 20000000, "format": "qcow2"}]}),
    ],
    "MachineImage": [
        ("machineImages/debian-12", {"name": "debian-12", "description": "Debian 12 (bookworm) cloud image",
                                     "state": "AVAILABLE", "type": "IMAGE",
                                     "imageLocation": "memory://images/debian-12"}),
        ("machineImages/cirros", {"name": "cirros", "description": "CirrOS 0.6 test image",
                                  "state": "AVAILABLE", "type": "IMAGE",
                                  "imageLocation": "memory://images/cirros"}),
    ],
    "VolumeConfiguration": [
        ("volumeConfigs/small-volume", {"name": "small-volume", "description": "1 GB volume",
                                        "format": "qcow2", "capacity": 1000000}),
        ("volumeConfigs/large-volume", {"name": "large-volume", "description": "100 GB volume",
                                        "format": "qcow2", "capacity": 100000000}),
    ],
}


def recover(provider) -> list:
    """Mark interrupted jobs FAILED and reconcile resources; returns ids whose delete resumes."""
    store = provider.store
    resume_delete = []
    with store.write() as tx:
        for job in store.list("Job"):
            if job.get("state") in JOB_ACTIVE:
                job.update(state="FAILED", statusMessage=INTERRUPTED, returnCode=503,
                           timeOfStatusChange=now_iso(), updated=now_iso())
                tx.put(job["id"], "Job", job)
                provider.jobs.ended(tx, job["id"], "FAILED", INTERRUPTED)
                log.warning("job %s %s", job["id"], INTERRUPTED)
        for type_name in RECONCILED:
            for doc in store.list(type_name):
                state = doc.get("state")
                if state == "CREATING":
                    doc["state"] = "ERROR"
                elif state in TRANSITIONAL:
                    doc["state"] = doc.get("_previousState") or "ERROR"
                elif state == "DELETING":
                    resume_delete.append(doc["id"])
                    continue
                else:
                    continue
                doc.pop("_previousState", None)
                doc["updated"] = now_iso()
                tx.put(doc["id"], type_name, doc)
                log.warning("%s %s was %s at restart; now %s", type_name, doc["id"], state,
                            doc["state"])
    for type_name in ADOPTED:
        for doc in store.list(type_name):
            _adopt(provider.backend, store, type_name, doc)
    return resume_delete


def _adopt(backend, store, type_name: str, doc: dict) -> None:
    state = doc.get("state")
    observed = backend.adopt(type_name, doc["id"], doc, state)
    message = backend.adoption_message(doc["id"])
    if observed is None:
        observed = "ERROR"
        message = message or f"the backend has no trace of it any more (was {state})"
    if observed == state or state == "DELETING":
        return
    with eventlogs.caused_by("adoption"), store.write() as tx:
        doc["state"] = observed
        set_status_message(doc, message)
        doc["updated"] = now_iso()
        tx.put(doc["id"], type_name, doc)
    log.warning("%s %s was %s, observed %s%s", type_name, doc["id"], state, observed,
                f": {message}" if message else "")


def set_status_message(doc: dict, message: str | None) -> None:
    """Record why the provider changed a resource's state on its own; no reason clears it."""
    if message:
        doc["statusMessage"] = message
    else:
        doc.pop("statusMessage", None)


async def resume_deletes(provider, ids: list) -> None:
    for rid in ids:
        row = provider.store.row(rid)
        if row is None:
            continue
        doc = row.doc
        doc["state"] = doc.pop("_previousState", None) or "ERROR"
        with provider.store.write() as tx:
            tx.put(rid, row.type, doc)
        log.warning("resuming the delete of %s", rid)
        try:
            await provider.delete(rid, START_UP)
        except Exception:  # noqa: BLE001 - it stays visible in ERROR for the consumer to retry
            log.exception("could not resume the delete of %s", rid)


def seed(provider, machines: int = 0) -> None:
    """Create the seed catalogue once (idempotent), and up to ``machines`` benchmark machines.

    The seed images live at ``memory://`` locations only the memory backend knows: other
    backends get the configurations only (a consumer registers real images, see README).
    """
    store = provider.store
    seeded_types = [t for t in SEED if t != "MachineImage" or provider.backend.name == "memory"]
    if store.meta("seeded") is None:
        with store.write() as tx:
            for type_name in seeded_types:
                for rid, fields in SEED[type_name]:
                    if tx.get(rid) is None:
                        doc = base_doc(TYPES[type_name], rid, fields)
                        doc.update({k: v for k, v in fields.items() if k not in doc})
                        tx.put(rid, type_name, doc)
                        if type_name == "MachineImage":
                            provider.backend.adopt(type_name, rid, doc, "AVAILABLE")
            tx.set_meta("seeded", now_iso())
    existing = int(store.meta("seed_machines") or 0)
    for n in range(existing + 1, machines + 1):
        _seed_machine(provider, n)


def _seed_machine(provider, n: int) -> None:
    rid = f"machines/bench-{n:05d}"
    name = f"bench-{n:05d}"
    now = now_iso()
    with provider.store.write() as tx:
        doc = base_doc(TYPES["Machine"], rid, {"name": name, "description": "seeded machine",
                                               "properties": {"seed": "true",
                                                              "group": f"g{n % 10}"}})
        doc.update(state="STARTED" if n % 2 else "STOPPED", cpu=1, memory=1048576,
                   cpuArch="x86_64", machineConfig={"href": "machineConfigs/m1-small"},
                   machineImage={"href": "machineImages/debian-12"})
        tx.put(rid, "Machine", doc)
        tx.put(f"{rid}/disks/1", "Disk", {"resourceURI": NS + "/Disk", "id": f"{rid}/disks/1",
                                          "name": "disk1", "capacity": 10000000,
                                          "format": "qcow2", "created": now, "updated": now},
               parent=rid)
        for i in (1, 2):
            iid = f"{rid}/interfaces/{i}"
            tx.put(iid, "NetworkInterface", {
                "resourceURI": NS + "/NetworkInterface", "id": iid, "name": f"eth{i - 1}",
                "state": "ENABLED", "mtu": 1500, "macAddress": mac_for(tx.counter("mac")),
                "created": now, "updated": now}, parent=rid)
            eid = f"{iid}/endpoints/1"
            tx.put(eid, "ProtocolEndpoint", {
                "resourceURI": NS + "/ProtocolEndpoint", "id": eid, "name": f"eth{i - 1}-ipv4",
                "state": "ENABLED", "protocol": "IPv4", "address": address_for(tx.counter("ipv4")),
                "origin": "DYNAMIC", "interface": {"href": iid}, "created": now, "updated": now},
                parent=iid)
        tx.set_meta("seed_machines", str(n))
    provider.backend.adopt("Machine", rid, doc, doc["state"])
