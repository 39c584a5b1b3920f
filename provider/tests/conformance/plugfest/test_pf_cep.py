"""Plugfest: query the Cloud Entry Point and its collections (cep_test, the "Query the CEP"
step of every part, rmd1)."""
from __future__ import annotations

from conftest import plugfest_xml
from wire import NS, items

# The CEP keys the plugfest client looked for (2.0 names; 1.x network keys are gone in 2.0).
ROOTS = ("resourceMetadata", "systems", "systemTemplates", "machines", "machineTemplates",
         "machineConfigs", "machineImages", "credentials", "credentialTemplates", "volumes",
         "volumeTemplates", "volumeConfigs", "volumeImages", "networks", "networkTemplates",
         "jobs", "meters", "meterTemplates", "meterConfigs", "eventLogs", "eventLogTemplates")


def test_the_plugfest_writes_xml_without_namespace():
    body = plugfest_xml({"resourceURI": NS + "/Action", "action": NS + "/action/stop"})
    assert body.splitlines()[1:] == [
        b"<Action>", b"  <action>", f"    {NS}/action/stop".encode(), b"  </action>", b"</Action>"]


def test_cep(wire):
    cep = wire.cep()
    assert wire.resolve(cep["id"]) == wire.cep_url
    assert cep["baseURI"].startswith("http") and cep["baseURI"].endswith("/")
    assert cep["name"].strip()
    assert {"machines", "machineImages", "machineConfigs", "resourceMetadata"} <= set(cep)


def test_every_root_collection_and_member(wire):
    """check_collection: count matches the entries; each member reads back with its id and name."""
    cep = wire.cep()
    for root in (key for key in ROOTS if key in cep):
        coll = wire.get(wire.resolve(cep[root]["href"]))
        assert coll["resourceURI"].endswith("Collection"), root
        assert coll["count"] == len(items(coll)), root
        for entry in items(coll)[:3]:
            member = wire.get(wire.resolve(entry["id"]))
            assert (member["id"], member.get("name")) == (entry["id"], entry.get("name")), root


def test_resource_metadata_collection(wire):
    """rmd1: the collection's id is the CEP's href, count = entries, each has an id and
    describes its type with capabilities, attributes or actions."""
    cep = wire.cep()
    coll = wire.collection("resourceMetadata")
    assert coll["resourceURI"] == NS + "/ResourceMetadataCollection"
    assert wire.resolve(coll["id"]) == wire.resolve(cep["resourceMetadata"]["href"])
    assert coll["count"] == len(items(coll)) > 0
    for entry in items(coll):
        assert entry["id"] and entry["typeURI"].startswith(NS + "/")
        assert {"capabilities", "attributes", "actions"} & set(entry), entry["typeURI"]
