"""EventLogs and Meters on libvirt: a state change made behind the provider's back (virsh) is a
state Event; a started domain's Meters sample its statistics."""
from __future__ import annotations

import subprocess
import time
from urllib.parse import quote

from libvirt_helpers import LIBVIRT_URI, NS, key, machine_body

STATE = NS + "/event/state"
ASPECT = NS + "/aspect/"


def state_events(client, machine) -> list:
    current = client.get(machine["id"])
    log = client.get(current["eventLog"]["href"])
    found = client.get(log["events"]["href"] + "?$filter=" + quote(f"type='{STATE}'"))
    return found.get("events", [])


def test_virsh_destroy_is_a_state_event_caused_by_the_backend(provider):
    client, prefix = provider.client, provider.prefix
    machine = client.create("machines", machine_body("evlog", initialState="STARTED"))
    assert machine["state"] == "STARTED"
    before = state_events(client, machine)
    assert all(e["content"]["cause"] == "provider" for e in before), before
    subprocess.run(["virsh", "-q", "-c", LIBVIRT_URI, "destroy", f"{prefix}m-{key(machine)}"],
                   check=True, capture_output=True, timeout=60)
    deadline = time.monotonic() + 20
    while True:
        events = state_events(client, machine)
        backend = [e for e in events if e["content"]["cause"] == "backend"]
        if backend:
            break
        assert time.monotonic() < deadline, events
        time.sleep(0.1)
    assert backend[0]["content"]["previousState"] == "STARTED"
    assert backend[0]["content"]["state"] == "STOPPED"
    assert backend[0]["content"]["resource"]["href"] == machine["id"]
    assert client.get(machine["id"])["state"] == "STOPPED"
    client.delete(client.get(machine["id"]))


def test_meters_of_a_started_domain_sample_growing_cpu_time(provider):
    client = provider.client
    config = client.create("meterConfigs", {
        "resourceURI": NS + "/MeterConfiguration", "name": "cpu-1s", "aspect": ASPECT + "cpu",
        "sampleInterval": 1})
    memory = client.create("meterConfigs", {
        "resourceURI": NS + "/MeterConfiguration", "name": "mem-1s", "aspect": ASPECT + "memory",
        "sampleInterval": 1})
    templates = [client.create("meterTemplates", {
        "resourceURI": NS + "/MeterTemplate", "name": f"t-{c['name']}",
        "meterConfig": {"href": c["id"]}}) for c in (config, memory)]
    machine = client.create("machines", machine_body(
        "metered", initialState="STARTED", meterTemplates=[{"href": t["id"]} for t in templates]))
    meters = client.get(machine["meters"]["href"])["meters"]
    cpu = next(m for m in meters if m["aspect"] == ASPECT + "cpu")
    mem = next(m for m in meters if m["aspect"] == ASPECT + "memory")
    assert cpu["units"] == "nanosecond" and mem["units"] == "kibibyte"
    deadline = time.monotonic() + 30
    while True:
        values = [s["value"] for s in client.get(cpu["id"] + "?$expand=samples")["samples"].get(
            "samples", [])]
        if len(values) >= 3:
            break
        assert time.monotonic() < deadline, values
        time.sleep(0.3)
    assert values[0] > 0 and values == sorted(values) and values[-1] > values[0], values
    mem_values = [s["value"] for s in client.get(mem["id"] + "?$expand=samples")["samples"].get(
        "samples", [])]
    assert mem_values and all(v > 0 for v in mem_values), mem_values
    client.action(machine, "stop", force=True)
    client.delete(client.get(machine["id"]))
    client.get(cpu["id"], ok=(404,))
