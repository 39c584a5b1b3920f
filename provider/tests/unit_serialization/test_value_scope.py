"""valueScope (DSP0263 5.5.14) in XML: enumerations are runs of bare <value> elements."""
from lxml import etree

from cimi_provider.serialization import parse_body, render

NS = "http://schemas.dmtf.org/cimi/2"
METADATA = {
    "resourceURI": f"{NS}/ResourceMetadata",
    "id": "http://example.com/cimi/resourceMetadata/Machine",
    "vscope": [{
        "cpuArch": {"values": ["ARM", "x86_64"], "default": "x86_64"},
        "memory": {"minimum": 65536, "maximum": 16777216, "units": "kibibyte", "increment": 1024},
        "cpu": {"value": 2},
        "machines": {"item": {"remoteLocation": {"values": ["a", "b"], "default": "a"}}},
    }],
}


def test_enumeration_is_bare_value_elements():
    body, _ = render(METADATA, "xml")
    root = etree.fromstring(body)
    values = root.findall(f"{{{NS}}}vscope/{{{NS}}}valueScope/{{{NS}}}cpuArch/{{{NS}}}value")
    assert [v.text for v in values] == ["ARM", "x86_64"]
    assert root.find(f".//{{{NS}}}cpuArch/{{{NS}}}values") is None


def test_value_scope_round_trips_through_xml():
    body, _ = render(METADATA, "xml")
    assert parse_body(body, "application/xml", 1 << 20) == METADATA


def test_single_value_reads_as_assigned_value():
    body = (f'<ResourceMetadata xmlns="{NS}"><id>x</id><vscope><valueScope>'
            f'<cpu><value>4</value><units>count</units></cpu></valueScope></vscope></ResourceMetadata>').encode()
    assert parse_body(body, "application/xml", 1 << 20)["vscope"] == [{"cpu": {"value": 4, "units": "count"}}]
