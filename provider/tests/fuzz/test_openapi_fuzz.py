"""Schemathesis against the provider's served OpenAPI document (/cimi/openapi.json).

schemathesis 4.32's pytest loader (``schemathesis.pytest.from_fixture``) fails on pytest 9
(``Function._nodeid`` is gone), so each operation runs through schemathesis' Python API inside a
Hypothesis test of its own: one pytest test per operation, deterministic (derandomized).
"""
from __future__ import annotations

import json

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from cimi_provider.http.openapi import openapi_document
from cimi_provider.serialization import parse_body
from server import ProviderProcess

EXAMPLES_PER_OPERATION = 8
MIN_CASES = 500
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
OPERATIONS = sorted((method.upper(), path) for path, item in openapi_document()["paths"].items()
                    for method in item if method in METHODS)
# The acceptance bar: no 5xx, every response matches its declared status, content type,
# headers and schema.
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance,
          st_checks.content_type_conformance, st_checks.response_headers_conformance,
          st_checks.response_schema_conformance]
CASES: list = []
XML_ANSWERS: list = []


@schemathesis.deserializer("application/xml")
def cimi_xml(_ctx, response):
    """CIMI XML to its JSON shape with the provider's typed reader (an XML document has no
    types of its own), so XML answers are held to the same response schemas as JSON."""
    XML_ANSWERS.append(response.status_code)
    return parse_body(response.content, "application/xml", 1 << 26)


def has_inputs(method: str, path: str) -> bool:
    """Whether an operation takes anything a negative case could get wrong (``/metrics``
    takes nothing: no negative case exists)."""
    item = openapi_document()["paths"][path]
    operation = item[method.lower()]
    return bool(item.get("parameters") or operation.get("parameters")
                or operation.get("requestBody"))


def cases():
    for method, path in OPERATIONS:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode == GenerationMode.NEGATIVE and not has_inputs(method, path):
                continue
            yield pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")


@pytest.fixture(scope="module")
def fuzz_provider(tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "cimi.db"
    with ProviderProcess(db, "--seed-machines", "2") as prov:
        yield prov


@pytest.fixture(scope="module")
def api_schema(fuzz_provider):
    return schemathesis.openapi.from_url(fuzz_provider.base + "openapi.json")


def test_served_document_lists_every_operation(fuzz_provider):
    served = requests.get(fuzz_provider.base + "openapi.json", timeout=30).json()
    assert served["openapi"].startswith("3.")
    labels = sorted((m.upper(), p) for p, item in served["paths"].items()
                    for m in item if m in METHODS)
    assert labels == OPERATIONS
    json.dumps(served)


def existing_id(provider, path: str) -> dict | None:
    """For ``/cimi/<collection>/{id}...``: the id of a resource that exists, if there is one."""
    parts = path.split("/")
    if len(parts) < 4 or parts[3] != "{id}":
        return None
    coll = requests.get(provider.base + parts[2], timeout=30,
                        headers={"Accept": "application/json"}).json()
    found = [v for k, v in coll.items() if isinstance(v, list) and k != "operations"]
    return {"id": found[0][0]["id"].rsplit("/", 1)[1]} if found and found[0] else None


@pytest.mark.parametrize("method,path,mode", list(cases()))
def test_operation(api_schema, fuzz_provider, method, path, mode):
    operation = api_schema[path][method]
    base_url = fuzz_provider.base[:-len("/cimi/")]
    # Positive cases aim at a resource that exists (else every {id} is a 404); negative ones
    # get generated path parameters.
    known = existing_id(fuzz_provider, path) if mode == GenerationMode.POSITIVE else None

    @given(case=operation.as_strategy(mode, path_parameters=known))
    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        CASES.append(method + " " + path)
        case.call_and_validate(base_url=base_url, checks=CHECKS)

    run()
    if mode == GenerationMode.POSITIVE and method == "GET":
        # Generated cases rarely ask for XML: one explicit XML read per GET operation.
        case = operation.Case(path_parameters=known or {"id": "none"},
                              query={"$format": "xml"})
        CASES.append(method + " " + path)
        case.call_and_validate(base_url=base_url, checks=CHECKS)


def test_enough_cases_ran():
    """Runs last (file order): the whole run generated at least MIN_CASES requests."""
    assert len(CASES) >= MIN_CASES, f"{len(CASES)} cases"
    assert any(code < 300 for code in XML_ANSWERS), f"no successful XML answer: {XML_ANSWERS}"
    print(f"\nschemathesis: {len(CASES)} generated cases over {len(OPERATIONS)} operations, "
          f"{len(XML_ANSWERS)} XML answers validated")
