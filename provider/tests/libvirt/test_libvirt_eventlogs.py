"""EventLogs on libvirt: a state change made behind the provider's back (virsh) is a state Event."""
from __future__ import annotations

import subprocess
import time
from urllib.parse import quote

from libvirt_helpers import LIBVIRT_URI, NS, key, machine_body

STATE = NS + "/event/state"


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
