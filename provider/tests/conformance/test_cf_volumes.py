"""Plugfest volume scenario (Deltacloud part4): a Volume with its configuration by value, attached
to and detached from a Machine through the Machine's ``volumes`` collection operations."""
from __future__ import annotations

from wire import ACTION, NS, items, machine_create, op


def test_volume_by_value_attach_detach(wire, name):
    _, volume = wire.create("volumes", {
        "resourceURI": NS + "/VolumeCreate", "name": name + "-v",
        "volumeTemplate": {"volumeConfig": {"format": "qcow2", "capacity": 2000000}}})
    assert volume["resourceURI"] == NS + "/Volume"
    assert volume["capacity"] == 2000000 and volume["state"] == "AVAILABLE", volume
    _, machine = wire.create("machines", machine_create(wire, name))
    attached_url = wire.resolve(machine["volumes"]["href"])
    located = wire.get(attached_url)
    assert not items(located)
    reply = wire.ok("POST", op(located, "insert"), {
        "resourceURI": NS + "/Action", "action": ACTION + "insert",
        "volume": {"href": volume["id"]}, "initialLocation": "/dev/vdb"},
        status=(200, 201, 202, 204))
    wire.settle(reply)
    entries = items(wire.get(attached_url))
    assert [(wire.resolve(e["volume"]["href"]), e["initialLocation"]) for e in entries] == [
        (volume["id"], "/dev/vdb")]
    assert wire.get(volume["id"])["state"] in ("IN_USE", "INUSE", "AVAILABLE")
    refused = wire.call("DELETE", op(wire.get(volume["id"]), "delete"))
    assert refused.status == 409 and refused.doc["state"] == "FAILED"
    reply = wire.ok("POST", op(wire.get(attached_url), "remove"), {
        "resourceURI": NS + "/Action", "action": ACTION + "remove",
        "volume": {"href": volume["id"]}}, status=(200, 202, 204))
    wire.settle(reply)
    assert not items(wire.get(attached_url))
    wire.delete(wire.wait_state(volume["id"]))
    wire.delete(machine)


def test_volume_from_template_by_reference(wire, name):
    config = wire.first("volumeConfigs")
    reply, template = wire.create("volumeTemplates", {
        "resourceURI": NS + "/VolumeTemplate", "name": name + "-vt", "volumeConfig": config})
    assert reply.status == 201
    _, volume = wire.create("volumes", {"resourceURI": NS + "/VolumeCreate", "name": name,
                                        "volumeTemplate": {"href": template["id"]}})
    assert volume["capacity"] == wire.get(wire.resolve(config["href"]))["capacity"]
    wire.delete(volume)
    wire.delete(template)
