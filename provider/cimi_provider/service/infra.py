"""Lifecycles of Volume, Network, Machine/VolumeImage, MachineTemplate, Credential(+Template), Job."""
from __future__ import annotations

import ipaddress

from ..backends.base import VolumeSpec
from ..catalogue import ACTION_NS, TYPES
from ..request import RequestContext
from ..errors import BadRequest, Conflict
from ..imports import ImportRefused
from .core import base_doc, new_id
from .credentials import hash_inline_password
from .lifecycle import Lifecycle, LifecycleContext, mark
from .result import Result
from .validate import require


def check_image_location(provider: LifecycleContext, location) -> None:
    """400 for an image location no import can ever accept (the same rule every backend applies
    again when it imports; the message never depends on the file system)."""
    try:
        provider.backend.import_policy.check(location)
    except ImportRefused as exc:
        raise BadRequest(str(exc)) from None


def new_image(tx, rid, fields, location, image_type, related=None) -> dict:
    """A MachineImage row in CREATING (registered, or captured from a machine)."""
    doc = base_doc(TYPES["MachineImage"], rid, fields)
    doc.update(state="CREATING", type=image_type, imageLocation=location)
    if related:
        doc["relatedImage"] = {"href": related}
    tx.put(rid, "MachineImage", doc)
    return doc


class VolumeLifecycle(Lifecycle):
    type_name = "Volume"

    def __init__(self, ctx: LifecycleContext, machines):
        super().__init__(ctx)
        self.machines = machines  # a MachineLifecycle: it knows the volumes being attached

    def check_delete(self, rid: str) -> None:
        if rid in self.machines.attaching:
            raise Conflict("the volume is being attached to a machine")
        for row in self.ctx.store.list("locatedVolume"):
            if row.get("volume", {}).get("href") == rid:
                raise Conflict("the volume is attached to a machine; detach it first")

    def spec(self, fields: dict, req: RequestContext, rid: str) -> tuple[VolumeSpec, dict]:
        tmpl, _ = self.ctx.effective(fields["volumeTemplate"], "VolumeTemplate", req,
                                     "volumeTemplate")
        if not isinstance(tmpl.get("volumeConfig"), dict):
            raise BadRequest("volumeTemplate: missing mandatory attribute 'volumeConfig'")
        cfg, cfg_rid = self.ctx.effective(tmpl["volumeConfig"], "VolumeConfiguration", req,
                                          "volumeTemplate.volumeConfig")
        require(cfg, TYPES["VolumeConfiguration"], "volumeTemplate.volumeConfig")
        image_location = None
        if tmpl.get("volumeImage"):
            _, img = self.ctx.resolve(tmpl["volumeImage"], req, "VolumeImage",
                                      "volumeTemplate.volumeImage")
            image_location = img.get("imageLocation")
            check_image_location(self.ctx, image_location)
        spec = VolumeSpec(rid, fields.get("name") or rid.rsplit("/", 1)[-1], cfg["capacity"],
                          cfg.get("type"), cfg.get("format"), image_location,
                          fields.get("properties") or {})
        extra = {"capacity": cfg["capacity"]}
        if cfg.get("type"):
            extra["type"] = cfg["type"]
        if cfg_rid:
            extra["volumeConfig"] = {"href": cfg_rid}
        return spec, extra

    def new_volume(self, tx, spec, fields, extra, parent=None) -> dict:
        doc = base_doc(TYPES["Volume"], spec.id, fields)
        doc["state"] = "CREATING"
        doc.update(extra)
        tx.put(spec.id, "Volume", doc, parent=parent)
        return doc

    def created(self, tx, rid, result):
        mark(tx, rid, state=result.state, capacity=result.capacity_kb,
                   bootable=result.bootable)
        return f"volume {rid} created"

    def work_create(self, spec):
        async def work(progress):
            return await self.ctx.backend.create_volume(spec, progress)
        return work

    async def create(self, fields: dict, req: RequestContext) -> Result:
        rid = new_id("volumes")
        spec, extra = self.spec(fields, req, rid)
        with self.ctx.store.write() as tx:
            self.new_volume(tx, spec, fields, extra)
            job = self.ctx.jobs.create(tx, "add", "volumes", [rid])
        state = await self.ctx.jobs.run(job, self.work_create(spec),
                                        lambda tx, r: self.created(tx, rid, r),
                                        lambda tx, m: mark(tx, rid, state="ERROR"))
        return self.job_result(state, job, self.ctx.view(rid), rid, 201)

    def work_delete(self, rid):
        async def work(progress):
            await self.ctx.backend.delete_volume(rid, progress)
        return work

    async def delete(self, rid, doc, req) -> Result:
        job, _ = self.begin(rid, "DELETING", "delete")
        state = await self.ctx.jobs.run(job, self.work_delete(rid), self.deleted(rid),
                                        lambda tx, m: self.settle(tx, rid, None))
        return self.job_result(state, job, None)


