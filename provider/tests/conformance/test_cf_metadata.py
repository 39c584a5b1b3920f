"""Plugfest ResourceMetadata scenarios (Deltacloud rmd1-4): the metadata collection, per-type
attribute descriptions and capabilities, and that advertised capabilities hold."""
from __future__ import annotations

from wire import NS, items

CAPABILITY = NS + "/capability/"


def metadata_for(wire, type_name):
    coll = wire.collection("resourceMetadata", **{"$filter": f"typeURI='{NS}/{type_name}'"})
    found = items(coll)
    assert len(found) == 1, coll
    return wire.get(wire.resolve(found[0]["id"]))


def test_metadata_collection_lists_types(wire):
    coll = wire.collection("resourceMetadata")
    assert coll["resourceURI"] == NS + "/ResourceMetadataCollection"
    type_uris = {entry["typeURI"] for entry in items(coll)}
    assert {NS + "/CloudEntryPoint", NS + "/Machine", NS + "/Volume"} <= type_uris
    assert coll["count"] == len(items(coll))


def test_machine_metadata_describes_attributes(wire):
    meta = metadata_for(wire, "Machine")
    assert meta["resourceURI"] == NS + "/ResourceMetadata"
    assert meta["name"] and meta["typeURI"] == NS + "/Machine"
    attrs = {a["name"]: a for a in meta.get("attributes", [])}
    for common in ("id", "name", "description", "state"):
        assert common in attrs, sorted(attrs)
    assert str(attrs["id"]["consumerWritable"]).lower() == "false"
    assert str(attrs["name"]["consumerWritable"]).lower() == "true"


def test_cep_capabilities_are_honoured(wire):
    meta = metadata_for(wire, "CloudEntryPoint")
    caps = {c["uri"]: c for c in meta.get("capabilities", [])}
    assert caps, meta
    for cap in caps.values():
        assert cap["uri"].startswith(CAPABILITY)
    first = CAPABILITY + "CloudEntryPoint/FirstParameter"
    if str(caps.get(first, {}).get("value", "false")).lower() == "true":
        page = wire.collection("machineImages", **{"$first": "1", "$last": "1"})
        assert len(items(page)) == 1
    expand = CAPABILITY + "CloudEntryPoint/ExpandParameter"
    if str(caps.get(expand, {}).get("value", "false")).lower() == "true":
        expanded = wire.collection("machineConfigs", **{"$expand": "*"})
        assert "cpu" in items(expanded)[0]


def test_every_metadata_entry_dereferences(wire):
    for entry in items(wire.collection("resourceMetadata")):
        doc = wire.get(wire.resolve(entry["id"]))
        assert doc["typeURI"] == entry["typeURI"]
        for cap in doc.get("capabilities", []):
            assert cap["uri"].startswith(CAPABILITY) and "value" in cap, cap
