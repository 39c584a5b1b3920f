"""The ``Lifecycle`` base: the work behind one resource type.

``Provider`` (``core.py``) validates a request against the catalogue, then hands it to the
lifecycle of the resource's type: ``create``, ``delete``, ``action``. The base class serves the
plain types (configurations, templates) from the catalogue alone and holds what every
asynchronous type shares: ``begin`` (transitional state and Job in one commit), ``settle`` (the
state a Job leaves), ``job_result`` (200/201 or 202) and the rendering hooks ``available`` and
``decorate``. Each type with backend work subclasses it (``machines.py``, ``infra.py``,
``systems.py``) and names its catalogue type in ``type_name``.

A lifecycle gets a narrow ``LifecycleContext`` (store, backend, jobs, reference resolution), and
the other lifecycles it works with as constructor arguments: never the registry.
"""
from __future__ import annotations

from typing import Protocol

from ..catalogue import NS, TYPES, ResourceType
from ..errors import NotFound
from ..request import RequestContext
from ..timeutil import now_iso
from .render import Hooks
from .result import Result, Stored


class LifecycleContext(Protocol):
    """What ``Provider`` offers a lifecycle."""
    store: object
    backend: object
    jobs: object
    default_initial_state: str

    def visible_row(self, rid: str): ...
    def resolve(self, ref: dict, req: RequestContext, types, path: str) -> tuple: ...
    def effective(self, value: dict, type_name: str, req: RequestContext, path: str) -> tuple: ...
    def load(self, rid: str, type_name: str | None = None) -> dict: ...
    def store_refs(self, value, req: RequestContext, path: str): ...
    def view(self, rid: str) -> Stored: ...
    def create_plain(self, rtype: ResourceType, fields: dict, req: RequestContext) -> Result: ...
    def delete_plain(self, rid: str) -> Result: ...
    def deleted(self, job: str) -> Result: ...
    def remove_tree(self, tx, rid: str) -> None: ...


def sub_row(tx, rtype: str, rid: str, parent: str, fields: dict) -> None:
    """A sub-resource row (a Disk, a NetworkInterface ...) under ``parent``."""
    now = now_iso()
    doc = {"resourceURI": f"{NS}/{rtype}", "id": rid, **fields, "created": now, "updated": now}
    tx.put(rid, rtype, doc, parent=parent)


def mark(tx, rid: str, **changes) -> None:
    """Change a stored resource's attributes (its Job's outcome), if it still exists."""
    doc = tx.get(rid)
    if doc is not None:
        doc.update(changes)
        doc["updated"] = now_iso()
        tx.put(rid, doc["resourceURI"].rsplit("/", 1)[-1], doc)


class Lifecycle(Hooks):
    type_name: str | None = None  # the catalogue type this lifecycle serves

    def __init__(self, ctx: LifecycleContext, type_name: str | None = None):
        self.ctx = ctx
        self.type_name = type_name or self.type_name

    @property
    def rtype(self) -> ResourceType:
        return TYPES[self.type_name]

    # what a request does (Provider calls these after validation) -----------------------------
    async def create(self, fields: dict, req: RequestContext) -> Result:
        return self.ctx.create_plain(self.rtype, fields, req)

    async def delete(self, rid: str, doc: dict, req: RequestContext) -> Result:
        return self.ctx.delete_plain(rid)

    async def action(self, rid: str, doc: dict, name: str, fields: dict, req: RequestContext) -> Result:
        raise NotFound(f"{rid}/{name} not found")

    async def collection_action(self, name: str, fields: dict, req: RequestContext) -> Result:
        """An operation on the type's collection (``ResourceType.collection_actions``)."""
        raise NotFound(f"{self.rtype.path}/{name} not found")

    async def insert(self, rid: str, attr: str, body: dict, req: RequestContext) -> Result:
        """Insert into or remove from the sub-collection of references ``attr`` (5.11.6)."""
        raise NotFound(f"{rid}/{attr} takes no insert or remove")

    def check_delete(self, rid: str) -> None:
        """Raise (409) if the resource is in use and must not be deleted now."""

    def prepare_plain(self, doc: dict) -> None:
        """Complete a plainly created or updated document before it is stored."""

    # shared by the asynchronous types --------------------------------------------------------
    def begin(self, rid: str, transitional: str, action: str, affected=()) -> tuple[str, str]:
        """Put a resource in its transitional state and create its Job, in one commit."""
        store = self.ctx.store
        row = store.row(rid)
        doc = row.doc
        previous = doc.get("_previousState") if doc["state"] == transitional else doc["state"]
        with store.write() as tx:
            doc["state"] = transitional
            doc["_previousState"] = previous
            tx.put(rid, row.type, doc)
            job = self.ctx.jobs.create(tx, action, rid, list(affected))
        return job, previous

    def settle(self, tx, rid: str, state: str | None) -> str:
        """Leave a resource in ``state`` (None: the state it had before its Job)."""
        doc = tx.get(rid)
        if doc is None:
            return f"{rid} no longer exists"
        if state is None:
            state = doc.get("_previousState") or "ERROR"
        doc["state"] = state
        doc.pop("_previousState", None)
        tx.put(rid, self.ctx.store.row(rid).type, doc)
        return f"{doc.get('name') or rid} is {state}"

    def job_result(self, state: str, job: str, body: Stored | None = None,
                   location: str | None = None, done_status: int = 200) -> Result:
        """200/201 when the Job already succeeded, else 202 (the Job tells the rest)."""
        headers = {"CIMI-Job-URI": job}
        if location:
            headers["Location"] = location
        if body is None:
            body = self.ctx.view(job)
        return Result(done_status if state == "SUCCESS" else 202, body, headers)

    def deleted(self, rid: str):
        """A Job's success step that removes the resource."""
        def ok(tx, _):
            tx.delete(rid)
            return f"{rid} deleted"
        return ok
