"""Meters (DSP0263 5.16): samples of a started Machine's cpu, memory, disk and bandwidth.

* **MeterConfigurations** for the standard aspects (``cpu``, ``memory``, ``disk``,
  ``bandwidth``, ``inputBandwidth``, ``outputBandwidth``; Table 51) are seeded at start-up,
  named after their aspect, with the operator's default ``sampleInterval``.
* A Machine gets its Meters the first time it is STARTED (the store shows every state change,
  so a machine started behind the provider's back gets them too): one per MeterTemplate of its
  MachineTemplate (``meterTemplates``), else one per seeded standard configuration. They are
  sub-resources of the Machine (``machines/<id>/meters``), listed in the CEP's ``meters`` too,
  and go with it.
* Sampling: every Meter STARTED on a STARTED Machine is sampled each ``sampleInterval`` seconds
  from ``Backend.machine_stats`` (libvirt: the domain's statistics; memory: simulated). One
  reading serves all of a machine's Meters; all samples of a round commit together, without a
  disk sync of their own (the next acknowledged change syncs them). Values and units: ``cpu``
  cumulative CPU time in nanoseconds, ``memory`` the guest's resident memory in KiB, ``disk``
  bytes read and written, ``bandwidth`` bytes received and sent, ``inputBandwidth`` received,
  ``outputBandwidth`` sent (all cumulative since the machine started).
* ``start``/``stop`` actions (``stopTime`` records the stop); retention: at most
  ``max_samples`` Samples per Meter, the oldest dropped first.
"""
from __future__ import annotations

import logging
import time

from ..catalogue import NS, TYPES
from ..catalogue.types import ASPECT_NS, ASPECT_UNITS
from ..errors import Conflict
from ..request import RequestContext
from ..timeutil import now_iso
from .core import new_id
from .lifecycle import Lifecycle, mark
from .periodic import Periodic
from .result import Result

log = logging.getLogger("cimi_provider.meters")
TICK_SECONDS = 0.25
IDLE_RECHECK_SECONDS = 1.0  # a stopped Meter, or one of a machine that is not running


def aspect_value(aspect: str, stats) -> int:
    name = aspect[len(ASPECT_NS):] if aspect.startswith(ASPECT_NS) else aspect
    return {
        "cpu": stats.cpu_time_ns, "memory": stats.memory_kib,
        "disk": stats.disk_read_bytes + stats.disk_write_bytes,
        "bandwidth": stats.net_rx_bytes + stats.net_tx_bytes,
        "inputBandwidth": stats.net_rx_bytes, "outputBandwidth": stats.net_tx_bytes,
    }.get(name, 0)


