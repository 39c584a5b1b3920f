"""System lifecycle: create from a SystemTemplate, component actions with nested jobs, delete.

A System's state is derived from its Machines when it is not CREATING, DELETING or ERROR:
the common state when they all agree, else MIXED (also MIXED with no Machines) (Table 9).
"""
from __future__ import annotations

import asyncio

from ..catalogue import ACTION_NS, NS, STRUCTS, TYPES
from ..errors import BadRequest, Conflict
from ..request import RequestContext
from ..timeutil import now_iso
from .core import base_doc, new_id
from .jobs import JobFailed
from .lifecycle import Lifecycle, LifecycleContext, mark
from .result import Result
from .validate import require

SYSTEM = TYPES["System"]
KINDS = {NS + "/Machine": ("Machine", "machineTemplate"),
         NS + "/Volume": ("Volume", "volumeTemplate"),
         NS + "/Network": ("Network", "networkTemplate")}
# Networks first so machines can use them, machines last; deletion in the reverse order.
CREATE_ORDER = {"Network": 0, "Volume": 1, "Machine": 2}


class SystemLifecycle(Lifecycle):
    type_name = "System"
    derived = True  # the state derives from the Machines: rendered afresh every time
    importer = None  # ovf_import.OvfImport: SystemCollection import (set by the server)
    exporter = None  # ovf_export.OvfExport: System export (set by the server)

    def __init__(self, ctx: LifecycleContext, machines, volumes, networks):
        super().__init__(ctx)
        self.machines, self.volumes, self.networks = machines, volumes, networks
        self.kinds = {"Machine": machines, "Volume": volumes, "Network": networks}

    # state ----------------------------------------------------------------------------------
    def components(self, rid: str) -> list:
        return [r for r in self.ctx.store.children(rid) if r.type in self.kinds]

    def derived_state(self, doc: dict) -> str:
        if doc.get("state") in ("CREATING", "DELETING", "ERROR"):
            return doc["state"]
        states = {r.doc.get("state") for r in self.components(doc["id"]) if r.type == "Machine"}
        return states.pop() if len(states) == 1 else "MIXED"

    def decorate(self, doc: dict) -> dict:
        doc["state"] = self.derived_state(doc)
        return doc

    def targets(self, rid: str, name: str) -> list:
        out = []
        for row in self.components(rid):
            rtype = TYPES[row.type]
            if name in rtype.actions and row.doc.get("state") in rtype.actions[name].allowed_from:
                out.append(row)
        return out

    def available(self, rtype, doc: dict, name: str) -> bool:
        if name == "export":  # the System's own operation: every machine stopped
            return self.exporter is not None and self.derived_state(doc) in rtype.actions[
                name].allowed_from
        if self.derived_state(doc) in ("CREATING", "DELETING"):
            return False
        return bool(self.targets(doc["id"], name))

    # create ---------------------------------------------------------------------------------
    def plan(self, tmpl: dict, req: RequestContext) -> list:
        planned = []
        for i, desc in enumerate(tmpl.get("componentDescriptors") or []):
            where = f"systemTemplate.componentDescriptors[{i}]"
            require(desc, STRUCTS["componentDescriptor"], where)
            if desc["type"] not in KINDS:
                raise BadRequest(f"{where}.type: unsupported component type {desc['type']}")
            kind, tmpl_attr = KINDS[desc["type"]]
            if not isinstance(desc.get(tmpl_attr), dict):
                raise BadRequest(f"{where}: a {kind} component needs '{tmpl_attr}'")
            quantity = desc.get("quantity") or 1
            for n in range(1, quantity + 1):
                name = desc["name"] if quantity == 1 else f"{desc['name']}{n}"
                fields = {"name": name, tmpl_attr: desc[tmpl_attr]}
                for key in ("description", "properties"):
                    if desc.get(key) is not None:
                        fields[key] = desc[key]
                planned.append((kind, fields))
        planned.sort(key=lambda item: CREATE_ORDER[item[0]])
        return planned

    async def create(self, fields: dict, req: RequestContext) -> Result:
        tmpl, tmpl_rid = self.ctx.effective(fields["systemTemplate"], "SystemTemplate", req,
                                            "systemTemplate")
        planned = self.plan(tmpl, req)
        machines, volumes, networks = self.machines, self.volumes, self.networks
        rid = new_id("systems")
        prepared = []
        for kind, cfields in planned:
            if kind == "Machine":
                spec, extra = machines._spec(cfields, req)
                prepared.append((kind, spec.id, cfields, (spec, extra)))
            elif kind == "Volume":
                vid = new_id("volumes")
                prepared.append((kind, vid, cfields, volumes.spec(cfields, req, vid)))
            else:
                prepared.append((kind, new_id("networks"), cfields,
                                 networks.plan(cfields, req)))
        with self.ctx.store.write() as tx:
            doc = base_doc(SYSTEM, rid, fields)
            doc["state"] = "CREATING"
            if tmpl_rid:
                doc["systemTemplate"] = {"href": tmpl_rid}
            tx.put(rid, "System", doc)
            parent = self.ctx.jobs.create(tx, "add", "systems", [rid])
            children = []
            for kind, cid, cfields, extra in prepared:
                if kind == "Machine":
                    machines.new_machine(tx, extra[0], cfields, extra[1], parent=rid)
                elif kind == "Volume":
                    volumes.new_volume(tx, extra[0], cfields, extra[1], parent=rid)
                else:
                    networks.new_network(tx, cid, cfields, extra, parent=rid)
                children.append(self.ctx.jobs.create(tx, "add", TYPES[kind].path, [cid],
                                                     parent=parent))

        def runner(kind, cid, cfields, extra, job):
            if kind == "Machine":
                spec = extra[0]
                return self.ctx.jobs.execute(job, machines.work_create(spec),
                                             lambda tx, r: machines.created(tx, spec, r),
                                             lambda tx, m: machines.failed(tx, cid, m))
            if kind == "Volume":
                return self.ctx.jobs.execute(job, volumes.work_create(extra[0]),
                                             lambda tx, r: volumes.created(tx, cid, r),
                                             lambda tx, m: mark(tx, cid, state="ERROR"))
            return self.ctx.jobs.execute(
                job, networks.work_create(cid, cfields["name"], *extra),
                lambda tx, s: mark(tx, cid, state=s),
                lambda tx, m: mark(tx, cid, state="ERROR"))

        async def work(progress):
            # Networks and volumes before the machines that may use them.
            states = []
            for stage in (("Network", "Volume"), ("Machine",)):
                batch = [runner(*item, job) for item, job in zip(prepared, children)
                         if item[0] in stage]
                states += await asyncio.gather(*batch)
            self.nested_outcome(states)

        def ok(tx, _):
            self._set_state(tx, rid, "STARTED")
            return f"system created with {len(prepared)} components"

        state = await self.ctx.jobs.run(parent, work, ok,
                                        lambda tx, m: self._set_state(tx, rid, "ERROR"))
        return self.job_result(state, parent, self.ctx.view(rid), rid, 201)

    @staticmethod
    def nested_outcome(states: list) -> None:
        failed = [s for s in states if s != "SUCCESS"]
        if failed:
            raise JobFailed(f"{len(failed)} of {len(states)} nested jobs did not succeed")

    def _set_state(self, tx, rid: str, state: str) -> None:
        doc = tx.get(rid)
        if doc is not None:
            doc["state"] = state  # STARTED stands for "derived from the machines" once created
            doc.pop("_previousState", None)
            doc["updated"] = now_iso()
            tx.put(rid, "System", doc)

    async def collection_action(self, name: str, fields: dict, req: RequestContext) -> Result:
        if name == "import" and self.importer is not None:
            return await self.importer.run(fields, req)
        return await super().collection_action(name, fields, req)

    # actions --------------------------------------------------------------------------------
    @staticmethod
    def ordered(doc: dict, name: str, rows: list) -> list | None:
        """The components in the System's start order (an imported OVF StartupSection), reversed
        for stop, pause and suspend; None when the System has no order (all run at once)."""
        order = doc.get("_startOrder")
        if not order:
            return None
        rank = {rid: i for i, rid in enumerate(order)}
        starting = name in ("start", "restart")
        # networks are up before the first machine starts and go down after the last stops
        key = (lambda r: (r.type != "Network", rank.get(r.id, len(rank)))) if starting else \
            (lambda r: (r.type == "Network", -rank.get(r.id, -1)))
        return sorted(rows, key=key)

    async def action(self, rid: str, doc: dict, name: str, fields: dict, req: RequestContext) -> Result:
        if name == "export":
            return await self.exporter.run(rid, doc, fields, req)
        targets = self.targets(rid, name)
        ordered = self.ordered(doc, name, targets)
        targets = ordered if ordered is not None else targets
        if not targets:
            raise Conflict(f"no component of the system can {name} now")
        with self.ctx.store.write() as tx:
            parent = self.ctx.jobs.create(tx, ACTION_NS + name, rid, [r.id for r in targets])
        calls = []
        for row in targets:
            spec = TYPES[row.type].actions[name]
            job, previous = self.begin(row.id, spec.transitional, ACTION_NS + name)
            with self.ctx.store.write() as tx:
                parent_doc = tx.get(parent)
                parent_doc.setdefault("nestedJobs", []).append({"href": job})
                tx.put(parent, "Job", parent_doc)
                child = tx.get(job)
                child["parentJob"] = {"href": parent}
                tx.put(job, "Job", child, parent=parent)
            calls.append((row, job, previous))
        force = bool(fields.get("force", False))

        def one(row, job, previous):
            settle = self.settle
            if row.type == "Machine":
                async def work(progress, row=row, previous=previous):
                    return await self.ctx.backend.machine_action(
                        row.id, row.doc.get("name", ""), name, force=force,
                        current_state=previous, progress=progress)
            else:
                async def work(progress, row=row):
                    return await self.ctx.backend.network_action(row.id, name, progress)
            return self.ctx.jobs.execute(job, work, lambda tx, s: settle(tx, row.id, s),
                                         lambda tx, m: settle(tx, row.id, None))

        async def work(progress):
            if ordered is not None:  # one after the other, each finished before the next
                self.nested_outcome([await one(*c) for c in calls])
            else:
                self.nested_outcome(await asyncio.gather(*(one(*c) for c in calls)))

        state = await self.ctx.jobs.run(parent, work, lambda tx, _: f"{name} done on {len(calls)}",
                                        lambda tx, m: None)
        return self.job_result(state, parent)

    # delete ---------------------------------------------------------------------------------
    async def delete(self, rid: str, doc: dict, req: RequestContext) -> Result:
        comps = sorted(self.components(rid), key=lambda r: -CREATE_ORDER[r.type])
        for row in comps:
            rtype = TYPES[row.type]
            if rtype.delete_from is not None and row.doc.get("state") not in rtype.delete_from:
                raise Conflict(f"component {row.id} is {row.doc.get('state')}; cannot delete now")
        begin = self.begin
        parent, _ = begin(rid, "DELETING", "delete", [r.id for r in comps])
        calls = []
        for row in comps:
            job, _ = begin(row.id, "DELETING", "delete")
            with self.ctx.store.write() as tx:
                parent_doc = tx.get(parent)
                parent_doc.setdefault("nestedJobs", []).append({"href": job})
                tx.put(parent, "Job", parent_doc)
            calls.append((row, job))

        def one(row, job):
            life = self.kinds[row.type]
            return self.ctx.jobs.execute(job, life.work_delete(row.id), life.deleted(row.id),
                                         lambda tx, m: self.settle(tx, row.id, None))

        async def work(progress):
            states = []
            for stage in (("Machine",), ("Volume", "Network")):
                states += await asyncio.gather(*(one(r, j) for r, j in calls if r.type in stage))
            self.nested_outcome(states)

        def ok(tx, _):
            tx.delete(rid)
            return f"{rid} deleted"

        state = await self.ctx.jobs.run(parent, work, ok,
                                        lambda tx, m: self._set_state(tx, rid, "ERROR"))
        return self.job_result(state, parent, None)
