"""Plugfest volume scenario (part4): a VolumeConfiguration (VolumeConfigurationCreate), volumes by
reference and by value, and a volume attached to a machine with a MachineVolume (the 1.x
message, still read) and detached by deleting that entry."""
from __future__ import annotations

from wire import NS, items, machine_create, op

V1 = "http://schemas.dmtf.org/cimi/1"


def test_volume_configuration_and_volumes(wire, name):
    reply, config = wire.create("volumeConfigs", {
        "resourceURI": NS + "/VolumeConfigurationCreate", "name": name + "-vc",
        "description": "a volume configuration", "format": "ext3", "capacity": 1000})
    assert reply.status == 201 and config["resourceURI"] == NS + "/VolumeConfiguration"
    assert items(wire.collection("volumeConfigs"))[0]["id"].startswith("http")
    _, by_ref = wire.create("volumes", {
        "resourceURI": NS + "/VolumeCreate", "name": name + "-r", "description": "by reference",
        "volumeTemplate": {"volumeConfig": {"href": config["id"]}}})
    assert by_ref["resourceURI"] == NS + "/Volume" and by_ref["capacity"] == 1000
    reply, by_value = wire.create("volumes", {
        "resourceURI": NS + "/VolumeCreate", "name": name + "-v", "description": "by value",
        "volumeTemplate": {"volumeConfig": {"type": NS + "/mapped", "capacity": 1024}}})
    assert reply.status in (201, 202) and by_value["capacity"] == 1024
    for doc in (by_ref, by_value, config):
        wire.delete(doc)


def test_attach_and_detach_a_volume(wire, name):
    _, machine = wire.create("machines", machine_create(wire, name))
    _, volume = wire.create("volumes", {
        "resourceURI": NS + "/VolumeCreate", "name": name + "-v",
        "volumeTemplate": {"volumeConfig": wire.first("volumeConfigs")}})
    attached = wire.get(wire.resolve(machine["volumes"]["href"]))
    reply = wire.ok("POST", op(attached, "insert"), {
        "resourceURI": V1 + "/MachineVolume", "initialLocation": "/dev/sdf",
        "volume": {"href": volume["id"]}}, status=(201, 202))
    wire.settle(reply)
    entry = wire.get(wire.resolve(reply.headers["Location"]))
    assert wire.resolve(entry["volume"]["href"]) == volume["id"]
    assert entry["initialLocation"] == "/dev/sdf"
    wire.settle(wire.ok("DELETE", op(entry, "delete"), status=(200, 202, 204)))  # detach
    assert not items(wire.get(wire.resolve(machine["volumes"]["href"])))
    wire.delete(volume)
    wire.delete(machine)
