"""The provider core: generic create/read/update/delete/action over the catalogue.

Requests are validated here against the catalogue, then handed to the ``Lifecycle`` of the
resource's type (``lifecycle.py``): types whose work happens in the backend (Machine, Volume,
Network, System, MachineImage, Job) subclass it (``machines.py``, ``infra.py``, ``systems.py``);
every other type gets the base class, which stores it from the catalogue alone. ``Provider`` is
the ``LifecycleContext`` each lifecycle receives.
"""
from __future__ import annotations

import uuid

from ..catalogue import NS, TYPES, Attr, ResourceType
from .. import tenancy
from ..errors import BadRequest, Conflict, Forbidden, MethodNotAllowed, NotFound
from ..request import RequestContext
from ..timeutil import now_iso
from .jobs import JobRunner
from .lifecycle import Lifecycle
from .result import Result, Stored
from .validate import check_body, check_fields, check_resource_uri, require

COMMON_WRITABLE = ("name", "description", "properties")


def new_id(path: str) -> str:
    return f"{path}/{uuid.uuid4().hex[:16]}"


def base_doc(rtype: ResourceType, rid: str, fields: dict) -> dict:
    now = now_iso()
    doc = {"resourceURI": rtype.uri, "id": rid}
    for key in COMMON_WRITABLE:
        if fields.get(key) is not None:
            doc[key] = fields[key]
    doc["created"] = now
    doc["updated"] = now
    return doc


