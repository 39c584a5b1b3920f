# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider-defined ``migrate`` action between two real libvirt daemons.

A stopped and a started machine go from kvm1 to kvm2 and back; the refusals (unknown host, the
machine's own host) change nothing. Times are printed (``-s``).
"""
from __future__ import annotations

import time

import pytest
from libvirt_helpers import NS, key, machine_body, owned_domains_of, pool_volumes

MIGRATE = "urn:cloudmgmt:dmtf:cimi-provider/action/migrate"
STATE = NS + "/event/state"


def migrate_href(machine: dict) -> str:
    return next(op["href"] for op in machine["operations"] if op["rel"] == MIGRATE)


def migrate(client, machine: dict, **params):
    return client.post(migrate_href(machine),
                       {"resourceURI": NS + "/Action", "action": MIGRATE, **params})


def where(cluster, second_host, conns, machine: dict) -> dict:
    """label -> (domain names, this machine's volume names, domain active?) on each daemon."""
    name = f"{cluster.prefix}m-{key(machine)}"
    found = {}
    second = second_host.open()
    try:
        for label, conn in (("kvm1", conns["kvm1"]), ("kvm2", second)):
            doms = owned_domains_of(conn, cluster.prefix) & {name}
            vols = {v for v in pool_volumes(conn, cluster.prefix) if v.startswith(name + "-")}
            active = bool(doms) and conn.lookupByName(name).isActive() == 1
            persistent = bool(doms) and conn.lookupByName(name).isPersistent() == 1
            found[label] = (doms, vols, active, persistent)
    finally:
        second.close()
    return found


def assert_only_on(cluster, second_host, conns, machine, label, running, vols):
    other = {"kvm1": "kvm2", "kvm2": "kvm1"}[label]
    found = where(cluster, second_host, conns, machine)
    doms, here, active, persistent = found[label]
    assert doms and persistent and active == running, found
    assert here == vols, found  # every disk and ISO copied, under the same names
    assert found[other][0] == set() and found[other][1] == set(), found  # nothing left behind


def moved_events(client, machine) -> list:
    log = client.get(client.get(machine["id"])["eventLog"]["href"])
    events = client.get(log["events"]["href"])["events"]
    return [e["content"] for e in events
            if e["type"] == STATE and e["content"].get("previousHost")]


@pytest.mark.parametrize("initial", ["STOPPED", "STARTED"])
def test_migrate_there_and_back(cluster, conns, second_host, initial):
    """A machine (disk overlay on the image, user-data ISO, a NIC on the network) moves
    kvm1 -> kvm2 -> kvm1 in the state it had: ``host`` follows, the domain (persistent) and
    every volume of it are only on the target afterwards, and a state Event names both hosts."""
    client = cluster.client
    machine = client.create("machines", machine_body(
        f"mig-{initial.lower()}", image=cluster.image, initialState=initial,
        userData="I2Nsb3VkLWNvbmZpZwo=",
        interfaceTemplates=[{"network": {"href": cluster.network["id"]}}]))
    start = machine["host"]
    assert machine["state"] == initial
    vols = where(cluster, second_host, conns, machine)[start][1]
    assert len(vols) == 2, vols  # disk0 and the user-data ISO
    path = [start, {"kvm1": "kvm2", "kvm2": "kvm1"}[start], start]
    for hop, target in enumerate(path[1:], 1):
        before = time.monotonic()
        resp = migrate(client, machine, host=target)
        assert resp.status_code == 202, (resp.status_code, resp.text)
        assert client.get(machine["id"])["state"] in ("MIGRATING", initial)
        job = client.wait_job(resp, timeout=180)
        took = time.monotonic() - before
        assert job["state"] == "SUCCESS", job
        print(f"\nmigrate {initial} {path[hop - 1]} -> {target}: Job {took:.2f} s "
              f"({job['statusMessage']})")
        if initial == "STARTED":
            assert "guest paused" in job["statusMessage"], job
        now = client.get(machine["id"])
        assert now["host"] == target and now["state"] == initial, now
        assert_only_on(cluster, second_host, conns, machine, target, initial == "STARTED", vols)
        events = moved_events(client, machine)
        assert events[-1]["previousHost"] == path[hop - 1] and events[-1]["host"] == target
        assert events[-1]["state"] == initial
    client.delete(machine)


def test_migrate_without_host_picks_the_other(cluster, conns, second_host):
    """Without ``host`` the placement policy's choice among the other hosts: the only other."""
    client = cluster.client
    machine = client.create("machines", machine_body("mig-default", image=cluster.image))
    resp = migrate(client, machine)
    assert client.wait_job(resp, timeout=120)["state"] == "SUCCESS"
    now = client.get(machine["id"])
    assert now["host"] != machine["host"] and now["state"] == "STOPPED"
    client.delete(machine)


def test_migrate_refusals_change_nothing(cluster, conns, second_host):
    """An unknown host is a 400, the machine's own host a 409; the machine stays as it was."""
    client = cluster.client
    machine = client.create("machines", machine_body("mig-refused", image=cluster.image))
    for params, status, text in (({"host": "kvm9"}, 400, "unknown host"),
                                 ({"host": machine["host"]}, 409, "already on"),
                                 ({"host": 7}, 400, "host")):
        resp = migrate(client, machine, **params)
        assert resp.status_code == status and text in resp.text, (resp.status_code, resp.text)
    now = client.get(machine["id"])
    assert now["state"] == "STOPPED" and now["host"] == machine["host"]
    found = where(cluster, second_host, conns, machine)
    assert found[machine["host"]][0] and not found[
        {"kvm1": "kvm2", "kvm2": "kvm1"}[machine["host"]]][0]
    client.delete(machine)


@pytest.mark.parametrize("initial", ["STOPPED", "STARTED"])
def test_failed_migrate_leaves_the_machine_where_it_was(cluster, conns, second_host, initial):
    """A failure after the volumes reached the target (injected: machines named mig-undo*):
    the Job FAILED, the machine is on its source host in its state (a started guest running
    again, not left paused), and the target holds neither its domain nor any of its volumes."""
    client = cluster.client
    machine = client.create("machines", machine_body(
        f"mig-undo-{initial.lower()}", image=cluster.image, initialState=initial,
        userData="I2Nsb3VkLWNvbmZpZwo="))
    start = machine["host"]
    vols = where(cluster, second_host, conns, machine)[start][1]
    resp = migrate(client, machine, host={"kvm1": "kvm2", "kvm2": "kvm1"}[start])
    job = client.wait_job(resp, timeout=120)
    assert job["state"] == "FAILED" and "injected failure" in job["statusMessage"], job
    now = client.get(machine["id"])
    assert now["state"] == initial and now["host"] == start, now
    assert_only_on(cluster, second_host, conns, machine, start, initial == "STARTED", vols)
    if initial == "STARTED":
        conn = conns["kvm1"] if start == "kvm1" else second_host.open()
        try:
            import libvirt
            dom = conn.lookupByName(f"{cluster.prefix}m-{key(machine)}")
            assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING  # resumed
        finally:
            if conn is not conns["kvm1"]:
                conn.close()
    client.delete(machine)
