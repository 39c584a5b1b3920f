"""Request strings a resource could not be rendered with are refused at the edge (400).

A lone surrogate cannot be encoded as UTF-8, and control characters, U+FFFE and U+FFFF cannot be
carried by XML 1.0: stored, such a name would break every later GET of its collection. They are
refused in keys and values at any depth; nothing is stored and the collection still renders.
"""
from __future__ import annotations

import pytest
import requests

from cimi import NS

JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def config(**extra):
    return {"resourceURI": NS + "/MachineConfiguration", "name": "chars-ok", "cpu": 1,
            "memory": 1024, **extra}


# The bodies are written by hand: json.dumps would escape each character as \uXXXX, which is
# exactly what a hostile client sends.
BAD = {
    "name": '"name": "a\\ud800b"',
    "description": '"name": "chars", "description": "\\udfff"',
    "property_key": '"name": "chars", "properties": {"\\ud800": "v"}',
    "property_value": '"name": "chars", "properties": {"k": "x\\udbff"}',
    "nested": '"name": "chars", "disks": [{"capacity": 1, "format": "ext4", "initialLocation": "\\ud800"}]',
    "control_char": '"name": "bell\\u0007"',
    "nul": '"name": "nul\\u0000"',
    "fffe": '"name": "\\ufffe"',
    "ffff_in_key": '"name": "chars", "properties": {"\\uffff": "v"}',
}


def body(fields: str) -> bytes:
    return ('{"resourceURI": "%s/MachineConfiguration", "cpu": 1, "memory": 1024, %s}'
            % (NS, fields)).encode()


@pytest.mark.parametrize("case", sorted(BAD))
def test_unrenderable_strings_refused(provider, case):
    url = provider.base + "machineConfigs"
    before = requests.get(url, headers=JSON, timeout=10).json()["count"]
    r = requests.post(url, data=body(BAD[case]), headers=JSON, timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["state"] == "FAILED" and r.json()["returnCode"] == 400
    for accept in ("application/json", "application/xml"):
        listing = requests.get(url, headers={"Accept": accept}, timeout=10)
        assert listing.status_code == 200, listing.text
    assert requests.get(url, headers=JSON, timeout=10).json()["count"] == before


def test_allowed_characters_accepted(provider):
    """Tab, newline, CR, astral characters (a surrogate pair in JSON) and U+FFFD are fine."""
    url = provider.base + "machineConfigs"
    r = requests.post(url, data=body('"name": "ok\\t\\n\\r \\ud83d\\ude00 \\ufffd"'), headers=JSON,
                      timeout=10)
    assert r.status_code == 201, r.text
    made = requests.get(r.headers["Location"], headers=JSON, timeout=10).json()
    assert made["name"] == "ok\t\n\r \U0001F600 \ufffd"
    xml = requests.get(url, headers={"Accept": "application/xml"}, timeout=10)
    assert xml.status_code == 200 and "\U0001F600".encode() in xml.content
