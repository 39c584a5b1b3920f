"""EventLogs (DSP0263 5.17.2): what happened to each Machine, Volume, Network and System.

Every such resource has one EventLog (``eventLog`` on the resource, ``targetResource`` on the
log), made with its first Event. Events come from three places, all written inside the
transaction of what they record, so they add no commit and no disk sync of their own:

* **access** (``…/event/access``): every API change of the resource; the content is the CADF
  event of the request, built by the same code as the API audit trail (``audit/events.py``),
  also when the trail is off. A request answered 202 gets its Event when its Job ends, with the
  Job's outcome, as the trail does. An access Event rides along the next transaction the
  provider commits (``Store.riders``), at the latest ``FLUSH_SECONDS`` later or when the
  EventLogs are read: a request costs no commit of its own for it (a crash may lose the access
  Events of the last ``FLUSH_SECONDS``; the audit trail is the durable record).
* **state** (``…/event/state``): every change of the resource's ``state``, seen by the store
  itself (``Store.observers``), whoever made it: a Job, start-up adoption, or the backend
  reporting a change made behind the provider's back (``cause`` says which).
* **alarm** (``…/event/alarm``): a FAILED Job (severity high) on each resource it worked on.

Retention bounds them: at most ``max_events`` per log (the oldest go first) and none older than
``days`` (the log's ``persistence``, an xs:duration); a sweep runs every ``SWEEP_SECONDS``. The
log of a deleted resource stays (its last Events tell how it went) until it is empty.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..catalogue import NS, by_path
from ..timeutil import now_iso
from ..audit import events as ev
from .periodic import Periodic

log = logging.getLogger("cimi_provider.eventlogs")
LOGGED_TYPES = ("Machine", "Volume", "Network", "System")
EVENT_NS = NS + "/event/"
STATE, ALARM, ACCESS = EVENT_NS + "state", EVENT_NS + "alarm", EVENT_NS + "access"
SEVERITIES = ("low", "medium", "high", "critical")
CADF_OUTCOMES = {"success": "Success", "failure": "Failure", "pending": "Pending",
                 "unknown": "Unknown"}
BAD_STATES = ("ERROR", "FAILED")
SWEEP_SECONDS = 60.0
FLUSH_SECONDS = 0.2
# Who changed a state, when a state Event is written: "provider" (requests and their Jobs),
# "backend" (an out-of-band change the backend reported) or "adoption" (start-up).
_cause: contextvars.ContextVar[str] = contextvars.ContextVar("eventlog_cause", default="provider")


@contextlib.contextmanager
def caused_by(cause: str):
    """State changes committed inside the block were made by ``cause``."""
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


def _instant(value) -> str | None:
    """A CADF eventTime in the provider's xs:dateTime form (UTC, milliseconds, ``Z``)."""
    try:
        moment = datetime.fromisoformat(value).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Retention:
    max_events: int = 1000  # per EventLog
    days: int = 7

    @property
    def persistence(self) -> str:
        return f"P{self.days}D"


def log_id(rid: str) -> str:
    """The EventLog id of a resource: derived from its id, so a deleted one still has it."""
    return "eventLogs/" + hashlib.sha256(rid.encode()).hexdigest()[:16]


def logged(rid: str | None) -> bool:
    """Whether ``rid`` names a resource (not a collection) of a type that has an EventLog."""
    if not isinstance(rid, str) or rid.count("/") != 1:
        return False
    rtype = by_path(rid.split("/", 1)[0])
    return rtype is not None and rtype.name in LOGGED_TYPES


