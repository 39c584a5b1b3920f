"""Pool volumes: blank disks, copy-on-write overlays, full copies, uploads and safe deletion."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import libvirt
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import pools

from . import qemuimg
from .host import Host, HostError
from .xmldefs import volume_xml

CHUNK = 1 << 20


def _msg(exc: libvirt.libvirtError) -> str:
    return exc.get_error_message() or str(exc)


def volume_info(vol: libvirt.virStorageVol) -> dict:
    """Path, format, capacity (bytes) and backing path of a pool volume, as libvirt sees it."""
    root = ET.fromstring(vol.XMLDesc(0))
    backing = root.find("backingStore/path")
    return {"path": root.findtext("target/path"),
            "format": (root.find("target/format").get("type")
                       if root.find("target/format") is not None else "raw"),
            "capacity": int(root.findtext("capacity") or 0),
            "backing": backing.text if backing is not None else None}


def create_blank(host: Host, name: str, capacity_bytes: int, fmt: str = "qcow2"):
    try:
        return host.pool().createXML(volume_xml(name, capacity_bytes, fmt), 0)
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot create volume {name}: {_msg(exc)}") from None


def create_overlay(host: Host, name: str, base: libvirt.virStorageVol, capacity_bytes: int):
    """A qcow2 overlay on ``base`` (backing format explicit), at least as large as the base."""
    info = volume_info(base)
    size = max(capacity_bytes, info["capacity"])
    try:
        return host.pool().createXML(
            volume_xml(name, size, "qcow2", (info["path"], info["format"])), 0)
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot create disk {name}: {_msg(exc)}") from None


def create_copy(host: Host, name: str, base: libvirt.virStorageVol, capacity_bytes: int = 0):
    """A full, standalone qcow2 copy of ``base`` (its backing chain flattened)."""
    info = volume_info(base)
    size = max(capacity_bytes, info["capacity"])
    try:
        vol = host.pool().createXMLFrom(volume_xml(name, info["capacity"], "qcow2"), base, 0)
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot copy {info['path']} to {name}: {_msg(exc)}") from None
    if size > info["capacity"]:
        try:
            vol.resize(size, 0)
        except libvirt.libvirtError as exc:
            delete(vol)
            raise HostError(f"cannot grow {name}: {_msg(exc)}") from None
    return vol


def _upload(vol: libvirt.virStorageVol, conn: libvirt.virConnect, reader, length: int) -> None:
    stream = conn.newStream(0)
    vol.upload(stream, 0, length, 0)
    try:
        stream.sendAll(lambda _s, nbytes, _o: reader(min(nbytes, CHUNK)), None)
        stream.finish()
    except BaseException:
        try:
            stream.abort()
        except libvirt.libvirtError:
            pass
        raise


def _sequential(read_at):
    """A stream reader over ``read_at(offset, length)``, from offset 0."""
    pos = [0]

    def reader(n):
        chunk = read_at(pos[0], n)
        pos[0] += len(chunk)
        return chunk
    return reader


def upload_bytes(host: Host, name: str, data: bytes, fmt: str = "raw"):
    vol = create_blank(host, name, len(data), fmt)
    view = memoryview(data)
    try:
        _upload(vol, host.conn, _sequential(lambda off, n: bytes(view[off:off + n])), len(data))
    except libvirt.libvirtError as exc:
        delete(vol)
        raise HostError(f"cannot write {name}: {_msg(exc)}") from None
    return vol


def import_file(host: Host, name: str, source, info: dict):
    """Copy an opened, checked qcow2/raw file (``imports.ImportSource``) into the pool as ``name``.

    ``info`` is its ``qemuimg.inspect`` result. The bytes are read through the opened descriptor
    and uploaded through libvirt (so remote hosts work too); the pool copy is checked again,
    since the file's content could change meanwhile.
    """
    vol = create_blank(host, name, max(info["virtual_size"], 1), info["format"])
    try:
        _upload(vol, host.conn, _sequential(source.read_at), source.size)
        pools.refresh(host.pool())
        vol = host.pool().storageVolLookupByName(name)
        seen = volume_info(vol)
    except (OSError, libvirt.libvirtError) as exc:
        delete(vol)
        detail = _msg(exc) if isinstance(exc, libvirt.libvirtError) else exc.strerror
        raise HostError(f"cannot import {source.location}: {detail}") from None
    if seen["backing"] or seen["format"] != info["format"]:
        delete(vol)
        raise qemuimg.ImageError(f"image {source.location} changed while it was imported; refused")
    return vol


def pool_paths(host: Host) -> list:
    """The target directory of every storage pool on ``host`` (never an import source)."""
    paths = [host.pool_path]
    try:
        for pool in host.conn.listAllStoragePools(0):
            path = pools.target_path(pool)
            if path:
                paths.append(path)
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot list the storage pools of {host.uri}: {_msg(exc)}") from None
    return paths


def delete(vol) -> None:
    """Delete a pool volume; a volume already gone is not an error."""
    if vol is None:
        return
    try:
        vol.delete(0)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_VOL:
            raise HostError(f"cannot delete volume {vol.name()}: {_msg(exc)}") from None


def delete_named(host: Host, name: str) -> bool:
    vol = host.lookup_volume(name)
    delete(vol)
    return vol is not None
