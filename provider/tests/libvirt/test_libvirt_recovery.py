"""Crash recovery and out-of-band changes: the database and libvirt are reconciled."""
from __future__ import annotations

import time


from libvirt_helpers import NS, domain, key, machine_body, pool_volumes


def wait_state(client, resource, state, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        current = client.get(resource["id"])
        if current["state"] == state:
            return current
        assert time.monotonic() < deadline, f"{resource['id']} stayed {current['state']}"
        time.sleep(0.1)


def owned_domains(conn, prefix):
    return {d.name() for d in conn.listAllDomains(0) if d.name().startswith(prefix)}


def test_kill_during_creation_leaves_no_orphans(provider_factory, libvirt_conn, base_image):
    first = provider_factory("crash").start()
    prefix, client = first.prefix, first.client
    image = client.create("machineImages", {"resourceURI": NS + "/MachineImage", "name": "img",
                                            "imageLocation": f"file://{base_image}"})
    acknowledged = []
    add = client.add_href("machines")
    for n in range(4):
        resp = client.post(add, machine_body(f"crash{n}", image, initialState="STARTED"))
        assert resp.status_code in (201, 202), resp.text
        acknowledged.append(resp.headers["Location"])
    first.kill9()  # while (some of) the creations run

    second = provider_factory("crash")
    second.start()
    client = second.client
    machines = [client.get(href) for href in acknowledged]  # every acknowledged machine is there
    keys = {key(m) for m in machines}
    assert all(m["state"] in ("ERROR", "STOPPED", "STARTED") for m in machines), machines
    for name in owned_domains(libvirt_conn, f"{prefix}m-"):
        assert name[len(f"{prefix}m-"):] in keys, f"orphan domain {name}"
    for name in pool_volumes(libvirt_conn, f"{prefix}m-"):
        assert any(name.startswith(f"{prefix}m-{k}-") for k in keys), f"orphan volume {name}"
    for machine in machines:
        if machine["state"] == "STARTED":
            machine = client.action(machine, "stop", force=True)
        client.delete(machine)
    client.delete(image)
    assert not owned_domains(libvirt_conn, prefix)
    assert not pool_volumes(libvirt_conn, prefix)


def test_startup_sweeps_unknown_objects(provider_factory, libvirt_conn):
    proc = provider_factory("sweep")
    prefix = proc.prefix
    proc.start()  # creates the pool
    proc.stop()
    pool = next(p for p in libvirt_conn.listAllStoragePools(0)
                if p.XMLDesc(0).find(str(proc.pool)) >= 0)
    pool.createXML(f"<volume><name>{prefix}m-deadbeef-disk0</name><capacity>1048576</capacity>"
                   "<target><format type='qcow2'/></target></volume>", 0)
    libvirt_conn.defineXML(
        f"<domain type='qemu'><name>{prefix}m-deadbeef</name><memory unit='KiB'>65536</memory>"
        "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>")
    proc.start()
    proc.client.get("cloudEntryPoint")
    deadline = time.monotonic() + 20
    while owned_domains(libvirt_conn, prefix) or pool_volumes(libvirt_conn, prefix):
        assert time.monotonic() < deadline, "leftovers not swept"
        time.sleep(0.1)


def test_domain_removed_behind_the_providers_back_becomes_error(
        provider_factory, libvirt_conn):
    proc = provider_factory("oob").start()
    client, prefix = proc.client, proc.prefix
    live = client.create("machines", machine_body("gone-live"))
    later = client.create("machines", machine_body("gone-later"))
    # While the provider runs: the lifecycle event marks it ERROR.
    domain(libvirt_conn, prefix, live).undefine()
    wait_state(client, live, "ERROR")
    # While the provider is down: start-up reconciliation marks it ERROR.
    proc.stop()
    domain(libvirt_conn, prefix, later).undefine()
    proc.start()
    client = proc.client
    for machine in (live, later):  # with a reason the consumer can read
        seen = client.get(machine["id"])
        assert seen["state"] == "ERROR", seen
        assert "removed outside the provider" in seen.get("statusMessage", ""), seen
    for machine in (live, later):  # an ERROR machine still deletes, with its disks
        client.delete(client.get(machine["id"]))
    assert not pool_volumes(libvirt_conn, f"{prefix}m-")


def test_guest_power_off_is_observed(provider, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    machine = client.create("machines", machine_body("poweroff", initialState="STARTED"))
    domain(libvirt_conn, prefix, machine).destroy()  # as if the guest powered itself off
    machine = wait_state(client, machine, "STOPPED")
    client.delete(machine)
    assert domain(libvirt_conn, prefix, machine) is None


def test_seeds_configurations_but_no_memory_images(provider):
    client = provider.client
    images = client.get(client.cep["machineImages"]["href"]).get("machineImages", [])
    assert not [i for i in images if i["imageLocation"].startswith("memory://")], images
    configs = client.get(client.cep["machineConfigs"]["href"])["machineConfigurations"]
    assert {"m1-small", "m1-medium"} <= {c["name"] for c in configs}