class EventLogs:
    def __init__(self, store, retention: Retention = Retention()):
        self.store = store
        self.retention = retention
        # job id -> [(CADF event, resource id, action, type name)]: requests answered 202
        self._pending: dict = {}
        self._held: list = []  # (CADF event, resource id): access Events for the next commit
        self._flush_timer = None
        self._sweeper = Periodic("eventlog retention sweep", SWEEP_SECONDS, self.sweep)

    def install(self, jobs) -> None:
        """Watch the logged types' rows and the Jobs' ends."""
        self.store.watch = self.store.watch | frozenset(LOGGED_TYPES)
        self.store.observers.append(self.observe)
        self.store.riders.append(self._ride)
        jobs.end_hooks.append(self.job_ended)

    # writing one Event ---------------------------------------------------------------------
    def add(self, tx, rid: str, etype: str, content: dict, outcome: str, severity: str,
            timestamp: str | None = None) -> str:
        """Append an Event to the EventLog of resource ``rid`` (made if it has none)."""
        lid = log_id(rid)
        now = now_iso()
        target = tx.row(rid)
        log_doc = tx.get(lid)
        if log_doc is None:
            name = target.doc.get("name") if target is not None else None
            log_doc = {"resourceURI": NS + "/EventLog", "id": lid,
                       "name": ev.text(f"events of {name or rid}"), "created": now,
                       "targetResource": {"href": rid},
                       "persistence": self.retention.persistence,
                       "summary": dict.fromkeys(SEVERITIES, 0), "_count": 0}
        if target is not None and target.type in LOGGED_TYPES and '"eventLog":' not in target.text:
            doc = target.doc
            doc["eventLog"] = {"href": lid}
            tx.put(rid, target.type, doc)
        eid = f"{lid}/events/{tx.next_seq()}"
        stamp = timestamp or now
        tx.put(eid, "Event", {
            "resourceURI": NS + "/Event", "id": eid, "created": now, "updated": now,
            "timestamp": stamp, "type": etype, "content": content, "outcome": outcome,
            "severity": severity}, parent=lid)
        log_doc["summary"][severity] += 1
        log_doc["_count"] += 1
        log_doc["updated"] = now
        if log_doc["_count"] > self.retention.max_events:
            self._drop(tx, lid, log_doc, log_doc["_count"] - self.retention.max_events)
        tx.put(lid, "EventLog", log_doc, owner_of=(rid,))
        return eid

    def _drop(self, tx, lid: str, log_doc: dict, n: int, older_than: str | None = None) -> int:
        """Remove the ``n`` oldest committed Events of a log (only those before
        ``older_than``, if given); returns how many went."""
        dropped = 0
        for row in self.store.rows("Event", lid):
            if dropped >= n:
                break
            if tx.row(row.id) is None:
                continue  # dropped earlier in this transaction
            doc = row.doc
            if older_than is not None and doc.get("timestamp", "") >= older_than:
                break
            tx.delete(row.id)
            severity = doc.get("severity")
            if severity in log_doc["summary"]:
                log_doc["summary"][severity] = max(0, log_doc["summary"][severity] - 1)
            log_doc["_count"] -= 1
            dropped += 1
        return dropped

    # state Events: the store shows every change of a logged row --------------------------
    def observe(self, tx, touched: dict) -> None:
        for rid, old in touched.items():
            try:
                self._observe_one(tx, rid, old)
            except Exception:  # noqa: BLE001 - an EventLog never fails the change it records
                log.exception("eventlog: cannot record the change of %s", rid)

    def _observe_one(self, tx, rid: str, old) -> None:
        new = tx.row(rid)
        before = old.doc.get("state") if old is not None else None
        after = new.doc if new is not None else None
        state = after.get("state") if after is not None else None
        if after is not None and before == state:
            if '"eventLog":' not in new.text and tx.get(log_id(rid)) is not None:
                doc = dict(after, eventLog={"href": log_id(rid)})  # a stale copy dropped it
                tx.put(rid, new.type, doc)
            return
        content = {"resource": {"href": rid}, "cause": _cause.get()}
        if before is not None:
            content["previousState"] = before
        if after is None:
            content["deleted"] = True
        else:
            content["state"] = state
            moved_from = old.doc.get("host") if old is not None else None
            if moved_from and after.get("host") and moved_from != after["host"]:
                content.update(previousHost=moved_from, host=after["host"])  # a migrate
            if after.get("statusMessage"):
                content["statusMessage"] = ev.text(after["statusMessage"], 512)
        bad = state in BAD_STATES
        self.add(tx, rid, STATE, content, "Warning" if bad else "Status",
                 "high" if bad else "low")

    # alarm Events and the access Events of 202 requests: a Job ended -----------------------
    def job_ended(self, tx, job_id: str, state: str, message: str) -> None:
        try:
            for event, rid, action, type_name in self._pending.pop(job_id, ()):
                self._access(tx, ev.finish(event, state, action, type_name), rid)
            if state != "FAILED":
                return
            job = tx.get(job_id) or {}
            hrefs = [job.get("targetResource", {}).get("href")]
            hrefs += [ref.get("href") for ref in job.get("affectedResources", [])]
            for rid in dict.fromkeys(h for h in hrefs if logged(h)):
                self.add(tx, rid, ALARM, {
                    "resource": {"href": rid}, "job": {"href": job_id},
                    "action": job.get("action"), "statusMessage": ev.text(message, 512)},
                    "Failure", "high")
        except Exception:  # noqa: BLE001 - an EventLog never fails the Job it records
            log.exception("eventlog: cannot record the end of %s", job_id)

    # access Events: the CADF event of an API change ----------------------------------------
    def api_change(self, event: dict, rid: str, job: str | None, subject: ev.Subject) -> None:
        """Record the CADF ``event`` of a request that changed ``rid`` (a relative id); a
        request whose Job still runs is recorded when the Job ends."""
        if not logged(rid):
            return
        event = copy.deepcopy(event)
        if job is not None and event["reason"]["reasonCode"] == "202":
            row = self.store.row(job)
            state = row.doc.get("state") if row is not None else None
            if state not in ("SUCCESS", "FAILED", "STOPPED"):
                self._pending.setdefault(job, []).append(
                    (event, rid, subject.action, subject.type_name))
                return
            ev.finish(event, state, subject.action, subject.type_name)
        self._held.append((event, rid))
        if self._flush_timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not on the event loop: write it now
                self.flush()
                return
            self._flush_timer = loop.call_later(FLUSH_SECONDS, self.flush)

    def _ride(self, tx) -> None:
        """Store rider: the held access Events join the transaction being committed."""
        if not self._held:
            return
        held, self._held = self._held, []
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        for event, rid in held:
            try:
                self._access(tx, event, rid)
            except Exception:  # noqa: BLE001 - an EventLog never fails the change it joins
                log.exception("eventlog: cannot record an access Event of %s", rid)

    def flush(self) -> None:
        """Commit the held access Events now (before the EventLogs are read, at shutdown)."""
        self._flush_timer = None
        if self._held:
            with self.store.write():
                pass  # the rider writes them

    def _access(self, tx, event: dict, rid: str) -> None:
        outcome = CADF_OUTCOMES.get(event.get("outcome"), "Unknown")
        self.add(tx, rid, ACCESS, event, outcome, "low" if outcome != "Failure" else "medium",
                 timestamp=_instant(event.get("eventTime")))

    # retention -----------------------------------------------------------------------------
    def sweep(self) -> int:
        """Drop Events older than the retention period and empty logs of deleted resources."""
        days = min(self.retention.days, 36500)
        cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(
            timespec="milliseconds").replace("+00:00", "Z")
        dropped = 0
        for row in list(self.store.rows("EventLog")):
            doc = row.doc
            target = doc.get("targetResource", {}).get("href")
            first = next(iter(self.store.rows("Event", row.id)), None)
            stale = first is not None and first.doc.get("timestamp", "") < cutoff
            orphan = self.store.row(target) is None if target else True
            if not stale and not (orphan and first is None):
                continue
            with self.store.write() as tx:
                dropped += self._drop(tx, row.id, doc, doc.get("_count", 0), older_than=cutoff)
                if orphan and doc.get("_count", 0) <= 0:
                    tx.delete(row.id)
                else:
                    tx.put(row.id, "EventLog", doc)
        return dropped

    def start(self) -> None:
        self._sweeper.start()

    async def stop(self) -> None:
        await self._sweeper.stop()
        self.flush()


__all__ = ["EventLogs", "Retention", "caused_by", "log_id", "LOGGED_TYPES"]
