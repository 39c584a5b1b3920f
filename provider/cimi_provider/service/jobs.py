"""Jobs (DSP0263 5.17.1): every mutating request makes one; asynchronous work is tracked by it.

A Job goes QUEUED -> RUNNING -> SUCCESS | FAILED (or STOPPING -> STOPPED when a consumer stops
it), with ``progress`` and ``statusMessage`` updated as the backend reports. The resource changes
a Job makes when it ends are committed in the same transaction as the Job's final state.
Nested jobs (Systems) run inside their parent's task; a parent succeeds only if all nested do.
"""
from __future__ import annotations

import asyncio
import logging
import uuid

from ..backends.base import BackendError
from ..catalogue import NS, TYPES
from ..timeutil import now_iso

log = logging.getLogger("cimi_provider.jobs")
# Resource types that carry the statusMessage extension: the reason their last Job failed.
STATUS_MESSAGE_TYPES = tuple(name for name, t in TYPES.items()
                             if any(a.name == "statusMessage" for a in t.attrs)
                             and name != "Job")
STOPPED_BY_CONSUMER = "stopped by consumer request"


class JobFailed(Exception):
    """Raised by work that fails with a consumer-facing message."""


def job_doc(job_id: str, action: str, target: str, affected: list, parent: str | None = None,
            name: str | None = None) -> dict:
    now = now_iso()
    doc = {
        "resourceURI": NS + "/Job", "id": job_id, "name": name or action.rsplit("/", 1)[-1],
        "created": now, "updated": now, "state": "QUEUED", "targetResource": {"href": target},
        "affectedResources": [{"href": h} for h in dict.fromkeys([target] + affected)],
        "action": action, "returnCode": 0, "progress": 0, "statusMessage": "queued",
        "timeOfStatusChange": now,
    }
    if parent:
        doc["parentJob"] = {"href": parent}
    return doc


