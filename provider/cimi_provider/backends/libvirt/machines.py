"""Machine operations on one host (blocking libvirt calls; the backend runs them in threads)."""
from __future__ import annotations

import base64
import binascii
import re
import time

import libvirt
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import environment

from . import storage, userdata
from .host import Host, HostError, domain_state
from .xmldefs import DiskDef, DomainDef, InterfaceDef, disk_xml, domain_xml, parse_domain

TARGET_RE = re.compile(r"^(?:/dev/)?(vd[a-z])$")
USER_DATA_TARGET = "hdc"
OVF_ENV_TARGET = "hdd"  # the OVF environment ISO (DSP0243 11.2: a CD-ROM with ovf-env.xml)
UNDEFINE_FLAGS = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                  | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                  | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)


def _msg(exc: libvirt.libvirtError) -> str:
    return exc.get_error_message() or str(exc)


def disk_target(location: str | None, taken: set) -> str:
    """The virtio target for a CIMI ``initialLocation`` (``/dev/vdb`` -> ``vdb``), or the next free one."""
    if location:
        match = TARGET_RE.match(location)
        if not match:
            raise HostError(f"unsupported initialLocation {location!r}: use /dev/vdb ... /dev/vdz")
        target = match.group(1)
        if target in taken:
            raise HostError(f"initialLocation {location} is already in use on this machine")
        return target
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if f"vd{letter}" not in taken:
            return f"vd{letter}"
    raise HostError("no free disk target left on this machine")


def decode_user_data(value: str | None) -> bytes | None:
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise HostError("userData is not valid base64") from None


def create(host: Host, plan: dict) -> tuple:
    """Create the disks, user-data ISO and domain of ``plan``; start it when asked.

    ``plan``: key, resource_id, name, vcpus, memory_kib, disks [(capacity bytes)], image volume
    (or None), copy (full copies instead of overlays), user_data (bytes or None), volumes
    [(volume, location)], interfaces [(network name, mtu)], start; optional: seed (a
    ``userdata.Seed``: the NoCloud seed goes on the user-data ISO), forwarded_nic.
    On any failure everything created so far is removed again.
    Returns (state, parsed domain).
    """
    names = host.names
    key = plan["key"]
    created = []
    dom = None
    try:
        # Leftovers of an interrupted earlier attempt with the same key are ours to replace.
        for index in range(len(plan["disks"]) + 1):
            storage.delete_named(host, names.machine_disk(key, index))
        storage.delete_named(host, names.user_data(key))
        storage.delete_named(host, names.ovf_environment(key))
        disks = []
        capacities = plan["disks"] or ([0] if plan["image"] is not None else [])
        for index, capacity in enumerate(capacities):
            name = names.machine_disk(key, index)
            if index == 0 and plan["image"] is not None:
                make = storage.create_copy if plan["copy"] else storage.create_overlay
                vol = make(host, name, plan["image"], capacity)
            else:
                vol = storage.create_blank(host, name, max(capacity, 1 << 20))
            created.append(vol)
            disks.append(DiskDef(vol.path(), f"vd{chr(ord('a') + index)}", "qcow2"))
        taken = {d.target for d in disks}
        for vol, location in plan["volumes"]:
            target = disk_target(location, taken)
            taken.add(target)
            info = storage.volume_info(vol)
            disks.append(DiskDef(info["path"], target, info["format"]))
        if plan["user_data"] is not None or plan.get("seed") is not None:
            iso = storage.upload_bytes(host, names.user_data(key),
                                       userdata.build_iso(plan["user_data"], plan.get("seed")))
            created.append(iso)
            disks.append(DiskDef(iso.path(), USER_DATA_TARGET, "raw", "cdrom", True))
        if plan.get("ovf_environment") is not None:
            iso = storage.upload_bytes(host, names.ovf_environment(key),
                                       environment.iso_bytes(plan["ovf_environment"]))
            created.append(iso)
            disks.append(DiskDef(iso.path(), OVF_ENV_TARGET, "raw", "cdrom", True))
        interfaces = [InterfaceDef(net, None, mtu) for net, mtu in plan["interfaces"]]
        xml = domain_xml(DomainDef(names.domain(key), host.domain_type, plan["vcpus"],
                                   plan["memory_kib"], plan["resource_id"], disks, interfaces,
                                   forwarded_nic=plan.get("forwarded_nic")))
        try:
            dom = host.conn.defineXML(xml)
        except libvirt.libvirtError as exc:
            raise HostError(f"cannot define the machine: {_msg(exc)}") from None
        if plan["start"]:
            try:
                dom.create()
            except libvirt.libvirtError as exc:
                raise HostError(f"cannot start the machine: {_msg(exc)}") from None
        return domain_state(dom), parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    except BaseException:
        if dom is not None:
            _remove_domain(dom)
        for vol in created:
            try:
                storage.delete(vol)
            except HostError:
                pass
        raise


def _remove_domain(dom) -> None:
    try:
        if dom.isActive():
            dom.destroy()
    except libvirt.libvirtError:
        pass
    try:
        dom.undefineFlags(UNDEFINE_FLAGS)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
            raise HostError(f"cannot remove the machine: {_msg(exc)}") from None


