"""Plugfest machine scenarios: create from an image and a configuration (part2), from a
MachineTemplate (part3), inspect, start and stop (part5), capture (machex1), restart (machex2),
user data (machex3). Every URL comes from the CEP, a collection or a resource's operations."""
from __future__ import annotations

from datetime import datetime, timezone

from wire import ACTION, NS, items, machine_create, op



def act(wire, machine: dict, action: str, state: str) -> dict:
    """Post the action to the href the machine advertises; the machine reaches ``state``."""
    wire.act(machine, action)
    machine = wire.wait_state(machine["id"])
    assert machine["state"] == state, (action, machine)
    return machine


def test_create_machine_from_image_and_config(wire, name):
    """part2: one MachineImage and one MachineConfiguration offered; a MachineCreate naming
    them answers 201 (or 202) with Location."""
    for key in ("machineImages", "machineConfigs"):
        assert items(wire.collection(key))
    reply, machine = wire.create("machines", machine_create(wire, name))
    assert reply.status in (201, 202) and machine["name"] == name
    wire.delete(machine)


def test_create_machine_from_template(wire, name):
    """part3: a MachineTemplate (MachineTemplateCreate) with a property; machines by reference."""
    reply, template = wire.create("machineTemplates", {
        "resourceURI": NS + "/MachineTemplateCreate", "name": name + "-t",
        "description": "plugfest part3", "properties": {"foo": "bar"},
        "machineConfig": wire.first("machineConfigs"), "machineImage": wire.first("machineImages")})
    assert reply.status == 201 and template["resourceURI"] == NS + "/MachineTemplate"
    assert template["properties"] == {"foo": "bar"}
    assert template["machineConfig"]["href"] and template["machineImage"]["href"]
    assert wire.collection("machineTemplates")["count"] >= 1
    _, machine = wire.create("machines", {
        "resourceURI": NS + "/MachineCreate", "name": name, "description": "from a template",
        "machineTemplate": {"href": template["id"]}})
    assert machine["name"] == name and machine["state"] in ("STOPPED", "STARTED")
    wire.delete(machine)
    wire.delete(template)


def test_manipulate_a_machine(wire, name):
    """part5: attributes, the operations of each state, stop and start."""
    _, machine = wire.create("machines", machine_create(wire, name))
    assert machine["name"] and machine["description"].strip()
    assert machine["id"].startswith(wire.collection_url("machines") + "/")
    created = datetime.fromisoformat(machine["created"].replace("Z", "+00:00"))
    assert created <= datetime.now(timezone.utc)
    assert isinstance(machine["cpu"], int) and isinstance(machine["memory"], int)
    assert machine["disks"]["href"] and machine["volumes"]["href"]
    rels = {o["rel"] for o in machine["operations"]}
    assert {"delete", ACTION + "start", ACTION + "capture"} <= rels
    machine = act(wire, machine, "start", "STARTED")
    assert {ACTION + "restart", ACTION + "stop", ACTION + "capture"} <= {
        o["rel"] for o in machine["operations"]}
    machine = act(wire, machine, "stop", "STOPPED")
    wire.delete(machine)


def test_capture_a_machine(wire, name):
    """machex1: a MachineImage sent to the machine's capture operation, and a MachineImageCreate
    whose imageLocation is the machine."""
    _, machine = wire.create("machines", machine_create(wire, name))
    reply = wire.ok("POST", op(machine, ACTION + "capture", available=True), {
        "resourceURI": NS + "/MachineImage", "name": name + "-img",
        "description": "plugfest machex1", "type": "IMAGE"}, status=(201, 202))
    wire.settle(reply)
    image = wire.wait_state(wire.resolve(reply.headers["Location"]))
    assert (image["name"], image["type"], image["state"]) == (name + "-img", "IMAGE", "AVAILABLE")
    _, second = wire.create("machineImages", {
        "resourceURI": NS + "/MachineImageCreate", "name": name + "-img2", "type": "IMAGE",
        "imageLocation": machine["id"]})
    assert second["resourceURI"] == NS + "/MachineImage" and second["name"] == name + "-img2"
    for doc in (machine, image, second):
        wire.delete(doc)


def test_restart_a_machine(wire, name):
    """machex2: restart, found among the operations of a started machine."""
    _, machine = wire.create("machines", machine_create(wire, name, initialState="STARTED"))
    act(wire, act(wire, machine, "restart", "STARTED"), "stop", "STOPPED")
    wire.delete(wire.get(machine["id"]))


def test_machine_with_user_data(wire, name):
    """machex3: userData on create; the machine starts."""
    reply, machine = wire.create("machines", machine_create(
        wire, name, userData="QmFzZS02NCBlbmNvZGVkIGRhdGE="))
    assert reply.status in (201, 202)
    wire.delete(act(wire, machine, "start", "STARTED"))
