"""SystemCollection ``import`` (DSP0263 5.13.1.1): an OVF package becomes a System.

The package is named by a ``file://`` ``source`` under an operator's import root and opened
through ``imports.ImportPolicy`` (the backend's ``open_import``: containment, no symlink, a
regular file, never a provider file or a pool volume); from then on only that descriptor is read
(``/dev/fd/N``: the OVF engine and qemu-img read the opened file, never the path again). The
collection's own OVF engine (``plugins/module_utils/ovf``) reads it: tar index without
extraction, manifest and certificate checks, hardened XML, the hardware, disk and property
plans. Whatever the engine refuses is a 400 naming its ``error_code``; nothing exists yet then.

Mapping: each VirtualSystem becomes a Machine (in StartupSection order, which the System's start
and stop follow), each disk a Volume of the System converted straight out of the package
(``Backend.import_ovf_disks``), each OVF network a new isolated Network of the System unless the
Action maps it (``networkMap``: OVF name -> an existing Network). ProductSection values
(``ovfProperties``) reach each machine in its OVF environment (``ovf-env.xml`` on an ISO); the
values that are not passwords are recorded on the Machine as ``properties`` ``ovf.<key>``.
The System gets a software identity (SWID tag, ``plugins/module_utils/swid``).

All or nothing: the rows are written in CREATING with one Job; if any backend step fails, what
the backend made is removed again and so are the rows (the failed Job stays, as the record).
"""
from __future__ import annotations

import asyncio
import logging
import os
from urllib.parse import quote

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import diskplan
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import Appliance
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.plan import Plan, VappPlan
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import OvfError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.swid import tag as swid

from ..backends.base import InterfaceSpec, MachineSpec, OvfDisk
from ..catalogue import ACTION_NS, TYPES
from ..errors import BadRequest
from ..imports import ImportRefused
from ..request import RequestContext
from .core import base_doc, new_id
from .lifecycle import mark
from .result import Result

log = logging.getLogger(__name__)
SYSTEM = TYPES["System"]
MAX_DISK_BYTES = 1 << 40  # a declared or actual disk size above 1 TiB is refused
KB = 1000
START_ORDER = "_startOrder"  # the System's machine ids in StartupSection order


class ImportPlan:
    """What one import creates, computed from the package before any row exists."""

    def __init__(self):
        self.appliance = None
        self.name = None
        self.identity = {}
        self.networks = []  # (network id, OVF name) to create
        self.network_ids = {}  # OVF network name -> network id (new or mapped)
        self.disks = []  # OvfDisk
        self.machines = []  # (MachineSpec, fields)
        self.warnings = []


def _refused(exc: OvfError, source, location: str) -> BadRequest:
    """400 with the OVF engine's reason and ``error_code``; the package named as the consumer
    named it (never the descriptor path it was read through)."""
    message = exc.message.replace(f"/dev/fd/{source.fd}", location)
    return BadRequest(f"the OVF package is refused: {message} (error_code {exc.code})")


