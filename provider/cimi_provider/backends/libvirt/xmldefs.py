"""libvirt XML for the objects this backend defines: domains, disks, interfaces, networks, volumes.

Domains and disks come from the collection's shared builder (lxml, ``module_utils/libvirt/domain.py``); networks,
pools and volumes are built here with ElementTree. All from plain values (never from
consumer-supplied XML), and parsed back only from libvirt's own output.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import domain

METADATA_NS = "urn:cloudmgmt-dmtf:cimi-provider"


# The shared description: DiskDef(path, target, format, device, readonly), InterfaceDef(network,
# mac, mtu). A cdrom is on ide, anything else on virtio, as the provider attaches them.
DiskDef = domain.Disk
InterfaceDef = domain.Interface
ForwardedNic = domain.ForwardedNic
disk_xml = domain.disk_xml
_HOSTFWD_RE = re.compile(r"hostfwd=tcp:([0-9.]+):(\d+)-:(\d+)")
_MAC_RE = re.compile(r"(?:^|,)mac=([0-9a-fA-F:]{17})(?:,|$)")


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
    forwarded_nic: ForwardedNic | None = None


def domain_xml(dom: DomainDef) -> str:
    """The domain of a CIMI machine: its resource id in <metadata>, no memory balloon."""
    return domain.domain_xml(domain.Domain(
        dom.name, type=dom.type, memory_kib=dom.memory_kib, vcpus=dom.vcpus, disks=dom.disks,
        interfaces=dom.interfaces, arch=dom.arch, memballoon="none",
        forwarded_nic=dom.forwarded_nic,
        metadata=domain.Metadata(METADATA_NS, "cimi", "machine", children=[("id", dom.resource_id)])))


def _sub(parent, tag, attrib=None, text=None):
    elem = ET.SubElement(parent, tag, attrib or {})
    if text is not None:
        elem.text = str(text)
    return elem


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
    forwarded_nic: ForwardedNic | None = None  # the loopback-forwarded NIC, when it has one


def _forwarded_nic(root) -> ForwardedNic | None:
    """The NIC ``ForwardedNic.qemu_args`` put on the qemu command line, read back."""
    args = [a.get("value") or "" for a in
            root.findall(f"{{{domain.QEMU_NS}}}commandline/{{{domain.QEMU_NS}}}arg")]
    forwards = [(int(h), int(g), a) for arg in args for a, h, g in _HOSTFWD_RE.findall(arg)]
    macs = [m.group(1).lower() for arg in args for m in [_MAC_RE.search(arg)] if m]
    if not forwards or not macs:
        return None
    return ForwardedNic(macs[0], [(h, g) for h, g, _ in forwards], host_address=forwards[0][2])


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
                        backing, forwarded_nic=_forwarded_nic(root))


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
