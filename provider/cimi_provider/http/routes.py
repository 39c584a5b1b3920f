"""The CIMI route table: each request path resolves once into a ``Target``.

Paths under ``/cimi/`` are the resources' relative ids, so the shape of a path says little; what
it names is found from the catalogue and the store: the Cloud Entry Point, a top-level
collection (``machines``), a sub-collection (``machines/<id>/disks``), a ResourceMetadata entry,
a resource (``machines/<id>``, ``machines/<id>/disks/1``) or an action on one
(``machines/<id>/start``). ``resolve`` does that once per request; the dispatcher (``app.py``)
picks the endpoint from ``RULES`` (``ROUTES`` by kind and method) and the audit trail (``audit/events.py``) names its target from
the same ``Target``.

Resolution reads the store without tenancy (the audit names the target of a refused request
too); the dispatcher answers 404 for a target row the principal may not see, as if it did not
exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..catalogue import TOP_LEVEL, TYPES
from ..errors import MethodNotAllowed

CEP_PATHS = ("", "cloudEntryPoint")
CRUD_OPS = {"GET": "read", "POST": "create", "PUT": "update", "PATCH": "update",
            "DELETE": "delete"}


@dataclass(frozen=True, kw_only=True)
class Target:
    """What one request acts on. ``kind`` picks the route; ``path`` is the request's relative
    path; ``row`` is the stored row at ``path`` (for an action or a sub-collection: its
    resource's row). ``id``, ``type_name`` and ``name`` name the resource the operation ``op``
    (read/create/update/delete or a CIMI operation: an action, attach, detach) acts on."""
    # cep | collection | subcollection | references (a sub-collection of references that takes
    # insert/remove, 5.11.6) | metadata | resource | action | collection_action (an operation
    # on a top-level collection: ``systems/import``) | unknown
    kind: str
    path: str
    row: object = field(default=None, compare=False)
    id: str
    op: str
    type_name: str | None = None
    name: str | None = None

    @property
    def is_operation(self) -> bool:
        return self.op not in CRUD_OPS.values()

    @property
    def creates(self) -> bool:
        return (self.op == "create" and self.kind in ("collection", "subcollection", "references")
                or self.kind == "collection_action")


@dataclass(frozen=True)
class Rule:
    """``method`` on a ``kind`` of target goes to the dispatcher's ``endpoint`` when ``when``
    holds for the target (else 405). ``changes``: the principal must be allowed to change the
    target's row, checked before ``when`` (a read-only principal gets 403, not 405)."""
    kind: str
    method: str
    endpoint: str
    when: Callable[[Target], bool] = lambda target: True
    changes: bool = False


def _rtype(target: Target):
    return TYPES[target.row.type]


ROUTES = (
    Rule("cep", "GET", "read_cep"),
    Rule("cep", "PUT", "update_cep"),
    Rule("collection", "GET", "list"),
    Rule("collection", "POST", "create", when=lambda t: TOP_LEVEL[t.path].create != "none"),
    Rule("subcollection", "GET", "list"),
    Rule("references", "GET", "list"),
    Rule("references", "POST", "insert", changes=True),
    Rule("metadata", "GET", "read"),
    Rule("resource", "GET", "read"),
    Rule("resource", "PUT", "update", when=lambda t: _rtype(t).updatable, changes=True),
    Rule("resource", "DELETE", "delete", when=lambda t: _rtype(t).deletable, changes=True),
    Rule("action", "POST", "action", changes=True),
    Rule("collection_action", "POST", "collection_action"),
)
RULES = {(rule.kind, rule.method): rule for rule in ROUTES}  # HEAD is served as GET


def allowed(target: Target) -> str:
    """The Allow header of a target: the methods whose rule applies to it (GET implies HEAD)."""
    out = []
    for rule in ROUTES:
        if rule.kind == target.kind and rule.when(target):
            out += ["GET", "HEAD"] if rule.method == "GET" else [rule.method]
    return ", ".join(out)


def not_allowed(target: Target) -> MethodNotAllowed:
    methods = allowed(target)
    return MethodNotAllowed(f"method not allowed here; allowed: {methods}",
                            headers={"Allow": methods})


def _name(row) -> str | None:
    return row.doc.get("name") if row is not None else None


def resolve(method: str, path: str, row_at: Callable, metadata) -> Target:
    """The target of ``method`` on ``path`` (relative to /cimi/). ``row_at(rid)`` reads a row;
    ``metadata`` holds the ResourceMetadata ids."""
    crud = CRUD_OPS.get("GET" if method == "HEAD" else method, "update")
    if path in CEP_PATHS:
        return Target(kind="cep", path=path, id="cloudEntryPoint", op=crud,
                      type_name="CloudEntryPoint")
    top = TOP_LEVEL.get(path)
    if top is not None:
        return Target(kind="collection", path=path, id=path, op=crud, type_name=top.name)
    parent, _, last = path.rpartition("/")
    if parent in TOP_LEVEL and last in TOP_LEVEL[parent].collection_actions:
        return Target(kind="collection_action", path=path, id=parent, op=last,
                      type_name=TOP_LEVEL[parent].name)
    prow = row_at(parent) if parent else None
    sub = TYPES[prow.type].subcollection(last) if prow is not None else None
    if sub is not None:
        kind = "references" if sub.insert else "subcollection"
        if sub.insert and method == "POST":
            return Target(kind=kind, path=path, row=prow, id=parent, op="attach",
                          type_name=prow.type, name=_name(prow))
        return Target(kind=kind, path=path, row=prow, id=path, op=crud)
    if path in metadata:
        return Target(kind="metadata", path=path, id=path, op=crud, type_name="ResourceMetadata")
    row = row_at(path)
    if row is not None and row.type != "CloudEntryPoint":
        if row.type == "locatedVolume" and method == "DELETE":
            machine = path.split("/volumes/", 1)[0]
            return Target(kind="resource", path=path, row=row, id=machine, op="detach",
                          type_name="Machine", name=_name(row_at(machine)))
        return Target(kind="resource", path=path, row=row, id=path, op=crud, type_name=row.type,
                      name=_name(row))
    if prow is not None and last in TYPES[prow.type].actions:
        return Target(kind="action", path=path, row=prow, id=parent, op=last, type_name=prow.type,
                      name=_name(prow))
    first = TOP_LEVEL.get(path.split("/", 1)[0])
    return Target(kind="unknown", path=path, id=path, op=crud,
                  type_name=first.name if first else None)
