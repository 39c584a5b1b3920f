"""Plugfest ResourceMetadata scenarios for the Machine (rmd2, rmd3, rmd4): its entry, the
DefaultInitialState and InitialStates capabilities, and that machines honour them."""
from __future__ import annotations

from wire import NS, items, machine_create

CAPABILITY = NS + "/capability/Machine/"


def machine_metadata(wire) -> dict:
    coll = wire.collection("resourceMetadata")
    found = [entry for entry in items(coll) if entry["typeURI"] == NS + "/Machine"]
    assert len(found) == 1, coll
    return wire.get(wire.resolve(found[0]["id"]))


def capability(meta: dict, name: str) -> dict:
    found = [cap for cap in meta.get("capabilities", []) if cap["uri"] == CAPABILITY + name]
    assert len(found) == 1, meta.get("capabilities")
    return found[0]


def test_machine_metadata_entry(wire):
    """rmd2: name and typeURI; every capability, attribute and action fully described
    (2.0 Table 6: CIMI-defined attributes carry no namespace and no type)."""
    meta = machine_metadata(wire)
    assert (meta["name"], meta["typeURI"]) == ("Machine", NS + "/Machine")
    for cap in meta["capabilities"]:
        assert {"name", "uri", "description", "value"} <= set(cap), cap
    for attr in meta["attributes"]:
        assert {"name", "providerMandatory", "consumerMandatory", "mutable",
                "consumerWritable"} <= set(attr), attr
        assert ("namespace" in attr) == ("type" in attr), attr
        assert attr.get("namespace") != NS, attr
    for action in meta["actions"]:
        assert {"name", "uri", "description", "method", "inputMessage",
                "outputMessage"} <= set(action), action
    assert {a["name"] for a in meta["actions"]} >= {"start", "stop", "restart", "capture"}


def test_default_initial_state(wire, name):
    """rmd3: one value (no list); a machine created without initialState settles in it."""
    default = capability(machine_metadata(wire), "DefaultInitialState")["value"]
    assert "," not in default
    _, machine = wire.create("machines", machine_create(wire, name))
    assert machine["state"] == default
    wire.delete(machine)


def test_initial_states(wire, name):
    """rmd4: every state InitialStates lists can be asked for and is reached."""
    states = capability(machine_metadata(wire), "InitialStates")["value"].split(",")
    assert "STARTED" in states and "STOPPED" in states
    for state in states:
        _, machine = wire.create("machines", machine_create(wire, f"{name}-{state.lower()}",
                                                            initialState=state))
        assert machine["state"] == state
        wire.delete(machine)
