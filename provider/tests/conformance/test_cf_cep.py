"""Plugfest CEP scenario (Deltacloud tests/cimi/cep_test.rb, ported to CIMI 2.0)."""
from __future__ import annotations

import json

from wire import NS, items, op

COLLECTION_KEYS = ("resourceMetadata", "systems", "systemTemplates", "machines",
                   "machineTemplates", "machineConfigs", "machineImages", "credentials",
                   "credentialTemplates", "volumes", "volumeTemplates", "volumeConfigs",
                   "volumeImages", "networks", "networkTemplates", "jobs")


def test_cep_basics(wire):
    cep = wire.cep()
    assert cep["resourceURI"] == NS + "/CloudEntryPoint"
    assert cep["baseURI"].endswith("/")
    assert wire.resolve(cep["id"]) == wire.cep_url
    assert any(key in cep for key in COLLECTION_KEYS)


def test_cep_has_a_name(wire):
    assert isinstance(wire.cep().get("name"), str) and wire.cep()["name"].strip()


def test_every_collection_is_dereferenceable(wire):
    cep = wire.cep()
    served = [key for key in COLLECTION_KEYS if key in cep]
    assert {"machines", "machineConfigs", "machineImages", "resourceMetadata"} <= set(served)
    for key in served:
        href = cep[key]["href"]
        assert not href.startswith("/"), f"relative URIs must not start with / (5.5.10): {href}"
        coll = wire.get(wire.resolve(href))
        assert coll["resourceURI"].startswith(NS + "/") and coll["resourceURI"].endswith(
            "Collection"), coll
        assert wire.resolve(coll["id"]) == wire.resolve(href)
        assert isinstance(coll["count"], int) and coll["count"] >= len(items(coll))
        for entry in items(coll):
            assert entry["id"] and wire.get(wire.resolve(entry["id"]))["id"] == entry["id"]
        if "operations" in coll:
            op(coll, "add")  # every served collection but jobs/resourceMetadata accepts creates


def test_accept_any_gets_json_or_xml(wire):
    reply = wire.call("GET", wire.cep_url, accept="*/*")
    assert reply.status == 200
    assert reply.ctype.split(";")[0] in ("application/json", "application/xml")
    assert reply.doc["baseURI"] == wire.cep()["baseURI"]


def test_format_parameter_overrides_accept(wire):
    other = "json" if wire.fmt == "xml" else "xml"
    reply = wire.call("GET", wire.cep_url, params={"$format": other.upper()},
                      check=False)
    assert reply.status == 200 and reply.ctype.startswith(f"application/{other}")


def test_query_parameters_on_a_collection(wire):
    machine_configs = wire.collection("machineConfigs")
    count = machine_configs["count"]
    assert count >= 1
    page = wire.collection("machineConfigs", **{"$first": "1", "$last": "1"})
    assert page["count"] == count and len(items(page)) == 1
    only_count = wire.collection("machineConfigs", **{"$last": "0"})
    assert only_count["count"] == count and not items(only_count)
    name = items(machine_configs)[0]["name"]
    filtered = wire.collection("machineConfigs", **{"$filter": f"name='{name}'"})
    assert [e["name"] for e in items(filtered)] == [name] and filtered["count"] == 1
    selected = wire.collection("machineConfigs", **{"$select": "name"})
    entry = items(selected)[0]
    assert "name" in entry and "cpu" not in entry and "memory" not in entry


def test_unknown_query_parameter_is_ignored(wire):
    assert wire.get(wire.cep_url, unknownParameter="1")["id"] == wire.cep()["id"]


def test_error_body_is_a_job(wire):
    machines = wire.collection_url("machines")
    reply = wire.call("GET", machines + "/no-such-machine-here")
    assert reply.status == 404
    assert reply.doc["state"] == "FAILED" and reply.doc.get("statusMessage")
    assert reply.doc["resourceURI"] == NS + "/Job"
    json.dumps(reply.doc)
