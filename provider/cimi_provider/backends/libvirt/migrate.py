"""Moving a machine from one libvirt host to another (the provider-defined ``migrate`` action).

Pools are not shared, so every pool volume of the machine (its disks, the user-data and OVF
environment ISOs) is copied first, through libvirt storage streams (download on the source,
upload on the target: remote hosts work too). qcow2 overlays keep their backing image, which must
already be on the target at the same path (one ``--pool`` path for every host).

* Stopped machine (cold): copy, define on the target, undefine on the source, delete the
  source volumes.
* Running machine (live): suspend, copy (the disks are stable while paused), then a
  peer-to-peer, tunnelled migration of the memory through the libvirt connection (no TCP path
  between the hosts is needed; no NBD storage copy), persistent on the target and undefined on
  the source; resumed on the target. The guest's downtime is the copy time.

On any failure the target's leftovers are removed and the machine stays on the source in its
state (resumed when it was running): never a domain on both hosts.
"""
from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET

import libvirt
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import pools

from . import storage
from .host import Host, HostError
from .machines import UNDEFINE_FLAGS, _remove_domain

log = logging.getLogger(__name__)
CHUNK = 1 << 20
LIVE_FLAGS = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER
              | libvirt.VIR_MIGRATE_TUNNELLED | libvirt.VIR_MIGRATE_UNSAFE
              | libvirt.VIR_MIGRATE_PERSIST_DEST | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)


def _msg(exc: libvirt.libvirtError) -> str:
    return exc.get_error_message() or str(exc)


def machine_volumes(host: Host, key: str, xml: str) -> list:
    """The pool volumes of machine ``key`` on ``host``; every disk of its domain must be one
    (an attached Volume is a resource of its own and is not moved: refused)."""
    names = host.names
    vols = [v for v in host.pool().listAllVolumes(0)
            if names.volume_owner(v.name()) == ("Machine", key)]
    paths = {v.path() for v in vols}
    for disk in ET.fromstring(xml).iter("disk"):
        source = disk.find("source")
        path = source.get("file") if source is not None else None
        if path and path not in paths:
            raise HostError(f"the disk {path} is not one of the machine's own disks "
                            "(an attached volume?): detach it before migrating")
    return vols


def check_target(source: Host, target: Host, key: str, xml: str, vols: list) -> dict:
    """What must hold on the target before anything is copied; returns the backing path of
    each overlay volume (by name) as it must be on the target."""
    name = source.names.domain(key)
    if target.lookup_domain(name) is not None:
        raise HostError(f"a domain {name} already exists on {target.label}")
    for iface in ET.fromstring(xml).iter("interface"):
        src = iface.find("source")
        net = src.get("network") if src is not None else None
        if net and target.lookup_network(net) is None:
            raise HostError(f"network {net} does not exist on {target.label}")
    backing = {}
    for vol in vols:
        path = storage.volume_info(vol)["backing"]
        if not path:
            continue
        base = source.conn.storageVolLookupByPath(path)
        there = target.lookup_volume(base.name())
        if there is None:
            raise HostError(f"the machine's image {base.name()} is not on {target.label}")
        if there.path() != path:
            raise HostError(f"the image {base.name()} is at {there.path()} on {target.label}, "
                            f"not {path}: the overlay could not find it")
        backing[vol.name()] = path
    return backing


def copy_volume(source: Host, target: Host, vol) -> libvirt.virStorageVol:
    """A copy of pool volume ``vol`` of ``source`` in ``target``'s pool, under the same name."""
    info = storage.volume_info(vol)
    storage.delete_named(target, vol.name())  # a leftover of an interrupted earlier attempt
    copy = storage.create_blank(target, vol.name(), max(info["capacity"], 1), info["format"])
    down = source.conn.newStream(0)
    up = target.conn.newStream(0)
    try:
        vol.download(down, 0, 0, 0)
        copy.upload(up, 0, 0, 0)
        up.sendAll(lambda _s, n, _o: down.recv(min(n, CHUNK)), None)
        down.finish()
        up.finish()
    except BaseException as exc:
        for stream in (down, up):
            try:
                stream.abort()
            except libvirt.libvirtError:
                pass
        storage.delete(copy)
        if isinstance(exc, libvirt.libvirtError):
            raise HostError(f"cannot copy {vol.name()} to {target.label}: {_msg(exc)}") from None
        raise
    return copy


