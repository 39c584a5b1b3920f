"""Plugfest System scenario (Deltacloud system1): a SystemTemplate with Machine and Volume
component descriptors, a System created from it, system-wide actions, deletion."""
from __future__ import annotations

from wire import NS, items


def member_url(wire, entry):
    """A System's machines collection lists Machines (2.0); 1.x wrapped them in SystemMachine."""
    return wire.resolve(entry["machine"]["href"] if "machine" in entry else entry["id"])


def test_system_from_system_template(wire, name):
    template_body = {
        "resourceURI": NS + "/SystemTemplate", "name": name + "-st",
        "componentDescriptors": [
            {"name": "web", "type": NS + "/Machine", "quantity": 2,
             "machineTemplate": {"machineConfig": wire.first("machineConfigs"),
                                 "machineImage": wire.first("machineImages")}},
            {"name": "data", "type": NS + "/Volume", "quantity": 1,
             "volumeTemplate": {"volumeConfig": wire.first("volumeConfigs")}},
        ]}
    reply, template = wire.create("systemTemplates", template_body)
    assert reply.status == 201 and template["resourceURI"] == NS + "/SystemTemplate"
    assert len(template["componentDescriptors"]) == 2
    _, system = wire.create("systems", {"resourceURI": NS + "/SystemCreate", "name": name,
                                        "systemTemplate": {"href": template["id"]}})
    assert system["resourceURI"] == NS + "/System" and system["name"] == name
    assert system["state"] in ("STOPPED", "STARTED", "MIXED")
    machines = items(wire.get(wire.resolve(system["machines"]["href"])))
    assert len(machines) == 2
    names = sorted(wire.get(member_url(wire, m))["name"] for m in machines)
    assert names == ["web1", "web2"]
    volumes = items(wire.get(wire.resolve(system["volumes"]["href"])))
    assert len(volumes) == 1
    wire.act(system, "start")
    system = wire.wait_state(system["id"])
    assert system["state"] == "STARTED"
    for entry in machines:
        assert wire.wait_state(member_url(wire, entry))["state"] == "STARTED"
    wire.act(system, "stop", force=True)
    assert wire.wait_state(system["id"])["state"] == "STOPPED"
    wire.delete(system)
    for entry in machines:  # components go with their System (5.10.2 composition)
        assert wire.call("GET", member_url(wire, entry)).status == 404
    wire.delete(template)
