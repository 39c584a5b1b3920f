"""Networks: isolated libvirt networks (no ``<forward>``; a host address only when asked)."""
from __future__ import annotations

import ipaddress

import libvirt

from .host import Host, HostError
from .xmldefs import network_xml, parse_domain


def _msg(exc: libvirt.libvirtError) -> str:
    return exc.get_error_message() or str(exc)


def create(host: Host, key: str, start: bool, host_address: str | None = None) -> str:
    name = host.names.network(key)
    net = host.lookup_network(name)
    if net is None:
        ipv4 = None
        if host_address:  # no DHCP: the guests' addresses are theirs to configure
            iface = ipaddress.IPv4Interface(host_address)
            ipv4 = {"address": str(iface.ip), "netmask": str(iface.netmask)}
        try:
            net = host.conn.networkDefineXML(network_xml(name, host.names.bridge(key), ipv4=ipv4))
        except libvirt.libvirtError as exc:
            raise HostError(f"cannot define network {name}: {_msg(exc)}") from None
    try:
        if start and not net.isActive():
            net.create()
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot start network {name}: {_msg(exc)}") from None
    return state(net)


def state(net) -> str:
    return "STARTED" if net.isActive() else "STOPPED"


def action(host: Host, key: str, name: str) -> str:
    net = host.lookup_network(host.names.network(key))
    if net is None:
        raise HostError(f"the libvirt network {host.names.network(key)} no longer exists")
    try:
        if name == "start" and not net.isActive():
            net.create()
        elif name == "stop" and net.isActive():
            net.destroy()
    except libvirt.libvirtError as exc:
        raise HostError(f"{name} failed: {_msg(exc)}") from None
    return state(net)


def users(host: Host, key: str) -> list:
    """Names of this provider's domains with an interface on the network."""
    name = host.names.network(key)
    found = []
    for dom in host.conn.listAllDomains(0):
        if not host.names.owns(dom.name()):
            continue
        parsed = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        if any(i.network == name for i in parsed.interfaces):
            found.append(dom.name())
    return found


def delete(host: Host, key: str) -> None:
    net = host.lookup_network(host.names.network(key))
    if net is None:
        return
    try:
        if net.isActive():
            net.destroy()
        net.undefine()
    except libvirt.libvirtError as exc:
        if exc.get_error_code() != libvirt.VIR_ERR_NO_NETWORK:
            raise HostError(f"cannot delete network {net.name()}: {_msg(exc)}") from None
