"""The served OpenAPI response schemas describe what the provider really answers.

Walks a populated provider (every collection, expanded and not, every item, every sub-collection,
jobs, metadata) in JSON and XML and validates each answer against the schema the document
declares for that path, method and status. XML is read back with the provider's typed reader
(the same one the fuzz run registers), so both media types are held to the same shape.
"""
from __future__ import annotations

import re

import jsonschema
import pytest
import requests

from cimi import NS, Cimi, items, op
from cimi_provider.serialization import parse_body

MEDIA = {"json": "application/json", "xml": "application/xml"}


@pytest.fixture(scope="module")
def document(provider):
    return requests.get(provider.base + "openapi.json", timeout=30).json()


def declared_schema(document: dict, url_path: str, method: str, status: int) -> dict:
    """The response schema the document declares for a concrete path (templates matched)."""
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\{id\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, url_path) and method in item:
            response = item[method]["responses"][str(status)]
            return {**response["content"]["application/json"]["schema"],
                    "components": document["components"]}
    raise AssertionError(f"{method.upper()} {url_path} is not in the OpenAPI document")


def check(document, base: str, url: str, fmt: str, params=None, method="get", body=None):
    """GET (or another method on) ``url`` and validate the answer; returns the JSON shape."""
    reply = requests.request(method.upper(), url, params=params, json=body, timeout=30,
                             headers={"Accept": MEDIA[fmt]})
    assert reply.headers["Content-Type"].startswith(MEDIA[fmt]), reply.text
    doc = parse_body(reply.content, MEDIA[fmt], 1 << 26)
    path = "/cimi/" + url[len(base):].split("?", 1)[0]
    jsonschema.validate(doc, declared_schema(document, path, method, reply.status_code))
    return doc


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_answer_matches_its_declared_schema(provider, document, fmt):
    c = Cimi(provider)
    machine = c.new_machine("schema-walk")
    c.create("volumes", {"volumeTemplate": {"volumeConfig": c.ref("volumeConfigs", "small-volume")}})
    base = provider.base
    cep = check(document, base, provider.cep_url, fmt)
    seen = 0
    for key in [k for k, v in cep.items() if isinstance(v, dict) and "href" in v]:
        url = base + cep[key]["href"]
        for params in (None, {"$expand": "*"}, {"$select": "name,operations"}, {"$last": "0"}):
            coll = check(document, base, url, fmt, params)
        for entry in items(check(document, base, url, fmt))[:5]:
            doc = check(document, base, entry["id"], fmt)
            check(document, base, entry["id"], fmt, {"$expand": "*"})
            seen += 1
            for attr, value in doc.items():
                if isinstance(value, dict) and value.get("href", "").startswith(entry["id"] + "/"):
                    sub = check(document, base, value["href"], fmt, {"$expand": "*"})
                    assert sub["resourceURI"].endswith("Collection")
                    for part in items(sub)[:2]:  # disks, interfaces, endpoints
                        # sub-resources have no path of their own in the document: their
                        # shape is the item schema of their collection
                        reply = requests.get(part["id"], headers={"Accept": MEDIA[fmt]}, timeout=30)
                        name = part["resourceURI"].rsplit("/", 1)[1]
                        jsonschema.validate(parse_body(reply.content, MEDIA[fmt], 1 << 26), {
                            "$ref": f"#/components/schemas/{name}",
                            "components": document["components"]})
                        seen += 1
        assert "count" in coll
    assert seen >= 15
    schema = declared_schema(document, "/cimi/" + machine["id"][len(base):], "get", 200)
    with pytest.raises(jsonschema.ValidationError):  # the schemas do constrain
        jsonschema.validate(dict(machine, bogus=1), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(machine, state="NAPPING"), schema)
    job = check(document, base, op(machine, "http://schemas.dmtf.org/cimi/2/action/start"), fmt,
                method="post", body={"resourceURI": NS + "/Action",
                                     "action": NS + "/action/start"})
    assert job["resourceURI"] == NS + "/Job"
