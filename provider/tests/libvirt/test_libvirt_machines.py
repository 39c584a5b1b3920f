"""Machines through the real provider on libvirt: definition, actions, user data, delete."""
from __future__ import annotations

import base64

import libvirt
import pytest

from cimi_provider.backends.libvirt import userdata

from libvirt_helpers import NS, domain, domain_xml, key, machine_body, pool_volumes, qemu_info


@pytest.fixture(scope="module")
def image(provider, base_image):
    return provider.client.create("machineImages", {
        "resourceURI": NS + "/MachineImage", "name": "blank",
        "imageLocation": f"file://{base_image}"})


@pytest.fixture(scope="module")
def net(provider):
    return provider.client.create("networks", {
        "resourceURI": NS + "/NetworkCreate", "name": "lan",
        "networkTemplate": {"initialState": "STARTED"}})


def interfaces(client, machine):
    coll = client.get(machine["interfaces"]["href"] + "?$expand=*")
    return coll.get("interfaces", [])


def test_machine_by_value_full_lifecycle(provider, libvirt_conn, image, net):
    client, prefix = provider.client, provider.prefix
    data = b"#!/bin/sh\necho hello from CIMI\n"
    machine = client.create("machines", machine_body(
        "web1", image, initialState="STARTED", userData=base64.b64encode(data).decode(),
        interfaceTemplates=[{"network": {"href": net["id"]}}]))
    assert machine["state"] == "STARTED"
    dom = domain(libvirt_conn, prefix, machine)
    assert dom is not None and dom.isActive()
    xml = domain_xml(dom, inactive=False)
    assert xml.get("type") in ("kvm", "qemu")
    assert xml.findtext("vcpu") == "1"
    assert int(xml.findtext("memory")) == 65536
    # Boot disk: a qcow2 overlay whose backing file is the image's base volume, format explicit.
    vda = next(d for d in xml.findall("devices/disk") if d.find("target").get("dev") == "vda")
    assert vda.find("driver").get("type") == "qcow2"
    disk_path = vda.find("source").get("file")
    info = qemu_info(disk_path)
    assert info["format"] == "qcow2"
    assert info["backing-filename"].endswith(f"{prefix}i-{key(image)}")
    assert info["backing-filename-format"] == "qcow2"
    assert info["virtual-size"] >= 40_000_000
    # User data (CIMI "disk" method): an ISO 9660 cdrom holding cimi/user-data.
    cdrom = next(d for d in xml.findall("devices/disk") if d.get("device") == "cdrom")
    with open(cdrom.find("source").get("file"), "rb") as handle:
        assert userdata.read_iso(handle.read()) == data
    # Interface: on the CIMI network's libvirt network, with the MAC the provider reports.
    (iface,) = xml.findall("devices/interface")
    assert iface.find("source").get("network") == f"{prefix}n-{key(net)}"
    (cimi_iface,) = interfaces(client, machine)
    assert cimi_iface["macAddress"] == iface.find("mac").get("address")
    assert cimi_iface["network"]["href"].endswith(net["id"].split("/cimi/")[-1])

    machine = client.action(machine, "pause")
    assert machine["state"] == "PAUSED"
    assert dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED
    machine = client.action(machine, "start")
    assert machine["state"] == "STARTED" and dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
    machine = client.action(machine, "suspend")
    assert machine["state"] == "SUSPENDED"
    assert not dom.isActive() and dom.hasManagedSaveImage(0)
    machine = client.action(machine, "start")
    assert machine["state"] == "STARTED" and dom.isActive()
    machine = client.action(machine, "restart", force=True)
    assert machine["state"] == "STARTED" and dom.isActive()
    # The guest has no OS to answer ACPI: a plain stop times out and leaves it running.
    job_machine = client.action(machine, "stop", expect="FAILED")
    assert job_machine["state"] == "STARTED" and dom.isActive()
    machine = client.action(machine, "stop", force=True)
    assert machine["state"] == "STOPPED" and not dom.isActive()
    machine = client.action(machine, "restart")
    assert machine["state"] == "STARTED" and dom.isActive()

    owned = [n for n in pool_volumes(libvirt_conn, prefix) if n.startswith(f"{prefix}m-{key(machine)}")]
    assert len(owned) == 2  # boot disk and user-data ISO
    client.delete(machine)
    assert domain(libvirt_conn, prefix, machine) is None
    left = pool_volumes(libvirt_conn, prefix)
    assert not [n for n in left if n.startswith(f"{prefix}m-{key(machine)}")]
    assert f"{prefix}i-{key(image)}" in left  # the image is not the machine's to delete


def test_machine_by_template(provider, libvirt_conn, image):
    client, prefix = provider.client, provider.prefix
    config = client.create("machineConfigs", {
        "resourceURI": NS + "/MachineConfiguration", "name": "tiny2", "cpu": 2,
        "memory": 98304, "disks": [{"capacity": 40000}, {"capacity": 5000}]})
    template = client.create("machineTemplates", {
        "resourceURI": NS + "/MachineTemplate", "name": "tpl",
        "machineConfig": {"href": config["id"]}, "machineImage": {"href": image["id"]},
        "initialState": "STOPPED"})
    machine = client.create("machines", {
        "resourceURI": NS + "/MachineCreate", "name": "from-template",
        "machineTemplate": {"href": template["id"], "initialState": "STARTED"}})
    assert machine["state"] == "STARTED"
    dom = domain(libvirt_conn, prefix, machine)
    xml = domain_xml(dom)
    assert xml.findtext("vcpu") == "2" and int(xml.findtext("memory")) == 98304
    disks = {d.find("target").get("dev"): d.find("source").get("file")
             for d in xml.findall("devices/disk")}
    assert sorted(disks) == ["vda", "vdb"]
    assert "backing-filename" in qemu_info(disks["vda"])
    blank = qemu_info(disks["vdb"])  # second configured disk: blank, no backing file
    assert "backing-filename" not in blank and blank["virtual-size"] >= 5_000_000
    assert not interfaces(client, machine)  # no interface template: no NIC
    machine = client.action(machine, "stop", force=True)
    client.delete(machine)
    assert domain(libvirt_conn, prefix, machine) is None
    assert not [n for n in pool_volumes(libvirt_conn, prefix)
                if n.startswith(f"{prefix}m-{key(machine)}")]


def test_bad_user_data_fails_and_leaves_nothing(provider, libvirt_conn, image):
    client, prefix = provider.client, provider.prefix
    before = set(pool_volumes(libvirt_conn, prefix))
    job = client.create("machines", machine_body("bad-ud", image, userData="***not base64***"),
                        expect="FAILED")
    assert "userData" in job["statusMessage"]
    machine_id = next(r["href"] for r in job["affectedResources"] if "/machines/" in r["href"])
    machine = client.get(machine_id)
    assert machine["state"] == "ERROR"
    assert domain(libvirt_conn, prefix, machine) is None
    assert set(pool_volumes(libvirt_conn, prefix)) == before
    client.delete(machine)
