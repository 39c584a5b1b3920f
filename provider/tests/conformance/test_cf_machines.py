"""Plugfest machine scenarios (Deltacloud part2, part3, part5, machex1-3), CIMI 2.0.

Every URL comes from the CEP, a collection's ``add`` or a resource's ``operations``.
"""
from __future__ import annotations

from wire import ACTION, NS, is_available, items, machine_create, op

MACHINE_STATES = ("CREATING", "STARTING", "STARTED", "STOPPING", "STOPPED", "PAUSING", "PAUSED",
                  "SUSPENDING", "SUSPENDED", "CAPTURING", "RESTORING", "DELETING", "ERROR",
                  "FAILED")


def test_create_machine_by_value(wire, name):
    """part2: a Machine from an image and a configuration; 201 or 202 with Location."""
    reply, machine = wire.create("machines", machine_create(wire, name))
    if reply.doc is not None and reply.status in (201, 202):
        assert reply.doc["resourceURI"] in (NS + "/Machine", NS + "/Job"), reply
        if reply.doc["resourceURI"] == NS + "/Machine":
            assert wire.resolve(reply.doc["id"]) == wire.resolve(reply.headers["Location"])
            if reply.status == 202:
                assert reply.doc["state"] in ("CREATING", "STOPPED", "STARTED")
    assert machine["resourceURI"] == NS + "/Machine"
    assert machine["name"] == name and machine["description"] == "conformance machine"
    assert machine["state"] in ("STOPPED", "STARTED")
    config = wire.get(wire.resolve(wire.first("machineConfigs")["href"]))
    assert (machine["cpu"], machine["memory"]) == (config["cpu"], config["memory"])
    assert wire.resolve(machine["machineImage"]["href"]) == wire.resolve(
        wire.first("machineImages")["href"])
    listed = wire.collection("machines", **{"$filter": f"name='{name}'"})
    assert [m["id"] for m in items(listed)] == [machine["id"]]
    wire.delete(machine)


def test_create_machine_from_template(wire, name):
    """part3: a MachineTemplate, then a Machine by reference to it, overriding initialState."""
    template_body = {"resourceURI": NS + "/MachineTemplate", "name": name + "-t",
                     "machineConfig": wire.first("machineConfigs"),
                     "machineImage": wire.first("machineImages"), "initialState": "STARTED"}
    reply, template = wire.create("machineTemplates", template_body)
    assert reply.status == 201 and template["resourceURI"] == NS + "/MachineTemplate"
    assert template["initialState"] == "STARTED"
    _, machine = wire.create("machines", {"resourceURI": NS + "/MachineCreate", "name": name,
                                          "machineTemplate": {"href": template["id"]}})
    assert machine["state"] == "STARTED"
    config = wire.get(wire.resolve(template["machineConfig"]["href"]))
    assert (machine["cpu"], machine["memory"]) == (config["cpu"], config["memory"])
    _, other = wire.create("machines", {
        "resourceURI": NS + "/MachineCreate", "name": name + "-b",
        "machineTemplate": {"href": template["id"], "initialState": "STOPPED"}})
    assert other["state"] == "STOPPED"
    for doc in (machine, other, template):
        wire.delete(doc)


def test_machine_attributes_and_edit(wire, name):
    """part5: mandatory attributes, operations and editing name/description."""
    _, machine = wire.create("machines", machine_create(wire, name))
    for attr in ("id", "name", "state", "cpu", "memory", "created", "disks", "volumes",
                 "interfaces", "operations"):
        assert attr in machine, attr
    assert machine["state"] in MACHINE_STATES
    for sub in ("disks", "volumes", "interfaces"):
        coll = wire.get(wire.resolve(machine[sub]["href"]))
        assert coll["resourceURI"].endswith("Collection")
    edit = op(machine, "edit")
    machine["name"] = name + "-renamed"
    machine["description"] = "edited"
    reply = wire.ok("PUT", edit, machine, status=(200, 202))
    wire.settle(reply)
    again = wire.get(machine["id"])
    assert (again["name"], again["description"]) == (name + "-renamed", "edited")
    wire.delete(again)


def test_machine_actions_and_states(wire, name):
    """part5/machex2: start, stop, restart following operation hrefs and ``available`` flags."""
    _, machine = wire.create("machines", machine_create(wire, name, initialState="STOPPED"))
    assert machine["state"] == "STOPPED"
    assert is_available(machine, "start") and not is_available(machine, "stop")
    refused = wire.call("POST", op(machine, ACTION + "stop"),
                        {"resourceURI": NS + "/Action", "action": ACTION + "stop"})
    assert refused.status == 409 and refused.doc["state"] == "FAILED", refused
    for action, state in (("start", "STARTED"), ("restart", "STARTED"), ("stop", "STOPPED")):
        wire.act(machine, action, **({"force": True} if action != "start" else {}))
        machine = wire.wait_state(machine["id"])
        assert machine["state"] == state, (action, machine)
        assert is_available(machine, "stop") is (state == "STARTED")
        assert is_available(machine, "start") is (state == "STOPPED")
    wire.delete(machine)


def test_capture_machine_image(wire, name):
    """machex1: capture a stopped machine into a new MachineImage, then boot from it."""
    _, machine = wire.create("machines", machine_create(wire, name))
    reply = wire.act(machine, "capture", name=name + "-img")
    location = reply.headers.get("Location")
    if not location:
        job = wire.wait_job(reply.headers["CIMI-Job-URI"])
        location = job["affectedResources"][-1]["href"]
    image = wire.wait_state(wire.resolve(location))
    assert image["resourceURI"] == NS + "/MachineImage" and image["state"] == "AVAILABLE"
    _, clone = wire.create("machines", machine_create(
        wire, name + "-clone", machineImage={"href": image["id"]}))
    assert wire.resolve(clone["machineImage"]["href"]) == image["id"]
    for doc in (clone, machine, image):
        wire.delete(doc)


def test_create_with_user_data(wire, name):
    """machex3: userData (base64) is accepted on create."""
    _, machine = wire.create("machines", machine_create(
        wire, name, userData="I2Nsb3VkLWNvbmZpZwpob3N0bmFtZTogY2YK"))
    assert machine["state"] in ("STOPPED", "STARTED")
    wire.delete(machine)


def test_job_describes_a_create(wire, name):
    reply, machine = wire.create("machines", machine_create(wire, name))
    job = wire.get(wire.resolve(reply.headers["CIMI-Job-URI"]))
    assert job["resourceURI"] == NS + "/Job" and job["state"] == "SUCCESS"
    hrefs = [wire.resolve(ref["href"]) for ref in job.get("affectedResources", [])]
    target = job.get("targetResource", {}).get("href")
    assert machine["id"] in hrefs or wire.resolve(target or "") == machine["id"]
    wire.delete(machine)