class JobRunner:
    def __init__(self, store, synchronous: bool):
        self.store = store
        self.synchronous = synchronous
        self.tasks: dict[str, asyncio.Task] = {}
        self.shutting_down = False
        # called with (job id, final state) when a Job ends here (the API audit listens)
        self.listeners: list = []
        # called with (tx, job id, final state, status message) inside the transaction that ends
        # a Job, so what they write commits with the outcome (the EventLogs' alarms)
        self.end_hooks: list = []

    def create(self, tx, action: str, target: str, affected: list | None = None,
               parent: str | None = None, done: bool = False, message: str = "") -> str:
        job_id = "jobs/" + uuid.uuid4().hex
        doc = job_doc(job_id, action, target, affected or [], parent)
        if done:
            doc.update(state="SUCCESS", progress=100, statusMessage=message or "completed")
        if parent:
            parent_doc = tx.get(parent)
            parent_doc.setdefault("nestedJobs", []).append({"href": job_id})
            tx.put(parent, "Job", parent_doc)
        # a Job belongs to whom its target belongs (a collection target: the created resource)
        tx.put(job_id, "Job", doc, parent=parent, owner_of=(target, *(affected or ())))
        return job_id

    def _set(self, tx, job_id: str, **changes) -> dict:
        doc = tx.get(job_id)
        if doc is None:
            return {}
        now = now_iso()
        if "state" in changes and changes["state"] != doc.get("state"):
            doc["timeOfStatusChange"] = now
        doc.update(changes)
        doc["updated"] = now
        tx.put(job_id, "Job", doc)
        return doc

    def _set_resource_status(self, tx, job_id: str, message: str | None) -> None:
        """Record a failed Job's reason on the resources it worked on (DSP0263 leaves the reason
        on the Job only; the extension lets an ERROR resource say why); a success clears it."""
        job = tx.get(job_id) or {}
        hrefs = [job.get("targetResource", {}).get("href")]
        hrefs += [ref.get("href") for ref in job.get("affectedResources", [])]
        for href in dict.fromkeys(h for h in hrefs if h):
            doc = tx.get(href)
            type_name = (doc or {}).get("resourceURI", "").rsplit("/", 1)[-1]
            if type_name not in STATUS_MESSAGE_TYPES:
                continue
            if message:
                doc["statusMessage"] = message
            elif "statusMessage" in doc:
                del doc["statusMessage"]
            else:
                continue
            tx.put(href, type_name, doc)

    def progress_callback(self, job_id: str):
        def progress(percent: int, message: str) -> None:
            if self.synchronous:
                return  # nothing observable between the start and the end of synchronous work
            with self.store.write() as tx:
                doc = tx.get(job_id)
                if doc and doc["state"] == "RUNNING":
                    self._set(tx, job_id, progress=max(doc.get("progress", 0), min(99, percent)),
                              statusMessage=message)
        return progress

    async def execute(self, job_id: str, work, on_success, on_failure) -> str:
        """Run ``work(progress)``; commit ``on_success(tx, result)`` or ``on_failure(tx, msg)``
        together with the Job's final state, then tell the listeners. Returns the final state."""
        with self.store.write() as tx:
            self._set(tx, job_id, state="RUNNING", progress=1, statusMessage="running")
        try:
            result = await work(self.progress_callback(job_id))
        except asyncio.CancelledError:
            if self.shutting_down:
                raise  # left RUNNING: start-up recovery reports it as interrupted
            with self.store.write() as tx:
                on_failure(tx, STOPPED_BY_CONSUMER)
                self._set(tx, job_id, state="STOPPED", statusMessage=STOPPED_BY_CONSUMER,
                          returnCode=1)
                self.ended(tx, job_id, "STOPPED", STOPPED_BY_CONSUMER)
            state = "STOPPED"
        except (BackendError, JobFailed) as exc:
            state = self._failed(job_id, on_failure, str(exc) or "operation failed")
        except Exception:  # noqa: BLE001 - the consumer gets a generic message, the log the detail
            log.exception("job %s failed with an internal error", job_id)
            state = self._failed(job_id, on_failure, "internal error in the provider")
        else:
            with self.store.write() as tx:
                message = on_success(tx, result) or "completed"
                self._set_resource_status(tx, job_id, None)
                self._set(tx, job_id, state="SUCCESS", statusMessage=message, progress=100)
                self.ended(tx, job_id, "SUCCESS", message)
            state = "SUCCESS"
        await self.store.durable()  # the outcome is on disk before anyone is told of it
        for listener in self.listeners:
            try:
                listener(job_id, state)
            except Exception:  # noqa: BLE001 - a listener never changes the Job's outcome
                log.exception("job %s: end listener failed", job_id)
        return state

    def _failed(self, job_id: str, on_failure, message: str) -> str:
        with self.store.write() as tx:
            on_failure(tx, message)
            self._set_resource_status(tx, job_id, message)
            self._set(tx, job_id, state="FAILED", statusMessage=message, returnCode=500,
                      progress=100)
            self.ended(tx, job_id, "FAILED", message)
        return "FAILED"

    def ended(self, tx, job_id: str, state: str, message: str) -> None:
        for hook in self.end_hooks:
            hook(tx, job_id, state, message)

    async def run(self, job_id: str, work, on_success, on_failure) -> str:
        """Execute inline when the backend is synchronous, else in the background.

        Returns the Job state at the time of the HTTP answer."""
        if self.synchronous:
            return await self.execute(job_id, work, on_success, on_failure)
        task = asyncio.get_running_loop().create_task(
            self.execute(job_id, work, on_success, on_failure))
        self.tasks[job_id] = task
        task.add_done_callback(lambda _t: self.tasks.pop(job_id, None))
        return "QUEUED"

    def stop(self, job_id: str) -> bool:
        """Ask a running Job to stop; False if it is not running in this process."""
        task = self.tasks.get(job_id)
        if task is None or task.done():
            return False
        with self.store.write() as tx:
            self._set(tx, job_id, state="STOPPING", statusMessage="stopping")
        task.cancel()
        return True

    async def shutdown(self) -> None:
        self.shutting_down = True
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