class Provider:
    def __init__(self, store, backend, default_initial_state: str = "STOPPED"):
        self.store = store
        self.backend = backend
        self.jobs = JobRunner(store, backend.synchronous)
        self.default_initial_state = default_initial_state
        self._lifecycles = {name: Lifecycle(self, name) for name in TYPES}

    def install(self, *lifecycles: Lifecycle) -> None:
        """Serve each lifecycle's type with it (the others keep the plain base class)."""
        for lifecycle in lifecycles:
            self._lifecycles[lifecycle.type_name] = lifecycle

    def lifecycle(self, type_name: str) -> Lifecycle:
        return self._lifecycles[type_name]

    # ownership (tenancy.py) -----------------------------------------------------------------
    def visible_row(self, rid: str):
        """The row at ``rid`` if the current principal may see it, else None (as if absent)."""
        row = self.store.row(rid)
        return row if row is not None and tenancy.current.get().sees(row) else None

    @staticmethod
    def check_change(row) -> None:
        """403 unless the current principal may change ``row`` (which it can see)."""
        if not tenancy.current.get().changes(row):
            raise Forbidden(f"{row.id} is read-only for you")

    # references -----------------------------------------------------------------------------
    def resolve(self, ref: dict, req: RequestContext, types, path: str) -> tuple[str, dict]:
        """Resolve a reference to an existing resource of one of ``types`` (400 otherwise)."""
        types = (types,) if isinstance(types, str) else tuple(types)
        rid = req.relative(ref["href"])
        row = self.visible_row(rid)
        if row is None or (types and row.type not in types):
            raise BadRequest(f"{path}: '{ref['href']}' is not an existing {' or '.join(types)}")
        return rid, row.doc

    def effective(self, value: dict, type_name: str, req: RequestContext, path: str) -> tuple[dict, str | None]:
        """A by-value or by-reference (with overrides; null erases) value of ``type_name``."""
        if "href" in value:
            rid, doc = self.resolve({"href": value["href"]}, req, type_name, path)
            # Internal keys stay behind, except a credential's password hash, which travels
            # from a template to the credentials (and machines) made from it.
            merged = {k: v for k, v in doc.items()
                      if not k.startswith("_") or k == "_passwordHash"}
            for key, override in value.items():
                if key == "href":
                    continue
                if override is None:
                    merged.pop(key, None)
                else:
                    merged[key] = override
            return merged, rid
        return {k: v for k, v in value.items() if v is not None}, None

    def store_refs(self, value, req: RequestContext, path: str):
        """Normalise every {href} in a consumer value to a relative, existing reference."""
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key == "href" and isinstance(item, str):
                    rid = req.relative(item)
                    if self.visible_row(rid) is None:
                        raise BadRequest(f"{path}: '{item}' does not exist")
                    out[key] = rid
                else:
                    out[key] = self.store_refs(item, req, path)
            return out
        if isinstance(value, list):
            return [self.store_refs(v, req, path) for v in value]
        return value

    # reads ----------------------------------------------------------------------------------
    def load(self, rid: str, type_name: str | None = None) -> dict:
        row = self.store.row(rid)
        if row is None or (type_name and row.type != type_name):
            raise NotFound(f"{rid} not found")
        return row.doc

    def type_of(self, rid: str) -> ResourceType:
        row = self.store.row(rid)
        if row is None:
            raise NotFound(f"{rid} not found")
        return TYPES[row.type]

    def view(self, rid: str) -> Stored:
        """The resource at ``rid`` as it is now, to be rendered for the consumer."""
        row = self.store.row(rid)
        if row is None:
            raise NotFound(f"{rid} not found")
        return Stored(row.doc, TYPES[row.type], self._lifecycles[row.type])

    # create ---------------------------------------------------------------------------------
    async def create(self, rtype: ResourceType, body: dict, req: RequestContext) -> Result:
        if rtype.create == "none":
            raise MethodNotAllowed(f"{rtype.name} resources cannot be created by consumers")
        lifecycle = self._lifecycles[rtype.name]
        if rtype.create == "template":
            extra = {rtype.template_attr: Attr(rtype.template_attr,
                                               f"refval:{rtype.template_type}", writable=True)}
            common = {a.name: a for a in rtype.all_attrs if a.name in COMMON_WRITABLE}
            fields = check_fields(body, common, "", mode="create", extra=extra,
                                  message=rtype.create_messages)
            template_type = TYPES[rtype.template_type]
            if fields.get(rtype.template_attr) is None and not any(
                    a.mandatory for a in template_type.attrs):
                fields[rtype.template_attr] = {}  # an empty template: every default applies
            if not isinstance(fields.get(rtype.template_attr), dict):
                raise BadRequest(f"missing mandatory attribute '{rtype.template_attr}'")
            return await lifecycle.create(fields, req)
        fields = check_body(body, rtype, message=rtype.create_messages)
        return await lifecycle.create(fields, req)

    def create_plain(self, rtype: ResourceType, fields: dict, req: RequestContext,
                     rid: str | None = None) -> Result:
        fields = {k: v for k, v in fields.items() if v is not None}
        require(fields, rtype)
        rid = rid or new_id(rtype.path)
        doc = base_doc(rtype, rid, fields)
        for attr in rtype.attrs:
            if attr.name in fields:
                doc[attr.name] = self.store_refs(fields[attr.name], req, attr.name)
        lifecycle = self._lifecycles[rtype.name]
        lifecycle.prepare_plain(doc)
        with self.store.write() as tx:
            tx.put(rid, rtype.name, doc)
            job = self.jobs.create(tx, "add", rtype.path, [rid], done=True)
        return Result(201, Stored(doc, rtype, lifecycle),
                      {"Location": rid, "CIMI-Job-URI": job})

    # update ---------------------------------------------------------------------------------
    def update(self, rid: str, body: dict, select: list | None, req: RequestContext) -> Result:
        rtype = self.type_of(rid)
        if not rtype.updatable:
            raise MethodNotAllowed(f"{rtype.name} resources cannot be updated")
        fields = check_body(body, rtype, mode="update", message=rtype.uri)
        doc = self.load(rid)
        mutable = [a for a in rtype.all_attrs if a.mutable]
        if select and "*" not in select:
            chosen = set(select)
            for key in fields:
                if key not in chosen:
                    raise BadRequest(f"'{key}' is in the body but not in $select (4.2.1.3.1)")
            targets = [a for a in mutable if a.name in chosen]
        else:
            targets = mutable
        if doc.get("state") in ("CREATING", "DELETING"):
            raise Conflict(f"{rtype.name} is {doc['state']}; it cannot be updated now")
        for attr in targets:
            value = fields.get(attr.name)
            if value is None:
                if attr.write_only and attr.name not in fields:
                    continue  # an omitted secret keeps its value; it is never shown to echo back
                doc.pop(attr.name, None)  # absent in a PUT means remove (5.5)
            else:
                doc[attr.name] = self.store_refs(value, req, attr.name)
        require({k: v for k, v in doc.items()}, [a for a in rtype.attrs if a.mandatory])
        lifecycle = self._lifecycles[rtype.name]
        lifecycle.prepare_plain(doc)
        doc["updated"] = now_iso()
        row = self.store.row(rid)
        with self.store.write() as tx:
            tx.put(rid, rtype.name, doc, parent=row.parent)
            job = self.jobs.create(tx, "edit", rid, done=True)
        return Result(200, Stored(doc, rtype, lifecycle), {"CIMI-Job-URI": job})

    # delete ---------------------------------------------------------------------------------
    async def delete(self, rid: str, req: RequestContext) -> Result:
        rtype = self.type_of(rid)
        if not rtype.deletable:
            raise MethodNotAllowed(f"{rtype.name} resources cannot be deleted")
        doc = self.load(rid)
        if rtype.delete_from is not None and doc.get("state") not in rtype.delete_from:
            raise Conflict(f"{rtype.name} cannot be deleted in state {doc.get('state')}")
        lifecycle = self._lifecycles[rtype.name]
        lifecycle.check_delete(rid)
        return await lifecycle.delete(rid, doc, req)

    def delete_plain(self, rid: str) -> Result:
        """Delete a resource that has no backend work, with its sub-resources."""
        with self.store.write() as tx:
            self.remove_tree(tx, rid)
            job = self.jobs.create(tx, "delete", rid, done=True)
        return self.deleted(job)

    def deleted(self, job: str) -> Result:
        """A delete done synchronously: 200 (4.2.1.4) with the completed Job as the body, the
        same shape as the 202 of an asynchronous delete."""
        return Result(200, self.view(job), {"CIMI-Job-URI": job})

    def remove_tree(self, tx, rid: str) -> None:
        """Delete a resource and its sub-resources (5.10.2): the children without a collection
        of their own (a System's Machines are deleted through their own Jobs)."""
        for child in self.store.children(rid):
            if TYPES[child.type].path is None:
                self.remove_tree(tx, child.id)
        tx.delete(rid)

    # actions --------------------------------------------------------------------------------
    async def action(self, rid: str, name: str, body: dict, req: RequestContext) -> Result:
        rtype = self.type_of(rid)
        spec = rtype.actions.get(name)
        if spec is None:
            raise NotFound(f"{rid}/{name} not found")
        body_type = check_resource_uri(body, NS + "/Action",
                                       *(f"{NS}/{other}" for other in spec.bodies))
        if body_type in spec.bodies:  # e.g. a MachineImage sent to a Machine's capture URI
            fields = check_body(body, TYPES[body_type])
        else:
            fields = self.action_fields(spec, body)
        doc = self.load(rid)
        lifecycle = self._lifecycles[rtype.name]
        if not lifecycle.available(rtype, doc, name):
            raise Conflict(f"{name} is not available for a {rtype.name} in state {doc.get('state')}")
        return await lifecycle.action(rid, doc, name, fields, req)

    @staticmethod
    def action_fields(spec, body: dict) -> dict:
        """The checked parameters of an Action body for ``spec``."""
        action_uri = body.get("action")
        if action_uri is not None and (not isinstance(action_uri, str)
                                       or action_uri.rsplit("/", 1)[-1] != spec.name):
            raise BadRequest(f"action must be {spec.uri}")
        params = {a.name: a for a in spec.parameters}
        params["properties"] = Attr("properties", "map", writable=True)
        params["action"] = Attr("action", "URI", writable=True)
        return check_fields(body, params, "", mode="create")
