"""DSP0263 2.0 points the plugfest scenarios found the provider getting wrong (issue #15):
capture with a MachineImage body, whitespace around URIs in XML, ResourceMetadata attribute
descriptions, ``<Type>Create`` wrappers for resources created without a template, and 400
messages that name what the client sent."""
from __future__ import annotations

import uuid

import pytest
import requests

from cimi import ACTION, NS, items, op

XML = {"Content-Type": "application/xml", "Accept": "application/json"}


def uname(prefix="io"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def post_xml(url: str, text: str) -> requests.Response:
    return requests.post(url, data=text.encode(), headers=XML, timeout=30)


def test_capture_uri_takes_a_machine_image(cimi):
    """5.14.7.1: a MachineImage may be created by sending it to the Machine's capture URI."""
    machine = cimi.new_machine(uname())
    name = uname("img")
    reply = cimi.ok("POST", op(machine, ACTION + "capture"), {
        "resourceURI": NS + "/MachineImage", "name": name, "description": "by capture URI",
        "type": "SNAPSHOT", "imageLocation": machine["id"]}, status=(201, 202))
    assert cimi.settle(reply)["state"] == "SUCCESS"
    image = cimi.ok("GET", reply.headers["Location"]).doc
    assert (image["name"], image["description"], image["type"], image["state"]) == (
        name, "by capture URI", "SNAPSHOT", "AVAILABLE")
    assert cimi.ok("GET", machine["id"]).doc["state"] == "STOPPED"


def test_capture_uri_refuses_an_image_of_another_machine(cimi):
    machine, other = cimi.new_machine(uname()), cimi.new_machine(uname())
    reply = cimi.call("POST", op(machine, ACTION + "capture"), {
        "resourceURI": NS + "/MachineImage", "name": uname(), "imageLocation": other["id"]})
    assert reply.status == 400 and "imageLocation" in reply.doc["statusMessage"], reply
    refused = cimi.call("POST", op(machine, ACTION + "capture"), {
        "resourceURI": NS + "/MachineImage", "cpu": 2})
    assert refused.status == 400 and "unknown attribute" in refused.doc["statusMessage"]
    start = cimi.call("POST", op(machine, ACTION + "start"), {
        "resourceURI": NS + "/MachineImage", "name": "x"})
    assert start.status == 400 and "Action" in start.doc["statusMessage"], start


def test_action_uri_with_whitespace_as_in_the_spec_examples(provider, cimi_json):
    machine = cimi_json.new_machine(uname())
    reply = post_xml(op(machine, ACTION + "start"), f"""<?xml version="1.0" encoding="UTF-8"?>
<Action xmlns="{NS}">
  <action>
    {NS}/action/start
  </action>
</Action>
""")
    assert reply.status_code in (200, 202), reply.text
    assert cimi_json.ok("GET", machine["id"]).doc["state"] == "STARTED"


def test_metadata_describes_cimi_attributes_without_namespace_and_type(cimi):
    """Table 6: namespace and type shall not be present for CIMI-defined attributes."""
    meta = cimi.ok("GET", "resourceMetadata/Machine").doc
    attrs = {a["name"]: a for a in meta["attributes"]}
    for name in ("id", "name", "state", "cpu", "memory", "disks"):
        assert "namespace" not in attrs[name] and "type" not in attrs[name], attrs[name]
        assert attrs[name]["consumerWritable"] in (True, False)
    extension = attrs["machineConfig"]  # a provider extension keeps both
    assert extension["namespace"] == "urn:cloudmgmt:dmtf:cimi-provider"
    assert extension["type"] == "ref"


CREATE_WRAPPERS = [
    ("volumeConfigs", "VolumeConfiguration",
     "<name>{name}</name><description>wrapped</description><format>ext3</format>"
     "<capacity> 1000 </capacity>", {"format": "ext3", "capacity": 1000}),
    ("machineTemplates", "MachineTemplate",
     '<name>{name}</name><machineConfig href="{config}"/><initialState>STOPPED</initialState>',
     {"initialState": "STOPPED"}),
    ("machineImages", "MachineImage",
     "<name>{name}</name><type>IMAGE</type><imageLocation>{location}</imageLocation>",
     {"type": "IMAGE"}),
]


@pytest.mark.parametrize("key,type_name,inner,expected", CREATE_WRAPPERS,
                         ids=[c[1] for c in CREATE_WRAPPERS])
def test_create_wrapper_for_types_without_template_xml(cimi_json, key, type_name, inner,
                                                        expected):
    """5.5.12.1 names <TypeCreate> for every add; also for types created without a template."""
    name = uname()
    body = inner.format(name=name, config=cimi_json.ref("machineConfigs", "m1-small")["href"],
                        location="file:///srv/cimi-images/disk.qcow2")
    reply = post_xml(cimi_json.add_href(key),
                     f'<{type_name}Create xmlns="{NS}">{body}</{type_name}Create>')
    assert reply.status_code in (201, 202), reply.text
    created = cimi_json.ok("GET", reply.headers["Location"]).doc
    assert created["resourceURI"] == f"{NS}/{type_name}" and created["name"] == name
    assert {k: created[k] for k in expected} == expected


@pytest.mark.parametrize("suffix", ["", "Create"])
def test_create_wrapper_for_types_without_template_json(cimi_json, suffix):
    reply = cimi_json.ok("POST", cimi_json.add_href("volumeConfigs"), {
        "resourceURI": f"{NS}/VolumeConfiguration{suffix}", "name": uname(), "capacity": 5},
        status=201)
    assert cimi_json.ok("GET", reply.headers["Location"]).doc["capacity"] == 5


def test_wrong_root_element_is_named_not_a_resource_uri(provider, cimi_json):
    """A 400 names the element the client sent; it never sent a resourceURI."""
    config = cimi_json.ref("machineConfigs", "m1-small")["href"]
    reply = post_xml(cimi_json.add_href("machines"),
                     f'<Machine><name>m</name><machineTemplate><machineConfig href="{config}"/>'
                     "</machineTemplate></Machine>")
    assert reply.status_code == 400
    message = reply.json()["statusMessage"]
    assert "<Machine>" in message and "<MachineCreate>" in message, message
    assert "resourceURI" not in message, message
    template = post_xml(cimi_json.add_href("volumeConfigs"), "<Volume><capacity>1</capacity></Volume>")
    assert template.status_code == 400
    assert "<VolumeConfiguration> or <VolumeConfigurationCreate>" in template.json()[
        "statusMessage"]
    given = cimi_json.call("POST", cimi_json.add_href("machines"), {
        "resourceURI": NS + "/Machine", "name": "m"})
    assert given.status == 400 and "resourceURI must be" in given.doc["statusMessage"]
    assert not items(cimi_json.ok("GET", cimi_json.collection("machines"),
                                  params={"$filter": "name='m'"}).doc)