def _rewrite(xml: str, paths: dict, domain_type: str | None) -> str:
    root = ET.fromstring(xml)
    if domain_type:
        root.set("type", domain_type)
    for source in root.iter("source"):
        if source.get("file") in paths:
            source.set("file", paths[source.get("file")])
    return ET.tostring(root, encoding="unicode")


def migrate(source: Host, target: Host, key: str, migration_uri: str, progress,
            copied=lambda: None) -> str:
    """Move machine ``key`` from ``source`` to ``target``; return how long the guest was
    paused (live) or "" (cold). ``copied`` is called once the volumes are on the target, before
    the domain moves (failure injection: it may raise, and everything is undone)."""
    name = source.names.domain(key)
    dom = source.lookup_domain(name)
    if dom is None:
        raise HostError(f"domain {name} does not exist on {source.label}")
    live = bool(dom.isActive())
    inactive_xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)
    vols = machine_volumes(source, key, inactive_xml)
    check_target(source, target, key, inactive_xml, vols)
    copies, paused_at, done = [], None, False
    try:
        if live:
            dom.suspend()
            paused_at = time.monotonic()
        for n, vol in enumerate(vols, 1):
            progress(20 + 50 * n // max(len(vols), 1), f"copying {vol.name()} to {target.label}")
            copies.append(copy_volume(source, target, vol))
        pools.refresh(target.pool())
        copied()
        paths = {vol.path(): target.lookup_volume(vol.name()).path() for vol in vols}
        if live:
            progress(75, f"migrating the memory to {target.label}")
            xml = _rewrite(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE
                                       | libvirt.VIR_DOMAIN_XML_MIGRATABLE), paths, None)
            params = {libvirt.VIR_MIGRATE_PARAM_DEST_XML: xml,
                      libvirt.VIR_MIGRATE_PARAM_PERSIST_XML: _rewrite(inactive_xml, paths, None)}
            try:
                dom.migrateToURI3(migration_uri, params, LIVE_FLAGS)
            except libvirt.libvirtError as exc:
                # Gone from the source and running on the target: it did move after all.
                if source.lookup_domain(name) is not None or target.lookup_domain(name) is None:
                    raise HostError(f"migration to {target.label} failed: {_msg(exc)}") from None
            moved = target.lookup_domain(name)
            state = moved.state()[0]
            if state == libvirt.VIR_DOMAIN_PAUSED:
                moved.resume()
            downtime = f" (guest paused {time.monotonic() - paused_at:.1f} s)"
        else:
            progress(75, f"defining the machine on {target.label}")
            try:
                target.conn.defineXML(_rewrite(inactive_xml, paths, target.domain_type))
            except libvirt.libvirtError as exc:
                raise HostError(f"cannot define the machine on {target.label}: {_msg(exc)}") \
                    from None
            try:
                dom.undefineFlags(UNDEFINE_FLAGS)
            except libvirt.libvirtError as exc:
                raise HostError(f"cannot undefine the machine on {source.label}: {_msg(exc)}") \
                    from None
            downtime = ""
        done = True
    finally:
        if not done:
            _undo(source, target, name, copies, live)
    progress(90, f"deleting the machine's volumes on {source.label}")
    for vol in vols:
        try:
            storage.delete(vol)
        except HostError as exc:  # the machine moved; a leftover is no failure
            log.warning("after migrating %s: %s", name, exc)
    return downtime


def _undo(source: Host, target: Host, name: str, copies: list, live: bool) -> None:
    """Back to where it was: the target's copies and domain removed, the source's resumed."""
    try:
        if source.lookup_domain(name) is None:
            log.error("migrating %s to %s: gone from the source; the target keeps it", name,
                      target.label)
            return
        moved = target.lookup_domain(name)
        if moved is not None:
            _remove_domain(moved)
        for copy in copies:
            storage.delete(copy)
        if live:
            dom = source.lookup_domain(name)
            if dom is not None and dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
                dom.resume()
    except (HostError, libvirt.libvirtError) as exc:
        log.error("undoing the migration of %s to %s: %s", name, target.label, exc)
