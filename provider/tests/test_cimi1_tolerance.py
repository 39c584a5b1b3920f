"""CIMI 1.x clients: what the provider reads from them always (XML without a namespace, the 1.x
``networkInterfaces`` name, a MachineVolume added to a Machine's volumes) and what
``--compat cimi1`` answers them (the 1.x namespace)."""
from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import requests

from cimi import ACTION, NS, Cimi, items, op
from server import ProviderProcess

V1 = "http://schemas.dmtf.org/cimi/1"


def uname(prefix="v1"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def post_xml(url: str, text: str, accept="application/json") -> requests.Response:
    return requests.post(url, data=text.encode(), timeout=30,
                         headers={"Content-Type": "application/xml", "Accept": accept})


@pytest.fixture(scope="module")
def v1_provider(tmp_path_factory):
    with ProviderProcess(tmp_path_factory.mktemp("cimi1") / "cimi.db",
                         "--compat", "cimi1") as prov:
        yield prov


def test_xml_without_namespace_creates_a_machine(cimi_json):
    c = cimi_json
    name = uname()
    reply = post_xml(c.add_href("machines"), (
        f"<MachineCreate><name>{name}</name><machineTemplate>"
        f'<machineConfig href="{c.ref("machineConfigs", "m1-small")["href"]}"/>'
        f'<machineImage href="{c.ref("machineImages", "debian-12")["href"]}"/>'
        "</machineTemplate></MachineCreate>"))
    assert reply.status_code == 201, reply.text
    assert c.ok("GET", reply.headers["Location"]).doc["name"] == name


def test_network_interfaces_is_read_as_interfaces(cimi_json):
    c = cimi_json
    machine = c.new_machine(uname())
    echoed = {k: v for k, v in machine.items() if k != "interfaces"}
    echoed.update(networkInterfaces=machine["interfaces"], description="1.x echo")
    assert c.ok("PUT", op(machine, "edit"), echoed).status == 200  # read-only: ignored
    assert c.ok("GET", machine["id"]).doc["description"] == "1.x echo"
    both = c.call("PUT", op(machine, "edit"), dict(echoed, interfaces=machine["interfaces"]))
    assert both.status == 400 and "networkInterfaces" in both.doc["statusMessage"], both
    template = c.call("POST", c.add_href("machineTemplates"), {
        "resourceURI": NS + "/MachineTemplate", "name": uname(),
        "machineConfig": c.ref("machineConfigs", "m1-small"),
        "networkInterfaces": {"href": machine["interfaces"]["href"]}})
    assert template.status == 400 and "interfaces" in template.doc["statusMessage"]


def new_volume(c: Cimi) -> str:
    reply = c.create("volumes", {"name": uname("vol"),
                                 "volumeTemplate": {"volumeConfig": {"capacity": 1000}}})
    assert c.settle(reply)["state"] == "SUCCESS"
    return reply.headers["Location"]


@pytest.mark.parametrize("form", ["json", "xml"])
def test_machine_volume_add_attaches(cimi_json, form):
    """1.x attached a Volume by adding a MachineVolume to the Machine's volumes collection."""
    c = cimi_json
    machine, volume = c.new_machine(uname()), new_volume(c)
    volumes = c.ok("GET", machine["volumes"]["href"]).doc
    assert "add" not in [o["rel"] for o in volumes["operations"]]  # only with --compat cimi1
    url = op(volumes, "insert")
    if form == "json":
        reply = c.http.post(url, json={"resourceURI": V1 + "/MachineVolume",
                                       "initialLocation": "/dev/sdf", "volume": {"href": volume}},
                            headers={"Accept": "application/json"}, timeout=30)
    else:
        reply = post_xml(url, f'<MachineVolume xmlns="{V1}"><initialLocation>/dev/sdf'
                              f'</initialLocation><volume href="{volume}"/></MachineVolume>')
    assert reply.status_code == 201, reply.text
    entry = c.ok("GET", reply.headers["Location"]).doc
    assert (entry["volume"]["href"], entry["initialLocation"]) == (volume, "/dev/sdf")
    assert [e["id"] for e in items(c.ok("GET", machine["volumes"]["href"]).doc)] == [entry["id"]]
    again = c.http.post(url, json={"resourceURI": V1 + "/MachineVolume",
                                   "volume": {"href": volume}, "action": ACTION + "insert"},
                        headers={"Accept": "application/json"}, timeout=30)
    assert again.status_code == 400 and "no 'action'" in again.json()["statusMessage"]
    c.settle(c.ok("DELETE", op(entry, "delete")))  # detached: the volume is free again
    assert c.settle(c.ok("DELETE", volume))["state"] == "SUCCESS"


def test_compat_cimi1_answers_in_the_1x_namespace(v1_provider):
    http = requests.Session()
    cep = http.get(v1_provider.cep_url, headers={"Accept": "application/json"}, timeout=30).json()
    assert cep["resourceURI"] == V1 + "/CloudEntryPoint"
    xml = http.get(v1_provider.cep_url, headers={"Accept": "application/xml"}, timeout=30)
    assert xml.text.count(f'xmlns="{V1}"') == 1 and NS not in xml.text
    coll = http.get(v1_provider.base + "machineConfigs", headers={"Accept": "application/xml"},
                    timeout=30)
    assert f'<Collection xmlns="{V1}" resourceURI="{V1}/MachineConfigurationCollection"' in coll.text
    page = http.get(v1_provider.base + "machineConfigs", timeout=30,
                    headers={"Accept": "application/json"}).json()
    assert page["resourceURI"] == V1 + "/MachineConfigurationCollection"
    assert {item["resourceURI"] for item in page["machineConfigurations"]} == {
        V1 + "/MachineConfiguration"}
    missing = http.get(v1_provider.base + "machines/none", timeout=30,
                       headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.json()["resourceURI"] == V1 + "/Job"


def test_compat_cimi1_machine_and_volume_add(v1_provider):
    c = Cimi(v1_provider, "json")
    machine = c.new_machine(uname())  # a 2.0 body is still read
    assert machine["resourceURI"] == V1 + "/Machine"
    start = [o for o in machine["operations"] if o["rel"].endswith("/action/start")]
    assert start and start[0]["rel"] == V1 + "/action/start"
    volumes = c.ok("GET", machine["volumes"]["href"]).doc
    add = op(volumes, "add")
    assert add == op(volumes, "insert")
    reply = c.http.post(add, json={"resourceURI": V1 + "/MachineVolume",
                                   "volume": {"href": new_volume(c)}},
                        headers={"Accept": "application/json"}, timeout=30)
    assert reply.status_code == 201 and reply.json()["resourceURI"] == V1 + "/Job"
    started = c.call("POST", start[0]["href"], {"resourceURI": V1 + "/Action",
                                                "action": V1 + "/action/start"})
    assert started.status == 200 and c.ok("GET", machine["id"]).doc["state"] == "STARTED"


def test_deleting_a_volumes_entry_detaches(cimi):
    """1.x removed the MachineVolume it added with DELETE on the entry's delete operation."""
    machine, volume = cimi.new_machine(uname()), new_volume(cimi)
    volumes = cimi.ok("GET", machine["volumes"]["href"]).doc
    cimi.settle(cimi.ok("POST", op(volumes, "insert"), {
        "resourceURI": NS + "/Action", "action": ACTION + "insert", "volume": {"href": volume}}))
    entry = items(cimi.ok("GET", machine["volumes"]["href"]).doc)[0]
    reply = cimi.ok("DELETE", op(entry, "delete"), status=(200, 202))
    assert cimi.settle(reply)["state"] == "SUCCESS"
    assert cimi.call("GET", entry["id"]).status == 404
    assert items(cimi.ok("GET", machine["volumes"]["href"]).doc) == []
    assert cimi.settle(cimi.ok("DELETE", volume))["state"] == "SUCCESS"  # free again


def test_serve_help_documents_compat():
    out = subprocess.run([sys.executable, "-m", "cimi_provider.cli", "serve", "--help"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "--compat {cimi1}" in out and "http://schemas.dmtf.org/cimi/1" in " ".join(out.split())