def host_address(value) -> str | None:
    """Validate a NetworkTemplate ``hostAddress``: an IPv4 host address with its prefix length."""
    if value in (None, ""):
        return None
    try:
        iface = ipaddress.IPv4Interface(str(value))
    except ValueError:
        raise BadRequest(f"hostAddress {value!r} is not an IPv4 address with a prefix "
                         "length, e.g. 169.254.10.1/24") from None
    if "/" not in str(value) or not 8 <= iface.network.prefixlen <= 30:
        raise BadRequest(f"hostAddress {value!r} needs a prefix length from /8 to /30")
    if iface.ip in (iface.network.network_address, iface.network.broadcast_address):
        raise BadRequest(f"hostAddress {value!r} is the network or broadcast address")
    return str(iface)


class NetworkLifecycle(Lifecycle):
    type_name = "Network"

    def new_network(self, tx, rid, fields, plan: tuple, parent=None) -> dict:
        doc = base_doc(TYPES["Network"], rid, fields)
        doc["state"] = "CREATING"
        if plan[1]:
            doc["hostAddress"] = plan[1]
        tx.put(rid, "Network", doc, parent=parent)
        return doc

    def plan(self, fields, req) -> tuple:
        """(initial state, host address or None) from the effective NetworkTemplate."""
        tmpl, _ = self.ctx.effective(fields["networkTemplate"], "NetworkTemplate", req,
                                     "networkTemplate")
        return tmpl.get("initialState") or "STOPPED", host_address(tmpl.get("hostAddress"))

    def work_create(self, rid, name, initial, address=None):
        async def work(progress):
            return await self.ctx.backend.create_network(rid, name, initial, progress,
                                                         host_address=address)
        return work

    async def create(self, fields: dict, req: RequestContext) -> Result:
        rid = new_id("networks")
        plan = self.plan(fields, req)
        with self.ctx.store.write() as tx:
            self.new_network(tx, rid, fields, plan)
            job = self.ctx.jobs.create(tx, "add", "networks", [rid])
        work = self.work_create(rid, fields.get("name") or rid, *plan)
        state = await self.ctx.jobs.run(job, work,
                                        lambda tx, s: mark(tx, rid, state=s),
                                        lambda tx, m: mark(tx, rid, state="ERROR"))
        return self.job_result(state, job, self.ctx.view(rid), rid, 201)

    async def action(self, rid, doc, name, fields, req) -> Result:
        spec = TYPES["Network"].actions[name]
        job, _ = self.begin(rid, spec.transitional, ACTION_NS + name)

        async def work(progress):
            return await self.ctx.backend.network_action(rid, name, progress)

        state = await self.ctx.jobs.run(job, work, lambda tx, s: self.settle(tx, rid, s),
                                        lambda tx, m: self.settle(tx, rid, None))
        return self.job_result(state, job)

    def check_unused(self, rid):
        for iface in self.ctx.store.list("NetworkInterface"):
            if iface.get("network", {}).get("href") == rid:
                raise Conflict("the network is used by a machine interface; delete the machine first")

    def work_delete(self, rid):
        async def work(progress):
            await self.ctx.backend.delete_network(rid, progress)
        return work

    async def delete(self, rid, doc, req) -> Result:
        self.check_unused(rid)
        job, _ = self.begin(rid, "DELETING", "delete")
        state = await self.ctx.jobs.run(job, self.work_delete(rid),
                                        self.deleted(rid),
                                        lambda tx, m: self.settle(tx, rid, None))
        return self.job_result(state, job, None)


