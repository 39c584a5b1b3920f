"""libvirt XML for the objects this backend defines: domains, disks, interfaces, networks, volumes.

Built with ElementTree from plain values (never from consumer-supplied XML) and parsed back only
from libvirt's own output.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

METADATA_NS = "urn:cloudmgmt-dmtf:cimi-provider"
ET.register_namespace("cimi", METADATA_NS)


@dataclass
class DiskDef:
    path: str
    target: str  # vda, vdb, ... (virtio) or hdc (ide cdrom)
    format: str = "qcow2"
    device: str = "disk"  # disk | cdrom
    readonly: bool = False

    @property
    def bus(self) -> str:
        return "ide" if self.device == "cdrom" else "virtio"


@dataclass
class InterfaceDef:
    network: str  # libvirt network name
    mac: str | None = None  # None: libvirt generates one
    mtu: int | None = None


@dataclass
class DomainDef:
    name: str
    type: str  # kvm | qemu
    vcpus: int
    memory_kib: int
    resource_id: str
    disks: list = field(default_factory=list)
    interfaces: list = field(default_factory=list)
    arch: str = "x86_64"


def _sub(parent, tag, attrib=None, text=None):
    elem = ET.SubElement(parent, tag, attrib or {})
    if text is not None:
        elem.text = str(text)
    return elem


def disk_element(disk: DiskDef) -> ET.Element:
    elem = ET.Element("disk", {"type": "file", "device": disk.device})
    # Formats are always explicit: never let qemu probe a guest-writable image.
    _sub(elem, "driver", {"name": "qemu", "type": disk.format})
    _sub(elem, "source", {"file": disk.path})
    _sub(elem, "target", {"dev": disk.target, "bus": disk.bus})
    if disk.readonly or disk.device == "cdrom":
        _sub(elem, "readonly")
    return elem


def disk_xml(disk: DiskDef) -> str:
    return ET.tostring(disk_element(disk), encoding="unicode")


def interface_element(iface: InterfaceDef) -> ET.Element:
    elem = ET.Element("interface", {"type": "network"})
    if iface.mac:
        _sub(elem, "mac", {"address": iface.mac})
    _sub(elem, "source", {"network": iface.network})
    _sub(elem, "model", {"type": "virtio"})
    if iface.mtu:
        _sub(elem, "mtu", {"size": str(iface.mtu)})
    return elem


def domain_xml(dom: DomainDef) -> str:
    root = ET.Element("domain", {"type": dom.type})
    _sub(root, "name", text=dom.name)
    meta = _sub(root, "metadata")
    owner = _sub(meta, f"{{{METADATA_NS}}}machine")
    _sub(owner, f"{{{METADATA_NS}}}id", text=dom.resource_id)
    _sub(root, "memory", {"unit": "KiB"}, dom.memory_kib)
    _sub(root, "currentMemory", {"unit": "KiB"}, dom.memory_kib)
    _sub(root, "vcpu", {"placement": "static"}, dom.vcpus)
    os_elem = _sub(root, "os")
    _sub(os_elem, "type", {"arch": dom.arch}, "hvm")
    _sub(os_elem, "boot", {"dev": "hd"})
    # ACPI: needed for ACPI shutdown requests and for PCI hot-plug of volumes.
    features = _sub(root, "features")
    _sub(features, "acpi")
    _sub(features, "apic")
    _sub(root, "on_poweroff", text="destroy")
    _sub(root, "on_reboot", text="restart")
    _sub(root, "on_crash", text="destroy")
    devices = _sub(root, "devices")
    for disk in dom.disks:
        devices.append(disk_element(disk))
    for iface in dom.interfaces:
        devices.append(interface_element(iface))
    _sub(devices, "memballoon", {"model": "none"})
    return ET.tostring(root, encoding="unicode")


@dataclass
class ParsedDomain:
    name: str
    type: str
    vcpus: int
    memory_kib: int
    resource_id: str | None
    disks: list  # DiskDef (with backing chain paths in .backing)
    interfaces: list  # InterfaceDef with mac filled
    backing: dict = field(default_factory=dict)  # target -> [backing paths, nearest first]
    addresses: dict = field(default_factory=dict)  # MAC -> [IPv4], filled from DHCP leases


def parse_domain(xml: str) -> ParsedDomain:
    root = ET.fromstring(xml)
    mem = root.find("memory")
    unit = (mem.get("unit") or "KiB") if mem is not None else "KiB"
    memory = int(mem.text) if mem is not None else 0
    memory_kib = memory * {"KiB": 1, "k": 1, "MiB": 1024, "M": 1024, "GiB": 1024 ** 2,
                           "b": 1, "bytes": 1}.get(unit, 1)
    if unit in ("b", "bytes"):
        memory_kib = memory // 1024
    owner = root.find(f"metadata/{{{METADATA_NS}}}machine/{{{METADATA_NS}}}id")
    disks, backing = [], {}
    for d in root.findall("devices/disk"):
        source = d.find("source")
        target = d.find("target")
        driver = d.find("driver")
        if source is None or target is None:
            continue
        dev = target.get("dev")
        disks.append(DiskDef(source.get("file") or source.get("dev") or "", dev,
                             driver.get("type") if driver is not None else "raw",
                             d.get("device", "disk"), d.find("readonly") is not None))
        chain, node = [], d.find("backingStore")
        while node is not None and node.find("source") is not None:
            chain.append(node.find("source").get("file"))
            node = node.find("backingStore")
        backing[dev] = chain
    interfaces = []
    for i in root.findall("devices/interface"):
        src, mac, mtu = i.find("source"), i.find("mac"), i.find("mtu")
        interfaces.append(InterfaceDef(src.get("network") if src is not None else "",
                                       mac.get("address") if mac is not None else None,
                                       int(mtu.get("size")) if mtu is not None else None))
    return ParsedDomain(root.findtext("name"), root.get("type"), int(root.findtext("vcpu") or 0),
                        memory_kib, owner.text if owner is not None else None, disks, interfaces,
                        backing)


def network_xml(name: str, bridge: str, mtu: int | None = None, ipv4: dict | None = None) -> str:
    """An isolated network: no ``<forward>`` and, unless ``ipv4`` is given, no host address."""
    root = ET.Element("network")
    _sub(root, "name", text=name)
    _sub(root, "bridge", {"name": bridge, "stp": "on", "delay": "0"})
    if mtu:
        _sub(root, "mtu", {"size": str(mtu)})
    if ipv4:
        ip = _sub(root, "ip", {"address": ipv4["address"], "netmask": ipv4["netmask"]})
        if ipv4.get("dhcp_start"):
            dhcp = _sub(ip, "dhcp")
            _sub(dhcp, "range", {"start": ipv4["dhcp_start"], "end": ipv4["dhcp_end"]})
    return ET.tostring(root, encoding="unicode")


def pool_xml(name: str, path: str) -> str:
    root = ET.Element("pool", {"type": "dir"})
    _sub(root, "name", text=name)
    target = _sub(root, "target")
    _sub(target, "path", text=path)
    return ET.tostring(root, encoding="unicode")


def volume_xml(name: str, capacity_bytes: int, fmt: str = "qcow2", backing: tuple | None = None) -> str:
    """A pool volume; ``backing`` = (path, format) makes it a copy-on-write overlay."""
    root = ET.Element("volume")
    _sub(root, "name", text=name)
    _sub(root, "capacity", {"unit": "bytes"}, capacity_bytes)
    _sub(root, "allocation", {"unit": "bytes"}, 0)
    target = _sub(root, "target")
    _sub(target, "format", {"type": fmt})
    if backing:
        store = _sub(root, "backingStore")
        _sub(store, "path", text=backing[0])
        _sub(store, "format", {"type": backing[1]})
    return ET.tostring(root, encoding="unicode")
