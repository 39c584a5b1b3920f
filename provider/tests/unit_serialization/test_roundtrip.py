# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""render -> parse_body gives the same dict, for every served type, in JSON and XML."""
from __future__ import annotations

import copy
import json

import pytest
from lxml import etree
from samples import BASE, COLLECTIONS, MACHINE, NS, SAMPLES

from cimi_provider.serialization import parse_body, render

LIMIT = 1 << 20
ALL = {**SAMPLES, **COLLECTIONS}


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_round_trip(name, fmt):
    doc = ALL[name]
    body, content_type = render(doc, fmt)
    assert content_type == f"application/{fmt}"
    assert parse_body(body, content_type, LIMIT) == doc


@pytest.mark.parametrize("name", sorted(ALL))
def test_xml_is_namespaced_and_root_named_after_type(name):
    doc = ALL[name]
    root = etree.fromstring(render(doc, "xml")[0])
    local = doc["resourceURI"].rsplit("/", 1)[1]
    expected = "Collection" if local.endswith("Collection") else local
    assert root.tag == f"{{{NS}}}{expected}"
    if expected == "Collection":
        assert root.get("resourceURI") == doc["resourceURI"]


def test_json_is_compact_utf8():
    doc = dict(MACHINE, name="caf\u00e9")
    body, _ = render(doc, "json")
    assert b" " not in body.replace(b"a Machine", b"")
    assert "caf\u00e9".encode() in body
    assert json.loads(body) == doc


def test_expanded_refs_and_collections_round_trip():
    doc = copy.deepcopy(MACHINE)
    doc["machineConfig"] = {"href": BASE + "machineConfigs/small", "cpu": 1, "memory": 1024,
                            "disks": [{"capacity": 5}]}
    doc["interfaces"] = {
        "href": BASE + "machines/m1/interfaces",
        "resourceURI": f"{NS}/NetworkInterfaceCollection", "id": BASE + "machines/m1/interfaces",
        "count": 1,
        "interfaces": [dict(SAMPLES["NetworkInterface"], endpoints={
            "href": BASE + "e", "resourceURI": f"{NS}/ProtocolEndpointCollection",
            "id": BASE + "e", "count": 1, "endpoints": [SAMPLES["ProtocolEndpoint"]]})]}
    for fmt in ("json", "xml"):
        body, ctype = render(doc, fmt)
        assert parse_body(body, ctype, LIMIT) == doc
    root = etree.fromstring(render(doc, "xml")[0])
    config = root.find(f"{{{NS}}}machineConfig")
    assert config.get("href") == BASE + "machineConfigs/small"
    assert [child.tag.split("}")[1] for child in config] == ["cpu", "memory", "disks"]
    group = root.find(f"{{{NS}}}interfaces/{{{NS}}}interfaces")
    assert [child.tag.split("}")[1] for child in group] == ["NetworkInterface"]


def test_empty_values_are_omitted_in_both_formats():
    doc = {"resourceURI": f"{NS}/Machine", "id": BASE + "machines/m1", "name": "",
           "description": "", "properties": {}, "disks": [], "cpu": 0, "bootable": False}
    expected = {"resourceURI": f"{NS}/Machine", "id": BASE + "machines/m1", "cpu": 0,
                "bootable": False}
    assert json.loads(render(doc, "json")[0]) == expected
    xml = render(doc, "xml")[0]
    assert b"<name" not in xml and b"<properties" not in xml and b"<disks" not in xml
    assert b"<cpu>0</cpu>" in xml


def test_error_job_keeps_empty_id():
    doc = SAMPLES["ErrorJob"]
    assert json.loads(render(doc, "json")[0])["id"] == ""
    assert b"<id></id>" in render(doc, "xml")[0] or b"<id/>" in render(doc, "xml")[0]


def test_xml_shapes():
    root = etree.fromstring(render(SAMPLES["Job"], "xml")[0])
    names = [child.tag.split("}")[1] for child in root]
    # ref[] arrays have no wrapper (5.5.11)
    assert names.count("affectedResource") == 2 and "affectedResources" not in names
    assert "nestedJob" in names
    root = etree.fromstring(render(SAMPLES["MachineConfiguration"], "xml")[0])
    disks = root.find(f"{{{NS}}}disks")
    assert [child.tag.split("}")[1] for child in disks] == ["disk", "disk"]
    assert disks[0].findtext(f"{{{NS}}}capacity") == "10000000"
    props = root.find(f"{{{NS}}}properties")
    assert [(p.tag.split("}")[1], p.get("key")) for p in props] == [("property", "role"), ("property", "empty")]
    root = etree.fromstring(render(SAMPLES["ProtocolEndpoint"], "xml")[0])
    assert root.find(f"{{{NS}}}parameters/{{{NS}}}parameter").get("key") == "netmask"
    root = etree.fromstring(render(SAMPLES["ResourceMetadata"], "xml")[0])
    cap = root.find(f"{{{NS}}}capabilities/{{{NS}}}capability")
    assert cap.get("uri").endswith("DefaultInitialState") and cap.text == "STOPPED"
    attr = root.find(f"{{{NS}}}attributes/{{{NS}}}attribute")
    assert attr.get("name") == "machineConfig" and attr.get("mutable") == "false"


def test_none_renders_as_empty_element():
    xml = render(SAMPLES["MachineCreateByRef"], "xml")[0]
    assert b"<userData/>" in xml
    assert json.loads(render(SAMPLES["MachineCreateByRef"], "json")[0])["machineTemplate"]["userData"] is None


def test_xml_illegal_characters_do_not_break_rendering():
    body, _ = render(dict(MACHINE, name="bad\x01name"), "xml")
    assert "bad\ufffdname".encode() in body


def test_render_needs_resource_uri_for_xml_and_known_format():
    with pytest.raises(ValueError):
        render({"id": "x"}, "xml")
    with pytest.raises(ValueError):
        render(MACHINE, "yaml")


def test_keys_that_are_not_cimi_names_are_skipped_in_xml():
    body, _ = render(dict(MACHINE, **{"bad key": 1, "1st": 2, "x:y": 3}), "xml")
    root = etree.fromstring(body)
    assert root.find(f"{{{NS}}}cpu").text == "2"
    assert b"bad key" not in body and b"1st" not in body
