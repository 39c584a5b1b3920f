"""CEP, ResourceMetadata, collections and the query parameters, negotiation, error bodies."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from lxml import etree

from cimi import IMAGES, NS, Cimi, items, op

CAPS = NS + "/capability/"


def test_cep(cimi, provider, fmt):
    reply = cimi.ok("GET", provider.cep_url)
    cep = reply.doc
    assert cep["resourceURI"] == NS + "/CloudEntryPoint"
    assert cep["baseURI"] == provider.base and cep["baseURI"].endswith("/")
    keys = [k for k in cep if isinstance(cep[k], dict) and "href" in cep[k]]
    assert keys == ["resourceMetadata", "systems", "systemTemplates", "machines",
                    "machineTemplates", "machineConfigs", "machineImages", "credentials",
                    "credentialTemplates", "volumes", "volumeTemplates", "volumeConfigs",
                    "volumeImages", "networks", "networkTemplates", "jobs", "meters",
                    "meterTemplates", "meterConfigs", "eventLogs"]
    for key in keys:
        assert not cep[key]["href"].startswith("/")
        raw = requests.get(cimi.collection(key), params={"$format": fmt})
        assert raw.status_code == 200
        if fmt == "json":
            assert raw.json()["resourceURI"].endswith("Collection") and "count" in raw.json()
        else:
            root = etree.fromstring(raw.content)
            assert root.tag == f"{{{NS}}}Collection"
            assert root.get("resourceURI").endswith("Collection")
            assert root.find(f"{{{NS}}}count") is not None
    if fmt == "xml":
        root = etree.fromstring(reply.resp.content)
        assert root.tag == f"{{{NS}}}CloudEntryPoint"
        order = [etree.QName(child).localname for child in root]
        assert order.index("baseURI") < order.index("resourceMetadata") < order.index("machines")


def test_cep_update(cimi_json, provider):
    reply = cimi_json.ok("PUT", provider.cep_url, {"resourceURI": NS + "/CloudEntryPoint",
                                                   "name": "lab", "description": "test cloud"})
    assert reply.doc["name"] == "lab" and reply.headers["CIMI-Job-URI"]
    assert cimi_json.ok("GET", provider.cep_url).doc["description"] == "test cloud"


def test_resource_metadata_xml(provider):
    r = requests.get(provider.base + "resourceMetadata/Machine", params={"$format": "xml"})
    root = etree.fromstring(r.content)
    assert root.tag == f"{{{NS}}}ResourceMetadata"
    caps = root.find(f"{{{NS}}}capabilities")
    assert caps is not None and len(caps) >= 5


def test_resource_metadata_capabilities(cimi_json):
    cimi = cimi_json
    coll = cimi.ok("GET", cimi.collection("resourceMetadata")).doc
    by_name = {m["name"]: m for m in coll["resourceMetadatas"]}
    assert {"CloudEntryPoint", "Machine", "Volume", "Network", "Job"} <= set(by_name)
    caps = {c["uri"]: c["value"] for c in by_name["Machine"]["capabilities"]}
    assert caps[CAPS + "Machine/DefaultInitialState"] == "STOPPED"
    assert caps[CAPS + "Machine/MachineTemplateByValue"] in ("true", True)
    cep_caps = {c["uri"] for c in by_name["CloudEntryPoint"]["capabilities"]}
    for name in ("FilterParameter", "FirstParameter", "SelectParameter", "ExpandParameter",
                 "OrderByParameter", "FormatParameter", "QueryPathNotation"):
        assert CAPS + "CloudEntryPoint/" + name in cep_caps
    attrs = {a["name"]: a for a in by_name["Machine"]["attributes"]}
    assert attrs["name"]["consumerWritable"] is True and attrs["cpu"]["consumerWritable"] is False
    one = cimi.ok("GET", by_name["Machine"]["id"]).doc
    assert one["typeURI"] == NS + "/Machine"


def test_query_parameters(cimi):
    batch = uuid.uuid4().hex
    names = [f"q-{batch}-{i}" for i in range(5)]
    for n, name in enumerate(names):
        body = cimi.machine_body(name, machineConfig={"cpu": n + 1, "memory": 1024})
        body["properties"] = {"batch": batch}
        cimi.create("machines", body)
    url = cimi.collection("machines")
    base_filter = f"property['batch']='{batch}'"
    page = cimi.ok("GET", url, params={"$filter": base_filter, "$orderby": "cpu:desc",
                                       "$first": "2", "$last": "3"}).doc
    assert page["count"] == 5 and [m["cpu"] for m in items(page)] == [4, 3]
    only = cimi.ok("GET", url, params={"$filter": [base_filter, "cpu>=4"]}).doc
    assert only["count"] == 2
    none = cimi.ok("GET", url, params={"$filter": base_filter, "$last": "0"}).doc
    assert none["count"] == 5 and items(none) == [] and op(none, "add")
    sel = cimi.ok("GET", url, params={"$filter": base_filter, "$select": "name,cpu"}).doc
    assert all(set(m) <= {"resourceURI", "id", "name", "cpu"} for m in items(sel))
    exp = cimi.ok("GET", url, params={"$filter": f"name='{names[0]}'",
                                      "$expand": "disks,interfaces/endpoints"}).doc
    machine = items(exp)[0]
    assert "count" in machine["interfaces"] and items(items(machine["interfaces"])[0]["endpoints"])
    bad = cimi.call("GET", url, params={"$filter": "name=='x"})
    assert bad.status == 400 and bad.doc["state"] == "FAILED"
    assert cimi.call("GET", url, params={"$first": "x"}).status == 400
    assert cimi.ok("GET", url, params={"$unknown": "1"}).status == 200  # ignored (4.1.6)


def test_format_and_negotiation(provider):
    url = provider.base + "machineConfigs"
    assert requests.get(url, params={"$format": "xml"}).headers["content-type"].startswith(
        "application/xml")
    r = requests.get(url, params={"$format": "JSON"}, headers={"Accept": "application/xml"})
    assert r.headers["content-type"].startswith("application/json")
    assert requests.get(url, headers={"Accept": "application/xml"}).content.startswith(b"<?xml")
    assert requests.get(url, headers={"Accept": "*/*"}).status_code == 200
    r = requests.get(url, headers={"Accept": "text/html"})
    assert r.status_code == 406 and r.json()["returnCode"] == 406
    assert requests.get(url, params={"$format": "yaml"}).status_code == 406


def test_media_type_and_body_errors(provider):
    url = provider.base + "machineConfigs"
    r = requests.post(url, data="cpu=1", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["state"] == "FAILED"
    r = requests.post(url, data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = requests.post(url, data=b"x" * (1024 * 1024 + 10),
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["returnCode"] == 413
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<MachineConfiguration xmlns="http://schemas.dmtf.org/cimi/2"><name>&e;</name>'
           b'<cpu>1</cpu><memory>1</memory></MachineConfiguration>')
    r = requests.post(url, data=xxe, headers={"Content-Type": "application/xml"})
    assert r.status_code == 400 and "root:" not in r.text
    r = requests.post(url, data=json.dumps([1, 2]), headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_not_found_and_method_not_allowed(provider):
    base = provider.base
    r = requests.get(base + "machines/doesnotexist")
    assert r.status_code == 404 and r.json()["id"] == "" and r.json()["state"] == "FAILED"
    assert requests.get(provider.base.replace("/cimi/", "/elsewhere")).status_code == 404
    r = requests.delete(base + "machines")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    r = requests.post(base + "jobs", json={})
    assert r.status_code == 405
    r = requests.delete(base + "machineImages/debian-12/start")
    assert r.status_code == 404
    r = requests.put(base + "resourceMetadata/Machine", json={})
    assert r.status_code == 405
    r = requests.delete(base + "cloudEntryPoint")
    assert r.status_code == 405 and r.json()["returnCode"] == 405


@pytest.mark.parametrize("method, path", [
    ("PUT", "volumeTemplates/a%0Ab"),      # a newline in an id (found by the OpenAPI fuzzer)
    ("GET", "machines/x%0Ay"),
    ("PROPFIND", "machines"),              # a method no route names
])
def test_every_path_and_method_gets_a_cimi_answer(provider, method, path):
    r = requests.request(method, provider.base + path, json={})
    assert r.status_code in (404, 405) and r.headers["content-type"].startswith("application/json")
    assert r.json()["state"] == "FAILED" and r.json()["returnCode"] == r.status_code


def test_xml_collection_shape(provider):
    r = requests.get(provider.base + "machineImages", headers={"Accept": "application/xml"})
    root = etree.fromstring(r.content)
    assert root.tag == f"{{{NS}}}Collection"
    assert root.get("resourceURI") == NS + "/MachineImageCollection"
    wrapper = root.find(f"{{{NS}}}machineImages")
    assert wrapper is not None and len(wrapper.findall(f"{{{NS}}}MachineImage")) >= 2


def test_openapi_document(provider):
    doc = requests.get(provider.base + "openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/cimi/machines" in doc["paths"] and "/cimi/machines/{id}/start" in doc["paths"]
    assert "post" in doc["paths"]["/cimi/machines/{id}/volumes"]


def test_jobs_collection_lists_every_mutation(cimi_json):
    c = cimi_json
    reply = c.create("machineConfigs", {"name": "cfg-job", "cpu": 1, "memory": 1024})
    assert reply.status == 201
    job = c.ok("GET", reply.headers["CIMI-Job-URI"]).doc
    assert job["state"] == "SUCCESS" and job["targetResource"]["href"].endswith("machineConfigs")
    assert c.ok("DELETE", op(reply.doc, "delete")).status == 200
    assert c.call("GET", reply.doc["id"]).status == 404
    found = c.ok("GET", c.collection("jobs"), params={"$filter": "action='delete'"}).doc
    assert found["count"] >= 1


def test_synchronous_delete_answers_200_with_the_completed_job(cimi):
    """DSP0263 4.2.1.4 answers 200; the body is the delete's Job (4.2.1.6), already SUCCESS."""
    cfg = cimi.create("machineConfigs", {"name": f"del-{uuid.uuid4().hex[:6]}", "cpu": 1,
                                         "memory": 1024})
    img = cimi.create("machineImages", {"name": "del-img", "imageLocation": f"{IMAGES}/d.qcow2"})
    old_job = cimi.ok("GET", cfg.headers["CIMI-Job-URI"]).doc
    for target in (cfg.doc, img.doc, old_job):
        reply = cimi.ok("DELETE", op(target, "delete"))
        assert reply.status == 200
        assert reply.headers["Content-Type"].startswith(f"application/{cimi.fmt}")
        job = reply.doc
        assert job["resourceURI"] == NS + "/Job" and job["state"] == "SUCCESS"
        assert job["id"] == reply.headers["CIMI-Job-URI"]
        assert job["targetResource"]["href"] == target["id"] and job["action"] == "delete"
        assert cimi.call("GET", target["id"]).status == 404
        assert cimi.ok("GET", job["id"]).doc["state"] == "SUCCESS"


def test_head_request(provider):
    r = requests.head(provider.cep_url)
    assert r.status_code == 200 and r.content == b""


def test_unknown_path_client(provider):
    c = Cimi(provider, "xml")
    reply = c.call("GET", provider.base + "nothing/here")
    assert reply.status == 404 and reply.doc["state"] == "FAILED"


def test_xml_arrays_of_structures_are_accepted_as_before(provider):
    """An empty <disk/> is a disk with defaults, and a lone disk may omit its <disk> element."""
    url = provider.base + "machineConfigs"
    for disks, expected in (("<disk/>", [{}]), ("<capacity>5</capacity>", [{"capacity": 5}])):
        body = (f'<MachineConfiguration xmlns="{NS}"><name>{uuid.uuid4().hex[:8]}</name>'
                f'<cpu>1</cpu><memory>1024</memory><disks>{disks}</disks>'
                f'</MachineConfiguration>')
        r = requests.post(url, data=body, headers={"Content-Type": "application/xml"})
        assert r.status_code == 201, r.text
        assert r.json()["disks"] == expected
