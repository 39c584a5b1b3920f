"""Machine lifecycle: create from a template, actions, capture, delete, volume insert/remove."""
from __future__ import annotations

from ..backends.base import DiskSpec, InterfaceSpec, MachineSpec, MigrationRefused
from ..catalogue import ACTION_NS, NS, STRUCTS, TYPES, VOLUME_ACTION_PARAMS
from ..errors import BadRequest, Conflict, NotFound
from ..request import RequestContext
from ..timeutil import now_iso
from .core import base_doc, new_id
from .credentials import hash_inline_password
from .infra import new_image
from .lifecycle import Lifecycle, LifecycleContext, mark, sub_row
from .result import Result, Stored
from .validate import check_fields, check_resource_uri, check_struct_required, require

MACHINE = TYPES["Machine"]
BUSY = ("CREATING", "DELETING", "STARTING", "STOPPING", "PAUSING", "SUSPENDING", "CAPTURING",
        "RESTORING", "MIGRATING")


class MachineLifecycle(Lifecycle):
    type_name = "Machine"

    def __init__(self, ctx: LifecycleContext):
        super().__init__(ctx)
        # Volumes being attached right now (by a create or an insert): not yet in a
        # locatedVolume row, but no longer free for another machine.
        self.attaching: set = set()

    # create ---------------------------------------------------------------------------------
    def _spec(self, fields: dict, req: RequestContext) -> tuple[MachineSpec, dict]:
        p = self.ctx
        tmpl, tmpl_rid = p.effective(fields["machineTemplate"], "MachineTemplate", req,
                                     "machineTemplate")
        if "machineConfig" not in tmpl:
            raise BadRequest("machineTemplate: missing mandatory attribute 'machineConfig'")
        if not isinstance(tmpl["machineConfig"], dict):
            raise BadRequest("machineTemplate.machineConfig: expected a reference or a value")
        cfg, cfg_rid = p.effective(tmpl["machineConfig"], "MachineConfiguration", req,
                                   "machineTemplate.machineConfig")
        require(cfg, TYPES["MachineConfiguration"], "machineTemplate.machineConfig")
        check_struct_required(cfg.get("disks"), "disk", "machineTemplate.machineConfig.disks")
        extra = {}
        image_location = None
        if tmpl.get("machineImage"):
            img_rid, img = p.resolve(tmpl["machineImage"], req, "MachineImage",
                                     "machineTemplate.machineImage")
            if img.get("state") != "AVAILABLE":
                raise Conflict(f"machine image {img_rid} is {img.get('state')}, not AVAILABLE")
            image_location = img.get("imageLocation")
            extra["machineImage"] = {"href": img_rid}
        credential = None
        if tmpl.get("credential"):
            cred, _ = p.effective(tmpl["credential"], "Credential", req,
                                  "machineTemplate.credential")
            hash_inline_password(cred)  # an inline (or overriding) password is honoured
            credential = {k: cred[k] for k in ("userName", "key", "_passwordHash") if k in cred}
        state = tmpl.get("initialState") or p.default_initial_state
        if state not in ("STARTED", "STOPPED"):
            raise BadRequest(f"initialState {state} cannot be reached by a new machine")
        if tmpl.get("volumeTemplates"):
            raise BadRequest("machineTemplate.volumeTemplates is not supported by this provider;"
                             " create the volume first and list it in 'volumes'")
        volumes = []
        for i, entry in enumerate(tmpl.get("volumes") or []):
            where = f"machineTemplate.volumes[{i}]"
            require(entry, STRUCTS["volumeRef"], where)
            vol_rid, vol = p.resolve(entry["volume"], req, "Volume", where + ".volume")
            if vol.get("state") != "AVAILABLE":
                raise Conflict(f"{where}: volume is {vol.get('state')}, not AVAILABLE")
            self.check_unattached(vol_rid)
            volumes.append((vol_rid, entry.get("initialLocation")))
        interfaces = []
        for i, entry in enumerate(tmpl.get("interfaceTemplates") or [{}]):
            net_rid = None
            if entry.get("network"):
                net_rid, _ = p.resolve(entry["network"], req, "Network",
                                       f"machineTemplate.interfaceTemplates[{i}].network")
            interfaces.append(InterfaceSpec(net_rid, entry.get("mtu")))
        meter_templates = [  # the Meters it gets when started (service/meters.py)
            p.resolve(ref, req, "MeterTemplate", f"machineTemplate.meterTemplates[{i}]")[0]
            for i, ref in enumerate(tmpl.get("meterTemplates") or [])]
        if meter_templates:
            extra["_meterTemplates"] = meter_templates
        rid = new_id("machines")
        spec = MachineSpec(
            id=rid, name=fields.get("name") or rid.rsplit("/", 1)[-1], cpu=cfg["cpu"],
            memory_kib=cfg["memory"], cpu_arch=cfg.get("cpuArch"),
            cpu_speed_mhz=cfg.get("cpuSpeed"),
            disks=[DiskSpec(d["capacity"], d.get("format"), d.get("initialLocation"))
                   for d in cfg.get("disks") or []],
            image_location=image_location, user_data=tmpl.get("userData"),
            interfaces=interfaces, volumes=volumes, credential=credential,
            properties=fields.get("properties") or {}, initial_state=state)
        if cfg_rid:
            extra["machineConfig"] = {"href": cfg_rid}
        return spec, extra

    def check_unattached(self, volume_rid: str) -> None:
        if volume_rid in self.attaching:
            raise Conflict(f"volume {volume_rid} is being attached to a machine")
        for located in self.ctx.store.list("locatedVolume"):
            if located.get("volume", {}).get("href") == volume_rid:
                raise Conflict(f"volume {volume_rid} is already attached to a machine")

    def new_machine(self, tx, spec: MachineSpec, fields: dict, extra: dict,
                    parent: str | None = None) -> dict:
        doc = base_doc(MACHINE, spec.id, fields)
        doc.update(state="CREATING", cpu=spec.cpu, memory=spec.memory_kib)
        if spec.cpu_arch:
            doc["cpuArch"] = spec.cpu_arch
        if spec.cpu_speed_mhz:
            doc["cpuSpeed"] = spec.cpu_speed_mhz
        doc.update(extra)
        tx.put(spec.id, "Machine", doc, parent=parent)
        for n, disk in enumerate(spec.disks, 1):
            fields_ = {"name": f"disk{n}", "capacity": disk.capacity_kb}
            if disk.format:
                fields_["format"] = disk.format
            if disk.initial_location:
                fields_["initialLocation"] = disk.initial_location
            sub_row(tx, "Disk", f"{spec.id}/disks/{n}", spec.id, fields_)
        return doc

    def created(self, tx, spec: MachineSpec, result) -> str:
        doc = tx.get(spec.id)
        doc["state"] = result.state
        if result.host:
            doc["host"] = result.host
        doc["updated"] = now_iso()
        tx.put(spec.id, "Machine", doc)
        for n, iface in enumerate(result.interfaces, 1):
            iid = f"{spec.id}/interfaces/{n}"
            fields = {"name": f"eth{n - 1}", "state": "ENABLED", "mtu": iface.mtu,
                      "macAddress": iface.mac_address}
            if iface.network_id:
                fields["network"] = {"href": iface.network_id}
            sub_row(tx, "NetworkInterface", iid, spec.id, fields)
            for m, ep in enumerate(iface.endpoints, 1):
                endpoint = {
                    "name": f"{fields['name']}-{ep.protocol.lower()}", "state": "ENABLED",
                    "protocol": ep.protocol, "address": ep.address, "origin": ep.origin,
                    "interface": {"href": iid}}
                if ep.port:  # reached through a forwarded port: the inventory's ansible_port
                    endpoint["properties"] = {"port": str(ep.port)}
                sub_row(tx, "ProtocolEndpoint", f"{iid}/endpoints/{m}", iid, endpoint)
        for n, (vol_rid, location) in enumerate(spec.volumes, 1):
            fields = {"volume": {"href": vol_rid}}
            if location:
                fields["initialLocation"] = location
            sub_row(tx, "locatedVolume", f"{spec.id}/volumes/{n}", spec.id, fields)
        return f"machine {spec.name} created ({result.state})"

    def failed(self, tx, rid: str, message: str) -> None:
        doc = tx.get(rid)
        if doc is not None:
            doc["state"] = "ERROR"
            doc["updated"] = now_iso()
            tx.put(rid, "Machine", doc)

    def work_create(self, spec: MachineSpec):
        async def work(progress):
            return await self.ctx.backend.create_machine(spec, progress)
        return work

    async def create(self, fields: dict, req: RequestContext) -> Result:
        spec, extra = self._spec(fields, req)
        with self.ctx.store.write() as tx:
            doc = self.new_machine(tx, spec, fields, extra)
            job = self.ctx.jobs.create(tx, "add", "machines", [spec.id])
        volumes = {vol for vol, _ in spec.volumes}
        self.attaching |= volumes

        def ok(tx, result):
            self.attaching -= volumes
            return self.created(tx, spec, result)

        def bad(tx, message):
            self.attaching -= volumes
            self.failed(tx, spec.id, message)

        state = await self.ctx.jobs.run(job, self.work_create(spec), ok, bad)
        body = (self.ctx.view(spec.id) if self.ctx.store.row(spec.id)
                else Stored(doc))
        return self.job_result(state, job, body, spec.id, done_status=201)

    # actions --------------------------------------------------------------------------------
    async def action(self, rid: str, doc: dict, name: str, fields: dict, req: RequestContext) -> Result:
        if name == "capture":
            return await self.capture(rid, doc, fields, req)
        if name == "migrate":
            return await self.migrate(rid, doc, fields)
        spec = MACHINE.actions[name]
        job, previous = self.begin(rid, spec.transitional, ACTION_NS + name)
        force = bool(fields.get("force", False))

        async def work(progress):
            return await self.ctx.backend.machine_action(rid, doc.get("name", ""), name,
                                                         force=force,
                                                         current_state=previous, progress=progress)

        state = await self.ctx.jobs.run(job, work, lambda tx, s: self.settle(tx, rid, s),
                                        lambda tx, m: self.settle(tx, rid, None))
        return self.job_result(state, job)

    async def migrate(self, rid: str, doc: dict, fields: dict) -> Result:
        """Provider-defined: move the machine to another backend host, keeping its state."""
        host = fields.get("host")
        if host is not None and (not isinstance(host, str) or not host):
            raise BadRequest("host must be the label of a backend host")
        try:
            target = self.ctx.backend.migration_target(rid, host)
        except MigrationRefused as exc:
            raise (BadRequest if exc.bad_request else Conflict)(str(exc)) from None
        spec = MACHINE.actions["migrate"]
        job, _ = self.begin(rid, spec.transitional, spec.uri)
        source = doc.get("host")

        async def work(progress):
            return await self.ctx.backend.migrate_machine(rid, target, progress,
                                                          name=doc.get("name", ""))

        def ok(tx, result):
            label, note = result
            machine = tx.get(rid)
            if machine is not None:
                machine["host"] = label
                tx.put(rid, "Machine", machine)
            self.settle(tx, rid, None)
            return f"{doc.get('name') or rid} moved from {source} to {label}{note}"

        state = await self.ctx.jobs.run(job, work, ok,
                                        lambda tx, m: self.settle(tx, rid, None))
        return self.job_result(state, job)

    async def capture(self, rid: str, doc: dict, fields: dict, req: RequestContext) -> Result:
        """``fields``: an Action's parameters, or a MachineImage sent to the capture URI
        (5.14.7.1), whose ``imageLocation``, if given, must be this machine."""
        location = fields.get("imageLocation")
        if location is not None and (not isinstance(location, str)
                                     or req.relative(location) != rid):
            raise BadRequest(f"imageLocation must be this machine ({rid}) or absent")
        image_fields = {k: fields[k] for k in ("name", "description", "properties")
                        if fields.get(k) is not None}
        image_rid = new_id("machineImages")
        with self.ctx.store.write() as tx:
            image = new_image(tx, image_rid, image_fields, rid, fields.get("type") or "IMAGE",
                              related=None)
            image["imageLocation"] = rid
            tx.put(image_rid, "MachineImage", image)
        job, _ = self.begin(rid, "CAPTURING", ACTION_NS + "capture", [image_rid])

        async def work(progress):
            return await self.ctx.backend.capture_machine(rid, image_rid, progress)

        def ok(tx, location):
            self.settle(tx, rid, None)
            mark(tx, image_rid, state="AVAILABLE", imageLocation=location)
            return f"captured into {image_rid}"

        def bad(tx, message):
            self.settle(tx, rid, None)
            mark(tx, image_rid, state="ERROR")

        state = await self.ctx.jobs.run(job, work, ok, bad)
        return self.job_result(state, job, self.ctx.view(image_rid), image_rid,
                          done_status=201)

    # delete ---------------------------------------------------------------------------------
    async def delete(self, rid: str, doc: dict, req: RequestContext) -> Result:
        job, _ = self.begin(rid, "DELETING", "delete")
        state = await self.ctx.jobs.run(job, self.work_delete(rid), self.deleted(rid),
                                        lambda tx, m: self.settle(tx, rid, None))
        return self.job_result(state, job, None)

    def work_delete(self, rid):
        async def work(progress):
            await self.ctx.backend.delete_machine(rid, progress)
        return work

    def deleted(self, rid):
        def ok(tx, _result):
            self.ctx.remove_tree(tx, rid)
            return f"{rid} deleted"
        return ok

    # volumes sub-collection -----------------------------------------------------------------
    async def insert(self, rid: str, attr: str, body: dict, req: RequestContext) -> Result:
        """Attach (insert) or detach (remove) a Volume: ``attr`` is "volumes", the only
        sub-collection of references a Machine has."""
        doc = self.ctx.load(rid, "Machine")
        v1_item = MACHINE.subcollection(attr).v1_item
        added = check_resource_uri(body, NS + "/Action", f"{NS}/{v1_item}") == v1_item
        params = {a.name: a for a in VOLUME_ACTION_PARAMS}
        fields = check_fields(body, params, "", mode="create")
        verb = "insert" if added else str(fields.get("action") or "").rsplit("/", 1)[-1]
        if added and fields.get("action") is not None:
            raise BadRequest(f"a {v1_item} has no 'action'")
        if verb not in ("insert", "remove"):
            raise BadRequest(f"action must be {ACTION_NS}insert or {ACTION_NS}remove")
        if not fields.get("volume"):
            raise BadRequest("missing mandatory attribute 'volume'")
        self.check_volumes_changeable(doc)
        vol_rid, vol = self.ctx.resolve(fields["volume"], req, "Volume", "volume")
        located = [r for r in self.ctx.store.children(rid) if r.type == "locatedVolume"
                   and r.doc.get("volume", {}).get("href") == vol_rid]
        if verb == "insert":
            if vol.get("state") != "AVAILABLE":
                raise Conflict(f"volume is {vol.get('state')}, not AVAILABLE")
            self.check_unattached(vol_rid)
            with self.ctx.store.write() as tx:
                serial = tx.counter(f"{rid}/volumes")
                job = self.ctx.jobs.create(tx, ACTION_NS + "insert", f"{rid}/volumes", [vol_rid])
            entry_id = f"{rid}/volumes/v{serial}"
            location = fields.get("initialLocation")

            async def work(progress):
                await self.ctx.backend.attach_volume(rid, vol_rid, location, progress)

            def ok(tx, _):
                self.attaching.discard(vol_rid)
                entry = {"volume": {"href": vol_rid}}
                if location:
                    entry["initialLocation"] = location
                sub_row(tx, "locatedVolume", entry_id, rid, entry)
                return f"{vol_rid} attached"

            def bad(tx, message):
                self.attaching.discard(vol_rid)

            self.attaching.add(vol_rid)
            state = await self.ctx.jobs.run(job, work, ok, bad)
            if added:  # a 1.x add made a resource: 201 (202 while it runs) with its Location
                return self.job_result(state, job, None, entry_id, done_status=201)
            return self.job_result(state, job, None, None)
        if not located:
            raise Conflict(f"volume {vol_rid} is not attached to this machine")
        return await self.detach(rid, vol_rid, located[0].id)

    @staticmethod
    def check_volumes_changeable(doc: dict) -> None:
        if doc["state"] in BUSY or doc["state"] in ("ERROR", "FAILED"):
            raise Conflict(f"volumes cannot be changed while the machine is {doc['state']}")

    async def detach(self, rid: str, vol_rid: str, entry_id: str) -> Result:
        """Detach the volume that the locatedVolume ``entry_id`` of machine ``rid`` holds."""
        with self.ctx.store.write() as tx:
            job = self.ctx.jobs.create(tx, ACTION_NS + "remove", f"{rid}/volumes", [vol_rid])

        async def detach(progress):
            await self.ctx.backend.detach_volume(rid, vol_rid, progress)

        def removed(tx, _):
            tx.delete(entry_id)
            return f"{vol_rid} detached"

        state = await self.ctx.jobs.run(job, detach, removed, lambda tx, m: None)
        return self.job_result(state, job, None)

    def find_located(self, rid: str) -> list:
        try:
            return [r.doc for r in self.ctx.store.children(rid) if r.type == "locatedVolume"]
        except KeyError:
            raise NotFound(rid) from None


class LocatedVolumeLifecycle(Lifecycle):
    """Deleting a Machine's volumes entry detaches its Volume: how 1.x removed the MachineVolume
    it added (2.0 clients send ``remove`` to the collection; both work)."""
    type_name = "locatedVolume"

    def __init__(self, ctx: LifecycleContext, machines: MachineLifecycle):
        super().__init__(ctx)
        self.machines = machines

    async def delete(self, rid: str, doc: dict, req: RequestContext) -> Result:
        machine = self.ctx.store.row(rid).parent
        self.machines.check_volumes_changeable(self.ctx.load(machine, "Machine"))
        return await self.machines.detach(machine, doc["volume"]["href"], rid)
