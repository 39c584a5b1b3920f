"""Machines reached through loopback: forwarded ports (allocated, freed, kept across a restart)
and the NoCloud seed that carries the credential's SSH key and the user data to the guest.

The disks are blank here (nothing boots): what is checked is what the provider defines, reports
and writes. tests/system/guests boots the real image and logs in."""
from __future__ import annotations

import base64
import socket

import pytest

from cimi_provider.backends.libvirt import userdata

from libvirt_helpers import NS, ProviderProcess, domain, domain_xml, key, machine_body

PORTS = (42600, 42699)  # this suite's range; ports bound by anything else are skipped
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIForwardingTestKeyOnly0000000000000000 t@h"
PASSWORD = "never-in-the-guest-seed"


@pytest.fixture(scope="module")
def forwarding(workdir, run_prefix):
    proc = ProviderProcess(workdir, f"{run_prefix}fwd-", "fwd", extra_args=(
        "--libvirt-forward-ports", f"{PORTS[0]}-{PORTS[1]}"))
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def image(forwarding, base_image):
    return forwarding.client.create("machineImages", {
        "resourceURI": NS + "/MachineImage", "name": "blank",
        "imageLocation": f"file://{base_image}"})


def endpoint(client, machine):
    """(address, port, interface) of the machine's first interface."""
    coll = client.get(machine["interfaces"]["href"] + "?$expand=endpoints")
    first = coll["interfaces"][0]
    (ep,) = first["endpoints"]["endpoints"]
    return ep["address"], int(ep["properties"]["port"]), first


@pytest.fixture(scope="module")
def credential(forwarding):
    return forwarding.client.create("credentials", {
        "resourceURI": NS + "/CredentialCreate", "name": "ops",
        "credentialTemplate": {"userName": "ops", "key": PUBLIC_KEY, "password": PASSWORD}})


def relative(resource):
    """A reference that stays valid when the restarted provider listens on another port."""
    return {"href": resource["id"].split("/cimi/", 1)[-1]}


def create(client, image, name, credential, **template):
    return client.create("machines", machine_body(
        name, None, initialState="STARTED", machineImage=relative(image),
        credential=relative(credential), **template))


def listening(port):
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def cdrom_files(conn, prefix, machine):
    xml = domain_xml(domain(conn, prefix, machine))
    cdrom = next(d for d in xml.findall("devices/disk") if d.get("device") == "cdrom")
    with open(cdrom.find("source").get("file"), "rb") as handle:
        return handle.read()


def test_ports_reported_distinct_and_freed(forwarding, image, credential, libvirt_conn):
    client, prefix = forwarding.client, forwarding.prefix
    data = b"#cloud-config\nwrite_files: [{path: /etc/cimi-test, content: hi}]\n"
    one = create(client, image, "fwd-one", credential, userData=base64.b64encode(data).decode())
    two = create(client, image, "fwd two", credential)
    addr1, port1, iface1 = endpoint(client, one)
    addr2, port2, _ = endpoint(client, two)
    assert addr1 == addr2 == "127.0.0.1"
    assert port1 != port2 and all(PORTS[0] <= p <= PORTS[1] for p in (port1, port2))
    assert listening(port1) and listening(port2)  # qemu forwards them, on loopback only
    # The forwarded NIC is a qemu argument (user-mode, restrict=on), not a libvirt interface.
    args = [a.get("value") for a in domain_xml(domain(libvirt_conn, prefix, one)).iter()
            if a.tag.endswith("}arg")]
    assert any(f"hostfwd=tcp:127.0.0.1:{port1}-:22" in a and "restrict=on" in a for a in args)

    # One ISO: CIMI's /cimi/user-data and the NoCloud seed (label cidata).
    iso = cdrom_files(libvirt_conn, prefix, one)
    assert iso[0x8028:0x8028 + 6] == b"cidata"  # the primary volume descriptor's volume id
    assert userdata.read_iso(iso) == data
    assert userdata.read_iso(iso, "/user-data") == data  # a cloud-config is honoured as is
    meta = userdata.read_iso(iso, "/meta-data").decode()
    assert PUBLIC_KEY in meta and '"local-hostname": "fwd-one"' in meta
    assert "ops" in userdata.read_iso(iso, "/vendor-data").decode()
    assert iface1["macAddress"] in userdata.read_iso(iso, "/network-config").decode()
    assert PASSWORD.encode() not in iso
    # Without userData the key still goes in; the host name is made a valid label.
    iso2 = cdrom_files(libvirt_conn, prefix, two)
    assert PUBLIC_KEY in userdata.read_iso(iso2, "/meta-data").decode()
    assert '"local-hostname": "fwd-two"' in userdata.read_iso(iso2, "/meta-data").decode()

    client.delete(one)
    assert not listening(port1)
    three = create(client, image, "fwd-three", credential)
    assert endpoint(client, three)[1] == port1  # the lowest free port again
    client.delete(two)
    client.delete(three)


def test_ports_survive_a_restart(forwarding, image, credential):
    client = forwarding.client
    kept = create(client, image, "fwd-kept", credential)
    port = endpoint(client, kept)[1]
    forwarding.restart()
    client = forwarding.client
    assert endpoint(client, kept)[1] == port  # reported as before
    other = create(client, image, "fwd-other", credential)
    assert endpoint(client, other)[1] != port  # the definition still holds its port
    client.delete(other)
    client.delete(kept)