class Meters:
    def __init__(self, store, backend, default_interval: int = 10, max_samples: int = 100):
        self.store = store
        self.backend = backend
        self.default_interval = default_interval
        self.max_samples = max_samples
        self._due: dict[str, float] = {}  # meter id -> monotonic time of its next sample
        self._sampler = Periodic("meter sampling", TICK_SECONDS, self.sample_once)

    def install(self) -> None:
        self.store.watch = self.store.watch | frozenset(("Machine",))
        self.store.observers.append(self.observe)

    # start-up ------------------------------------------------------------------------------
    def seed_configs(self) -> None:
        """The standard aspects' MeterConfigurations, named after their aspect (once)."""
        named = {doc.get("name") for doc in self.store.list("MeterConfiguration")}
        missing = [a for a in ASPECT_UNITS if a not in named]
        if not missing:
            return
        now = now_iso()
        with self.store.write() as tx:
            for aspect in missing:
                rid = new_id("meterConfigs")
                tx.put(rid, "MeterConfiguration", {
                    "resourceURI": NS + "/MeterConfiguration", "id": rid, "name": aspect,
                    "description": f"{aspect} of a machine, sampled every "
                                   f"{self.default_interval} s", "created": now, "updated": now,
                    "aspect": ASPECT_NS + aspect, "units": ASPECT_UNITS[aspect],
                    "sampleInterval": self.default_interval, "timeScope": "Point",
                    "isContinuous": True})

    # a machine's Meters: made when it first starts, removed with it ------------------------
    def observe(self, tx, touched: dict) -> None:
        for rid, old in touched.items():
            kind = old.type if old is not None else (tx.row(rid).type if tx.row(rid) else None)
            if kind != "Machine":
                continue
            try:
                new = tx.row(rid)
                if new is None:
                    self._remove(tx, rid)
                elif new.doc.get("state") == "STARTED" and not self.store.rows("Meter", rid):
                    self._create(tx, rid, new.doc)
            except Exception:  # noqa: BLE001 - metering never fails the change it follows
                log.exception("meters: cannot follow the change of %s", rid)

    def _configs(self, tx, machine: dict) -> list:
        """(config id or None, config doc) of each Meter a machine gets."""
        out = []
        for tid in machine.get("_meterTemplates") or ():
            template = tx.get(tid) or {}
            value = template.get("meterConfig") or {}
            if "href" in value:
                doc = tx.get(value["href"])
                if doc is not None:
                    out.append((value["href"], {**doc, **{k: v for k, v in value.items()
                                                          if k != "href"}}))
            elif value.get("aspect"):
                out.append((None, value))
        if out or machine.get("_meterTemplates"):
            return out
        by_name = {row.doc.get("name"): row for row in self.store.rows("MeterConfiguration")
                   if row.owner is None}
        for aspect in ASPECT_UNITS:
            row = by_name.get(aspect)
            out.append((row.id, row.doc) if row is not None else (None, {
                "aspect": ASPECT_NS + aspect, "sampleInterval": self.default_interval}))
        return out

    def _create(self, tx, mid: str, machine: dict) -> None:
        now = now_iso()
        for config_id, config in self._configs(tx, machine):
            aspect = config["aspect"]
            short = aspect[len(ASPECT_NS):] if aspect.startswith(ASPECT_NS) else aspect
            rid = new_id("meters")
            doc = {"resourceURI": NS + "/Meter", "id": rid,
                   "name": f"{short} of {machine.get('name') or mid}", "created": now,
                   "updated": now, "state": "STARTED", "targetResource": {"href": mid},
                   "aspect": aspect, "units": config.get("units") or ASPECT_UNITS.get(short),
                   "sampleInterval": config.get("sampleInterval") or self.default_interval,
                   "timeScope": config.get("timeScope") or "Point",
                   "isContinuous": config.get("isContinuous", True)}
            if config.get("intervalDuration"):
                doc["intervalDuration"] = config["intervalDuration"]
            if config_id:
                doc["meterConfig"] = {"href": config_id}
            tx.put(rid, "Meter", doc, parent=mid)

    def _remove(self, tx, mid: str) -> None:
        """A deleted machine's Meters and their Samples."""
        for meter in self.store.rows("Meter", mid):
            for sample in self.store.rows("Sample", meter.id):
                tx.delete(sample.id)
            tx.delete(meter.id)
            self._due.pop(meter.id, None)

    # sampling ------------------------------------------------------------------------------
    async def sample_once(self) -> int:
        """Take the samples that are due; returns how many were written."""
        clock = time.monotonic()
        due: dict[str, list] = {}
        for row in self.store.rows("Meter"):
            if self._due.get(row.id, 0.0) > clock:
                continue  # not due: not even decoded
            doc = row.doc
            machine = self.store.row(row.parent) if row.parent else None
            if doc.get("state") != "STARTED" or machine is None or \
                    machine.doc.get("state") != "STARTED":
                self._due[row.id] = clock + IDLE_RECHECK_SECONDS
                continue
            due.setdefault(row.parent, []).append((row.id, doc))
        readings = {}
        for mid in due:
            try:
                stats = await self.backend.machine_stats(mid)
            except Exception:  # noqa: BLE001 - one machine's reading never stops the others
                log.exception("meters: cannot read the counters of %s", mid)
                stats = None
            if stats is not None:
                readings[mid] = stats
        if not readings:
            return 0
        written = 0
        stamp = now_iso()
        with self.store.write() as tx:
            for mid, meters in due.items():
                stats = readings.get(mid)
                if stats is None:
                    continue
                for meter_id, doc in meters:
                    if tx.row(meter_id) is None:
                        continue  # removed with its machine meanwhile
                    self._due[meter_id] = clock + max(1, int(doc.get("sampleInterval") or 1))
                    sid = f"{meter_id}/samples/{tx.next_seq()}"
                    tx.put(sid, "Sample", {"resourceURI": NS + "/Sample", "id": sid,
                                           "timestamp": stamp,
                                           "value": aspect_value(doc["aspect"], stats)},
                           parent=meter_id)
                    written += 1
                    kept = self.store.rows("Sample", meter_id)
                    for old in kept[:max(0, len(kept) + 1 - self.max_samples)]:
                        tx.delete(old.id)
        return written

    def start(self) -> None:
        self._sampler.start()

    async def stop(self) -> None:
        await self._sampler.stop()


class MeterLifecycle(Lifecycle):
    """``start``/``stop`` of a Meter: synchronous, no backend work."""
    type_name = "Meter"

    async def action(self, rid: str, doc: dict, name: str, fields: dict,
                     req: RequestContext) -> Result:
        if name not in ("start", "stop"):
            raise Conflict(f"{name} is not an action of a Meter")
        changes = {"state": "STARTED" if name == "start" else "STOPPED"}
        with self.ctx.store.write() as tx:
            if name == "stop":
                changes["stopTime"] = now_iso()
            else:
                current = tx.get(rid)
                if current is not None and "stopTime" in current:
                    del current["stopTime"]
                    tx.put(rid, "Meter", current)
            mark(tx, rid, **changes)
            job = self.ctx.jobs.create(tx, TYPES["Meter"].actions[name].uri, rid, done=True)
        return self.job_result("SUCCESS", job)
