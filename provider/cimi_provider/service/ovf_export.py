"""System ``export`` (DSP0263 5.13.1.2, ``format`` application/ovf): a System becomes an OVA.

The ``destination`` is a ``file://`` URL under an operator's export root (``--export-root``);
``imports.ExportPolicy`` creates it as a new file (O_EXCL: never overwriting one; no symlink
followed below the root). The System's machines become VirtualSystems (a
VirtualSystemCollection with a StartupSection in the System's start order when there are
several) with their CPU, memory, disks (exported by the backend as streamOptimized VMDK:
qemu-img on libvirt, empty images of the right capacity on the memory simulator), NICs and
networks; ``ovf.<key>`` machine properties become ProductSection properties. The OVA holds a
SHA256 manifest and the System's SWID tag (``<name>.swidtag``). The descriptor is valid under
DSP8023 2.0.1 (``plugins/module_utils/ovf/writer.py``). A failed export removes its file.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import tempfile

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import writer
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.swid import tag as swid

from ..catalogue import ACTION_NS
from ..errors import BadRequest, Conflict
from ..imports import ExportExists, ImportRefused
from ..request import RequestContext
from .ovf_import import START_ORDER
from .result import Result

OVF_MEDIA_TYPE = "application/ovf"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
PROPERTY_PREFIX = "ovf."


def _unique(name: str, taken: set) -> str:
    base = _SAFE.sub("_", name) or "system"
    if not base[0].isalpha():
        base = "vs-" + base
    out, n = base, 1
    while out in taken:
        n += 1
        out = f"{base}-{n}"
    taken.add(out)
    return out


class OvfExport:
    def __init__(self, ctx, policy):
        self.ctx = ctx
        self.policy = policy  # imports.ExportPolicy

    def model(self, rid: str, doc: dict) -> tuple[list, list, list]:
        """(machines [(machine id, system dict, disk capacities kB)], networks, product)."""
        store = self.ctx.store
        rows = [r for r in store.children(rid) if r.type == "Machine"]
        order = {mid: i for i, mid in enumerate(doc.get(START_ORDER) or [])}
        rows.sort(key=lambda r: (order.get(r.id, len(order)), r.doc.get("name") or r.id))
        if not rows:
            raise Conflict("the System has no machine to export")
        ids, networks, names, machines = set(), [], {}, []
        for row in rows:
            mdoc = row.doc
            children = store.children(row.id)
            capacities = [c.doc.get("capacity", 0) for c in children if c.type == "Disk"]
            for located in (c for c in children if c.type == "locatedVolume"):
                volume = store.row(located.doc["volume"]["href"])
                capacities.append(volume.doc.get("capacity", 0) if volume else 0)
            nics = []
            for iface in sorted((c for c in children if c.type == "NetworkInterface"),
                                key=lambda c: c.id):
                href = (iface.doc.get("network") or {}).get("href")
                net = store.row(href) if href else None
                if net is None:
                    continue
                if href not in names:
                    names[href] = _unique(net.doc.get("name") or "network",
                                          set(names.values()))
                    networks.append(names[href])
                nics.append(names[href])
            props = [(k[len(PROPERTY_PREFIX):], v) for k, v in
                     sorted((mdoc.get("properties") or {}).items())
                     if k.startswith(PROPERTY_PREFIX)]
            system = {"id": _unique(mdoc.get("name") or row.id.rsplit("/", 1)[-1], ids),
                      "name": mdoc.get("name") or row.id, "cpu": mdoc.get("cpu", 1),
                      "memory_mib": max(1, -(-mdoc.get("memory", 1024) // 1024)),
                      "nics": nics, "properties": props, "disks": []}
            machines.append((row.id, system, capacities))
        ident = doc.get("softwareIdentity") or {}
        product = {"product": ident.get("name") or doc.get("name") or "system",
                   "vendor": ident.get("softwareCreator") or None,
                   "version": ident.get("version") or None}
        return machines, networks, product

    async def run(self, rid: str, doc: dict, fields: dict, req: RequestContext) -> Result:
        if (fields.get("format") or OVF_MEDIA_TYPE) != OVF_MEDIA_TYPE:
            raise BadRequest(f"format: only {OVF_MEDIA_TYPE} is written")
        destination = fields["destination"]
        try:
            path = self.policy.check(destination)
        except ImportRefused as exc:
            raise BadRequest(f"destination: {exc}") from None
        if path is None or not path.endswith(".ova") or len(os.path.basename(path)) < 5:
            raise BadRequest("destination: name a new .ova file (file:///dir/name.ova)")
        machines, networks, product = self.model(rid, doc)
        try:
            target = await asyncio.to_thread(self.policy.create, destination)
        except ExportExists as exc:
            raise Conflict(f"destination: {exc}") from None
        except ImportRefused as exc:
            raise BadRequest(f"destination: {exc}") from None
        with self.ctx.store.write() as tx:
            job = self.ctx.jobs.create(tx, ACTION_NS + "export", rid, [])
        base = os.path.basename(path)[:-4]
        backend = self.ctx.backend
        name = _SAFE.sub("_", doc.get("name") or base)
        identity = doc.get("softwareIdentity") or {}

        async def work(progress):
            tmp = await asyncio.to_thread(tempfile.mkdtemp, prefix="cimi-export-")
            try:
                disks, files, systems = [], [], []
                for mid, system, capacities in machines:
                    where = os.path.join(tmp, system["id"])
                    os.mkdir(where)
                    for n, (disk_path, size) in enumerate(
                            await backend.export_disks(mid, capacities, where, progress), 1):
                        disk_id = f"{system['id']}-disk{n}"
                        href = f"{disk_id}.vmdk"
                        disks.append({"id": disk_id, "file": href, "capacity": size,
                                      "size": os.path.getsize(disk_path)})
                        files.append((href, disk_path))
                        system["disks"].append(disk_id)
                    systems.append(system)
                if len(systems) == 1:
                    systems[0]["product"] = product
                desc = writer.descriptor(systems, disks, networks, name=name, product=product)
                tag = identity.get("swidTag")
                if not tag:
                    tag = swid.identity(product, hashlib.sha256(desc).hexdigest(),
                                        name=name)["swidTag"]
                await asyncio.to_thread(self._write, target, base, desc, files,
                                        [(base + ".swidtag", tag.encode("utf-8"))])
            except BaseException:
                await asyncio.to_thread(target.discard)
                raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
                target.close()
            return len(systems)

        state = await self.ctx.jobs.run(
            job, work, lambda tx, count: f"exported {count} machine(s) to {destination}",
            lambda tx, message: None)
        return Result(200 if state == "SUCCESS" else 202, self.ctx.view(job),
                      {"CIMI-Job-URI": job})

    @staticmethod
    def _write(target, base, desc, files, extra) -> None:
        with os.fdopen(os.dup(target.fd), "wb") as out:
            writer.write_ova(out, base, desc, files, extra)
            out.flush()
            os.fsync(out.fileno())