def delete(host: Host, key: str) -> None:
    """Remove the domain and the disks this provider created for it (never attached volumes)."""
    dom = host.lookup_domain(host.names.domain(key))
    disk_count = 0
    if dom is not None:
        parsed = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        disk_count = len(parsed.disks)
        _remove_domain(dom)
    for index in range(disk_count + 1):
        storage.delete_named(host, host.names.machine_disk(key, index))
    storage.delete_named(host, host.names.user_data(key))
    storage.delete_named(host, host.names.ovf_environment(key))
    # Disks of a domain that vanished behind our back: sweep every name of this machine.
    for vol in host.pool().listAllVolumes(0):
        if host.names.volume_owner(vol.name()) == ("Machine", key):
            storage.delete(vol)


def _wait_shutoff(dom, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not dom.isActive():
            return True
        time.sleep(0.1)
    return not dom.isActive()


def _acpi_stop(dom, timeout: float) -> None:
    try:
        dom.shutdown()
    except libvirt.libvirtError as exc:
        if not dom.isActive():
            return
        raise HostError(f"cannot request an ACPI shutdown: {_msg(exc)}") from None
    if not _wait_shutoff(dom, timeout):
        raise HostError(f"the guest did not power off within {timeout:g}s of an ACPI shutdown "
                        "request; stop it with force=true")


def action(host: Host, key: str, name: str, force: bool, stop_timeout: float) -> str:
    dom = host.lookup_domain(host.names.domain(key))
    if dom is None:
        raise HostError(f"the libvirt domain {host.names.domain(key)} no longer exists")
    state = domain_state(dom)
    try:
        if name == "start":
            if state == "PAUSED":
                dom.resume()
            elif state in ("STOPPED", "SUSPENDED"):
                dom.create()  # restores the managed-save image when there is one
        elif name == "stop":
            if state == "SUSPENDED":
                dom.managedSaveRemove(0)
            elif dom.isActive():
                if force:
                    dom.destroy()
                else:
                    if state == "PAUSED":
                        dom.resume()
                    _acpi_stop(dom, stop_timeout)
        elif name == "restart":
            if dom.isActive():
                if force:
                    if state == "PAUSED":
                        dom.resume()
                    dom.reset(0)
                else:
                    _acpi_stop(dom, stop_timeout)
                    dom.create()
            else:
                dom.create()
        elif name == "pause":
            if state != "PAUSED":
                dom.suspend()
        elif name == "suspend":
            if state == "PAUSED":
                dom.resume()
            if dom.isActive():
                dom.managedSave(0)
        else:
            raise HostError(f"unsupported machine action {name}")
    except libvirt.libvirtError as exc:
        raise HostError(f"{name} failed: {_msg(exc)}") from None
    return domain_state(dom)


def _affect(dom) -> int:
    flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
    if dom.isActive():
        flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
    return flags


def attach(host: Host, key: str, vol, location: str | None) -> str:
    dom = host.lookup_domain(host.names.domain(key))
    if dom is None:
        raise HostError(f"the libvirt domain {host.names.domain(key)} no longer exists")
    parsed = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    info = storage.volume_info(vol)
    if any(d.path == info["path"] for d in parsed.disks):
        raise HostError("the volume is already attached to this machine")
    target = disk_target(location, {d.target for d in parsed.disks})
    try:
        dom.attachDeviceFlags(disk_xml(DiskDef(info["path"], target, info["format"])), _affect(dom))
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot attach the volume: {_msg(exc)}") from None
    return target


def detach(host: Host, key: str, vol) -> None:
    """Remove the volume from the persistent definition and, when running, from the guest.

    A live detach of a virtio disk needs the guest's cooperation (PCI hot-unplug); a guest that
    does not answer keeps the device until it next powers off, the definition no longer has it.
    """
    dom = host.lookup_domain(host.names.domain(key))
    if dom is None:
        raise HostError(f"the libvirt domain {host.names.domain(key)} no longer exists")
    info = storage.volume_info(vol)
    parsed = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    match = [d for d in parsed.disks if d.path == info["path"]]
    if not match:
        return
    xml = disk_xml(match[0])
    try:
        dom.detachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot detach the volume: {_msg(exc)}") from None
    if dom.isActive():
        try:
            dom.detachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        except libvirt.libvirtError:
            pass  # already gone from the live guest, or unplug pending: the definition is updated


def capture(host: Host, key: str, image_name: str):
    """Flatten a stopped machine's boot disk into a new standalone image volume."""
    dom = host.lookup_domain(host.names.domain(key))
    if dom is None:
        raise HostError(f"the libvirt domain {host.names.domain(key)} no longer exists")
    if dom.isActive() or dom.hasManagedSaveImage(0):
        raise HostError("the machine must be stopped to be captured")
    parsed = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    boot = [d for d in parsed.disks if d.target == "vda"]
    if not boot:
        raise HostError("the machine has no boot disk to capture")
    try:
        source = host.conn.storageVolLookupByPath(boot[0].path)
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot find the boot disk: {_msg(exc)}") from None
    storage.delete_named(host, image_name)
    return storage.create_copy(host, image_name, source)


def interface_addresses(dom) -> dict:
    """MAC -> [IPv4 addresses] from libvirt's DHCP leases (empty on networks without DHCP)."""
    if not dom.isActive():
        return {}
    try:
        found = dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
    except libvirt.libvirtError:
        return {}
    result = {}
    for entry in (found or {}).values():
        addrs = [a["addr"] for a in entry.get("addrs") or ()
                 if a.get("type") == libvirt.VIR_IP_ADDR_TYPE_IPV4]
        result[(entry.get("hwaddr") or "").lower()] = addrs
    return result