class OvfImport:
    def __init__(self, ctx, machines, volumes, networks):
        self.ctx = ctx
        self.machines, self.volumes, self.networks = machines, volumes, networks

    # reading the package (blocking: runs in a worker thread) --------------------------------
    def _open(self, location: str):
        try:
            return self.ctx.backend.open_import(location)
        except ImportRefused as exc:
            raise BadRequest(f"source: {exc}") from None

    def _appliance(self, source, location: str) -> Appliance:
        if location.lower().endswith(".ovf"):
            # the files beside a descriptor are read by name in its (checked, real) directory;
            # each must pass the same import checks before the engine reads it
            real = os.readlink(f"/proc/self/fd/{source.fd}")
            appliance = Appliance(real, "warn", None)
            for name in appliance.referenced_names() + appliance.package.manifest_names:
                path = os.path.join(os.path.dirname(real), name)
                self._open("file://" + quote(path)).close()
            return appliance
        return Appliance(f"/dev/fd/{source.fd}", "warn", None)

    def read(self, source, fields: dict, mapped: dict) -> ImportPlan:
        location = fields["source"]
        out = ImportPlan()
        try:
            appliance = out.appliance = self._appliance(source, location)
            appliance.verify_all()  # every referenced file against the manifest, up front
            env = appliance.envelope
            known = {n["name"] for n in env.networks}
            unknown = sorted(set(mapped) - known)
            if unknown:
                raise BadRequest(f"networkMap: {', '.join(unknown)} is not a network of the "
                                 f"package (it has: {', '.join(sorted(known)) or 'none'})")
            root = env.root
            out.name = fields.get("name") or (root.name if root else None) or (
                root.id if root else "appliance")
            params = {
                "src": appliance.package.path, "name": out.name,
                "deployment_option": fields.get("deploymentOption"),
                "properties": fields.get("ovfProperties") or {}, "disk_format": "qcow2",
                "max_disk_size": MAX_DISK_BYTES,
                "networks": {n: n for n in known}, "nic_model": None, "preserve_mac": False,
                "cpus": None, "memory": None, "firmware": None, "disk_bus": None,
            }
            plans = (VappPlan(params).build(appliance).members if env.is_collection
                     else [Plan(params).build(appliance)])
            for job in (job for plan in plans for job in plan.jobs if job.compression):
                diskplan.check_expansion(appliance, job)  # a bomb is a 400 now, not a failed Job
            out.identity = swid.for_appliance(appliance)
        except OvfError as exc:
            raise _refused(exc, source, location) from None
        for plan in plans:
            out.warnings += [w for w in plan.warnings if w not in out.warnings]
        used = [n["network"] for plan in plans for n in plan.nics]
        for ovf_name in dict.fromkeys(used):
            if ovf_name in mapped:
                out.network_ids[ovf_name] = mapped[ovf_name]
            else:
                nid = new_id("networks")
                out.networks.append((nid, ovf_name))
                out.network_ids[ovf_name] = nid
        for plan in plans:
            volumes = []
            for job in plan.jobs:
                if job.role != "disk":
                    out.warnings.append(f"{plan.name}: CD-ROM file {job.source_id} not imported")
                    continue
                vid = new_id("volumes")
                volumes.append((vid, None))
                out.disks.append(OvfDisk(vid, f"{plan.name}-{job.source_id}", job,
                                         max(1, -(-job.capacity // KB))))
            rid = new_id("machines")
            recorded = {f"ovf.{k}": v for k, v in plan.public_properties().items()
                        if v is not None}
            spec = MachineSpec(
                id=rid, name=plan.name, cpu=max(1, int(plan.cpus)),
                memory_kib=max(1, plan.memory // 1024),
                interfaces=[InterfaceSpec(out.network_ids[n["network"]]) for n in plan.nics],
                volumes=volumes, properties=recorded, initial_state="STOPPED",
                ovf_environment=plan.env_xml)
            mfields = {"name": plan.name, "description": f"OVF VirtualSystem {plan.system.id}",
                       "properties": recorded}
            out.machines.append((spec, mfields))
        return out

    # the import -----------------------------------------------------------------------------
    async def run(self, fields: dict, req: RequestContext) -> Result:
        location = fields["source"]
        try:
            self.ctx.backend.import_policy.check(location)
        except ImportRefused as exc:
            raise BadRequest(f"source: {exc}") from None
        mapped = {}
        for ovf_name, href in (fields.get("networkMap") or {}).items():
            mapped[ovf_name], _ = self.ctx.resolve({"href": href}, req, "Network",
                                                   f"networkMap.{ovf_name}")
        source = await asyncio.to_thread(self._open, location)
        try:
            plan = await asyncio.to_thread(self.read, source, fields, mapped)
        except BaseException:
            source.close()
            raise
        return await self._create(plan, fields, source)

    async def _create(self, plan: ImportPlan, fields: dict, source) -> Result:
        rid = new_id("systems")
        with self.ctx.store.write() as tx:
            doc = base_doc(SYSTEM, rid, {"name": plan.name,
                                         "description": fields.get("description")})
            doc["state"] = "CREATING"
            doc["softwareIdentity"] = plan.identity
            doc[START_ORDER] = [spec.id for spec, _ in plan.machines]
            tx.put(rid, "System", doc)
            for nid, ovf_name in plan.networks:
                self.networks.new_network(tx, nid, {"name": ovf_name,
                                                    "description": f"OVF network {ovf_name}"},
                                          ("STARTED", None), parent=rid)
            for disk in plan.disks:
                vdoc = base_doc(TYPES["Volume"], disk.volume_id, {"name": disk.name})
                vdoc.update(state="CREATING", capacity=disk.capacity_kb, format="qcow2")
                tx.put(disk.volume_id, "Volume", vdoc, parent=rid)
            for spec, mfields in plan.machines:
                self.machines.new_machine(tx, spec, mfields, {}, parent=rid)
            job = self.ctx.jobs.create(tx, ACTION_NS + "import", rid,
                                       [nid for nid, _ in plan.networks]
                                       + [d.volume_id for d in plan.disks]
                                       + [spec.id for spec, _ in plan.machines])
        backend = self.ctx.backend

        async def work(progress):
            made = []
            try:
                states = {}
                for nid, ovf_name in plan.networks:
                    states[nid] = await backend.create_network(nid, ovf_name, "STARTED", progress)
                    made.append(("Network", nid))
                volumes = []
                if plan.disks:
                    volumes = await backend.import_ovf_disks(plan.appliance, plan.disks, progress)
                    made += [("Volume", d.volume_id) for d in plan.disks]
                results = []
                for spec, _ in plan.machines:
                    results.append(await backend.create_machine(spec, progress))
                    made.append(("Machine", spec.id))
                return states, volumes, results
            except BaseException:
                await self._undo(made)
                raise
            finally:
                source.close()

        def ok(tx, outcome):
            states, volumes, results = outcome
            for nid, state in states.items():
                mark(tx, nid, state=state)
            for disk, result in zip(plan.disks, volumes):
                self.volumes.created(tx, disk.volume_id, result)
            for (spec, _), result in zip(plan.machines, results):
                self.machines.created(tx, spec, result)
            system = tx.get(rid)
            system["state"] = "STARTED"  # derived from the machines from now on
            tx.put(rid, "System", system)
            note = f"; {'; '.join(plan.warnings)}" if plan.warnings else ""
            return (f"imported {len(plan.machines)} machine(s), {len(plan.disks)} volume(s), "
                    f"{len(plan.networks)} new network(s){note}")[:2000]

        def bad(tx, message):
            # the System and every component: they existed for this import only
            for cid in ([spec.id for spec, _ in plan.machines] + [d.volume_id for d in plan.disks]
                        + [nid for nid, _ in plan.networks] + [rid]):
                if tx.get(cid) is not None:
                    self.ctx.remove_tree(tx, cid)

        state = await self.ctx.jobs.run(job, work, ok, bad)
        if state == "SUCCESS":
            return Result(201, self.ctx.view(rid), {"CIMI-Job-URI": job, "Location": rid})
        if self.ctx.store.row(rid) is not None:  # still running: the System as it is now
            return Result(202, self.ctx.view(rid), {"CIMI-Job-URI": job, "Location": rid})
        return Result(202, self.ctx.view(job), {"CIMI-Job-URI": job})  # failed: the Job says why

    async def _undo(self, made: list) -> None:
        """Remove what the backend made for a failed import, newest first (best effort)."""
        def quiet(_percent, _message):
            pass
        for kind, rid in reversed(made):
            try:
                if kind == "Machine":
                    await self.ctx.backend.delete_machine(rid, quiet)
                elif kind == "Volume":
                    await self.ctx.backend.delete_volume(rid, quiet)
                else:
                    await self.ctx.backend.delete_network(rid, quiet)
            except Exception:  # noqa: BLE001 - the original failure is what the consumer sees
                log.exception("import: cannot remove %s %s after a failure", kind, rid)
