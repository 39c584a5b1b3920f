"""A collection page assembled from per-item JSON fragments is byte for byte the page."""
from __future__ import annotations

import json

import pytest

from cimi_provider.serialization import FragmentPage, prune, render, render_json

NS = "http://schemas.dmtf.org/cimi/2"


def machine(n: int) -> dict:
    return prune({"resourceURI": NS + "/Machine", "id": f"http://h/cimi/machines/m{n}",
                  "name": f"wéb-{n}", "description": "", "state": "STARTED", "cpu": 2,
                  "properties": {"role": "web", "empty": ""}, "disks": {"href": "x"},
                  "operations": [{"rel": "edit", "href": f"http://h/cimi/machines/m{n}"}]})


def page(items: list, ops: list) -> dict:
    doc = {"resourceURI": NS + "/MachineCollection", "id": "http://h/cimi/machines",
           "count": len(items)}
    if items:
        doc["machines"] = items
    if ops:
        doc["operations"] = ops
    return doc


@pytest.mark.parametrize("size, ops", [(3, [{"rel": "add", "href": "http://h/cimi/machines"}]),
                                       (1, []), (0, [{"rel": "add", "href": "x"}]), (0, [])])
def test_assembled_page_is_the_rendered_page(size, ops):
    items = [machine(n) for n in range(size)]
    doc = page(items, ops)
    calls = []

    def fragments():
        calls.append(1)
        return [render_json(item) for item in items]

    assembled, ctype = render(FragmentPage(doc, "machines", fragments), "json")
    assert ctype == "application/json"
    assert assembled == render(doc, "json")[0]
    assert json.loads(assembled) == json.loads(render(doc, "json")[0])
    assert calls == ([1] if size else [])


def test_xml_of_a_fragment_page_is_the_xml_of_the_page():
    items = [machine(n) for n in range(2)]
    doc = page(items, [])
    never = lambda: pytest.fail("XML must not ask for JSON fragments")  # noqa: E731
    assert render(FragmentPage(doc, "machines", never), "xml") == render(doc, "xml")
