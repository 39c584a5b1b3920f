"""Plugfest System scenario (system1): a SystemTemplate (SystemTemplateCreate) whose machines
come from a MachineTemplate by reference, a System from it, started and stopped as a whole."""
from __future__ import annotations

from wire import NS, items


def test_system_from_template_started_and_stopped(wire, name):
    _, machine_template = wire.create("machineTemplates", {
        "resourceURI": NS + "/MachineTemplate", "name": name + "-mt",
        "machineConfig": wire.first("machineConfigs"), "machineImage": wire.first("machineImages")})
    reply, template = wire.create("systemTemplates", {
        "resourceURI": NS + "/SystemTemplateCreate", "name": name + "-st",
        "componentDescriptors": [{"name": "node", "type": NS + "/Machine", "quantity": 2,
                                  "machineTemplate": {"href": machine_template["id"]}}]})
    assert reply.status == 201 and items(wire.collection("systemTemplates"))
    reply, system = wire.create("systems", {"resourceURI": NS + "/SystemCreate", "name": name,
                                            "systemTemplate": {"href": template["id"]}})
    assert reply.status in (201, 202) and system["resourceURI"] == NS + "/System"
    machines = [wire.resolve(m["id"]) for m in items(wire.get(wire.resolve(
        system["machines"]["href"])))]
    assert len(machines) == 2
    for action, state in (("start", "STARTED"), ("stop", "STOPPED")):
        wire.act(wire.get(system["id"]), action)
        assert wire.wait_state(system["id"])["state"] == state
        assert [wire.wait_state(url)["state"] for url in machines] == [state, state]
    wire.delete(wire.get(system["id"]))
    wire.delete(template)
    wire.delete(machine_template)
