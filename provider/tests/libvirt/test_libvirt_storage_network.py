"""Volumes, networks and images through the real provider on libvirt."""
from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

from libvirt_helpers import (ACTION, NS, domain, domain_xml, key, machine_body, network,
                             pool_volumes, qemu_info)


def test_volume_create_attach_detach_delete(provider, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    volume = client.create("volumes", {
        "resourceURI": NS + "/VolumeCreate", "name": "data",
        "volumeTemplate": {"volumeConfig": {"format": "qcow2", "capacity": 10000}}})
    assert volume["state"] == "AVAILABLE"
    vol_name = f"{prefix}v-{key(volume)}"
    vol_path = pool_volumes(libvirt_conn, prefix)[vol_name]
    info = qemu_info(vol_path)
    assert info["format"] == "qcow2"
    assert 10_000_000 <= info["virtual-size"] < 10_000_512  # kilobytes, rounded up to a sector
    machine = client.create("machines", machine_body("vm-vol", initialState="STARTED"))
    dom = domain(libvirt_conn, prefix, machine)
    vols = client.get(machine["volumes"]["href"])
    insert = next(op["href"] for op in vols["operations"] if op["rel"] == "insert")
    remove = next(op["href"] for op in vols["operations"] if op["rel"] == "remove")
    resp = client.post(insert, {"resourceURI": NS + "/Action", "action": ACTION + "insert",
                                "volume": {"href": volume["id"]}, "initialLocation": "/dev/vdb"})
    job = client.wait_job(resp)
    assert job["state"] == "SUCCESS", job.get("statusMessage")

    def vdb(live):
        return [d for d in domain_xml(dom, inactive=not live).findall("devices/disk")
                if d.find("target").get("dev") == "vdb"]
    for live in (False, True):  # persistent and live: the machine runs
        (disk,) = vdb(live)
        assert disk.find("source").get("file") == vol_path
        assert disk.find("target").get("bus") == "virtio"
        assert disk.find("driver").get("type") == "qcow2"
    resp = client.post(remove, {"resourceURI": NS + "/Action", "action": ACTION + "remove",
                                "volume": {"href": volume["id"]}})
    assert client.wait_job(resp)["state"] == "SUCCESS"
    assert vdb(False) == []  # gone from the definition (live unplug needs a cooperating guest)
    machine = client.action(machine, "stop", force=True)
    assert vdb(True) == []
    client.delete(machine)
    assert vol_name in pool_volumes(libvirt_conn, prefix)  # a machine delete keeps volumes
    client.delete(volume)
    assert vol_name not in pool_volumes(libvirt_conn, prefix)


def test_network_isolated_lifecycle(provider, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    net = client.create("networks", {"resourceURI": NS + "/NetworkCreate", "name": "backend",
                                     "networkTemplate": {"initialState": "STOPPED"}})
    assert net["state"] == "STOPPED"
    lv = network(libvirt_conn, prefix, net)
    assert lv is not None and not lv.isActive()
    root = ET.fromstring(lv.XMLDesc(0))
    assert root.find("forward") is None  # isolated
    assert root.find("ip") is None  # and no host address
    net = client.action(net, "start")
    assert net["state"] == "STARTED" and lv.isActive()
    net = client.action(net, "stop")
    assert net["state"] == "STOPPED" and not lv.isActive()
    client.delete(net)
    assert network(libvirt_conn, prefix, net) is None


def test_network_with_host_address(provider, libvirt_conn):
    """hostAddress gives the host an address on the network; it stays isolated, no DHCP."""
    client, prefix = provider.client, provider.prefix
    net = client.create("networks", {
        "resourceURI": NS + "/NetworkCreate", "name": "hostaddr",
        "networkTemplate": {"initialState": "STARTED", "hostAddress": "169.254.77.1/24"}})
    assert net["state"] == "STARTED" and net["hostAddress"] == "169.254.77.1/24"
    lv = network(libvirt_conn, prefix, net)
    assert lv.isActive()
    for flags in (0, 1):  # live and persistent (VIR_NETWORK_XML_INACTIVE) definitions
        root = ET.fromstring(lv.XMLDesc(flags))
        assert root.find("forward") is None  # still isolated: no NAT, no routing
        (ip,) = root.findall("ip")
        assert (ip.get("address"), ip.get("netmask")) == ("169.254.77.1", "255.255.255.0")
        assert ip.find("dhcp") is None
    bridge = ET.fromstring(lv.XMLDesc(0)).find("bridge").get("name")
    shown = subprocess.run(["ip", "-4", "-o", "addr", "show", "dev", bridge], check=True,
                           capture_output=True, text=True).stdout
    assert "169.254.77.1/24" in shown
    client.delete(net)
    assert network(libvirt_conn, prefix, net) is None


def test_network_bad_host_address_is_refused(provider, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    before = {n.name() for n in libvirt_conn.listAllNetworks(0) if n.name().startswith(prefix)}
    for bad in ("169.254.77.1", "169.254.77.0/24", "not-an-ip/24", "fe80::1/64",
                "169.254.77.1/31"):
        resp = client.post(client.add_href("networks"), {
            "resourceURI": NS + "/NetworkCreate", "name": "badaddr",
            "networkTemplate": {"hostAddress": bad}})
        assert resp.status_code == 400, (bad, resp.status_code, resp.text)
        assert "hostAddress" in resp.json()["statusMessage"]
    listed = client.get(client.cep["networks"]["href"] + "?$filter=name='badaddr'")
    assert listed["count"] == 0
    after = {n.name() for n in libvirt_conn.listAllNetworks(0) if n.name().startswith(prefix)}
    assert after == before


def test_image_register_checks_and_capture(provider, libvirt_conn, workdir):
    client, prefix = provider.client, provider.prefix
    raw = workdir / "images" / "disk.raw"
    subprocess.run(["qemu-img", "create", "-q", "-f", "raw", str(raw), "4M"], check=True)
    image = client.create("machineImages", {"resourceURI": NS + "/MachineImage", "name": "raw",
                                            "imageLocation": f"file://{raw}"})
    assert image["state"] == "AVAILABLE"
    base = pool_volumes(libvirt_conn, prefix)[f"{prefix}i-{key(image)}"]
    assert qemu_info(base)["format"] == "raw"

    # A qcow2 with a backing file is refused, and nothing is left in the pool.
    overlay = workdir / "images" / "overlay.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(raw), "-F", "raw",
                    str(overlay)], check=True)
    before = set(pool_volumes(libvirt_conn, prefix))
    resp = client.post(client.add_href("machineImages"), {
        "resourceURI": NS + "/MachineImage", "name": "chained",
        "imageLocation": f"file://{overlay}"})
    job = client.wait_job(resp)
    assert job["state"] == "FAILED" and "backing file" in job["statusMessage"]
    vmdk = workdir / "images" / "disk.vmdk"
    subprocess.run(["qemu-img", "create", "-q", "-f", "vmdk", str(vmdk), "1M"], check=True)
    resp = client.post(client.add_href("machineImages"), {
        "resourceURI": NS + "/MachineImage", "name": "vmdk", "imageLocation": f"file://{vmdk}"})
    job = client.wait_job(resp)
    assert job["state"] == "FAILED" and "vmdk" in job["statusMessage"]
    assert set(pool_volumes(libvirt_conn, prefix)) == before

    # Capture a stopped machine built on the raw image: a flat, standalone qcow2 image.
    machine = client.create("machines", machine_body("to-capture", image))
    resp = client.post(client.add_href("machineImages"), {
        "resourceURI": NS + "/MachineImage", "name": "captured", "imageLocation": machine["id"]})
    assert client.wait_job(resp)["state"] == "SUCCESS"
    captured = client.get(resp.headers["Location"])
    assert captured["state"] == "AVAILABLE"
    cap_path = pool_volumes(libvirt_conn, prefix)[f"{prefix}i-{key(captured)}"]
    cap_info = qemu_info(cap_path)
    assert cap_info["format"] == "qcow2" and "backing-filename" not in cap_info
    # A machine from the captured image is backed by it.
    second = client.create("machines", machine_body("from-capture", captured))
    vda = domain_xml(domain(libvirt_conn, prefix, second)).find("devices/disk/source").get("file")
    assert qemu_info(vda)["backing-filename"] == cap_path
    for m in (machine, second):
        client.delete(m)
    for img in (captured, image):
        client.delete(img)
    left = pool_volumes(libvirt_conn, prefix)
    assert f"{prefix}i-{key(captured)}" not in left and f"{prefix}i-{key(image)}" not in left