class MachineImageLifecycle(Lifecycle):
    type_name = "MachineImage"

    def __init__(self, ctx: LifecycleContext, machines):
        super().__init__(ctx)
        self.machines = machines  # a MachineLifecycle: an image of a machine is a capture

    async def create(self, fields: dict, req: RequestContext) -> Result:
        require(fields, TYPES["MachineImage"])
        location = fields["imageLocation"]
        if isinstance(location, dict):  # tolerated: {"href": ...}
            location = location.get("href", "")
        machine_rid = None
        try:
            rid_guess = req.relative(location)
            row = self.ctx.visible_row(rid_guess)
            if row is not None and row.type == "Machine":
                machine_rid = rid_guess
        except BadRequest:
            pass
        if machine_rid:
            machine = self.ctx.load(machine_rid)
            if machine.get("state") != "STOPPED":
                raise Conflict(f"only a STOPPED machine can be captured (it is {machine.get('state')})")
            return await self.machines.capture(machine_rid, machine,
                                               dict(fields, imageLocation=location), req)
        check_image_location(self.ctx, location)
        rid = new_id("machineImages")
        related = None
        if fields.get("relatedImage"):
            related, _ = self.ctx.resolve(fields["relatedImage"], req, "MachineImage",
                                          "relatedImage")
        with self.ctx.store.write() as tx:
            new_image(tx, rid, fields, location, fields.get("type") or "IMAGE", related)
            job = self.ctx.jobs.create(tx, "add", "machineImages", [rid])

        async def work(progress):
            return await self.ctx.backend.register_image(rid, location, progress)

        state = await self.ctx.jobs.run(job, work,
                                        lambda tx, s: mark(tx, rid, state=s),
                                        lambda tx, m: mark(tx, rid, state="ERROR"))
        return self.job_result(state, job, self.ctx.view(rid), rid, 201)

    async def delete(self, rid, doc, req) -> Result:
        for machine in self.ctx.store.list("Machine"):
            if machine.get("machineImage", {}).get("href") == rid and machine["state"] == "CREATING":
                raise Conflict("the image is being used to create a machine")
        with self.ctx.store.write() as tx:
            tx.delete(rid)
            job = self.ctx.jobs.create(tx, "delete", rid, done=True)
        await self.ctx.backend.delete_image(rid, lambda *_: None)
        return self.ctx.deleted(job)


class VolumeImageLifecycle(Lifecycle):
    """Volume images only record a location here: they are AVAILABLE as soon as stored."""
    type_name = "VolumeImage"

    async def create(self, fields: dict, req: RequestContext) -> Result:
        if fields.get("imageLocation") is not None:  # missing: the mandatory-attribute 400
            check_image_location(self.ctx, fields["imageLocation"])
        return self.ctx.create_plain(TYPES["VolumeImage"], fields, req)

    def prepare_plain(self, doc: dict) -> None:
        doc.setdefault("state", "AVAILABLE")


class MachineTemplateLifecycle(Lifecycle):
    """An inline credential's password is kept, as a salted hash only (never shown)."""
    type_name = "MachineTemplate"

    def prepare_plain(self, doc: dict) -> None:
        hash_inline_password(doc.get("credential"))


class CredentialTemplateLifecycle(Lifecycle):
    type_name = "CredentialTemplate"

    def prepare_plain(self, doc: dict) -> None:
        hash_inline_password(doc)


class CredentialLifecycle(Lifecycle):
    type_name = "Credential"
    prepare_plain = CredentialTemplateLifecycle.prepare_plain

    async def create(self, fields: dict, req: RequestContext) -> Result:
        tmpl, _ = self.ctx.effective(fields["credentialTemplate"], "CredentialTemplate", req,
                                     "credentialTemplate")
        values = {k: tmpl[k] for k in ("userName", "key", "password", "_passwordHash")
                  if tmpl.get(k) is not None}
        if not values:
            raise BadRequest("credentialTemplate: give at least one of userName, password, key")
        rtype = TYPES["Credential"]
        rid = new_id("credentials")
        doc = base_doc(rtype, rid, fields)
        doc.update(values)
        self.prepare_plain(doc)
        with self.ctx.store.write() as tx:
            tx.put(rid, "Credential", doc)
            job = self.ctx.jobs.create(tx, "add", "credentials", [rid], done=True)
        return Result(201, self.ctx.view(rid),
                      {"Location": rid, "CIMI-Job-URI": job})


class JobLifecycle(Lifecycle):
    type_name = "Job"

    async def action(self, rid, doc, name, fields, req) -> Result:
        if not self.ctx.jobs.stop(rid):
            raise Conflict("the job is not running in this provider and cannot be stopped")
        return Result(202, self.ctx.view(rid), {"CIMI-Job-URI": rid})

    async def delete(self, rid, doc, req) -> Result:
        with self.ctx.store.write() as tx:
            tx.delete(rid)
            # every DELETE makes a Job (4.2.1.6)
            job = self.ctx.jobs.create(tx, "delete", rid, done=True)
        return self.ctx.deleted(job)
