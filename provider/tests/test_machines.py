"""Machines: create by value and by reference, state machine, operations, sub-collections."""
from __future__ import annotations

import uuid

from cimi import ACTION, NS, available, items, op


def uname(prefix="m"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_create_by_value_and_read(cimi, fmt):
    reply = cimi.create("machines", cimi.machine_body(uname(), userData="I2Nsb3VkLWNvbmZpZwo="))
    assert reply.status == 201
    location = reply.headers["Location"]
    assert reply.doc["id"] == location and reply.headers["CIMI-Job-URI"]
    assert reply.headers["content-type"].startswith(f"application/{fmt}")
    machine = cimi.ok("GET", location).doc
    assert machine["resourceURI"] == NS + "/Machine"
    assert machine["state"] == "STOPPED"  # DefaultInitialState
    assert (machine["cpu"], machine["memory"], machine["cpuArch"]) == (1, 1048576, "x86_64")
    assert machine["machineConfig"]["href"].endswith("machineConfigs/m1-small")
    job = cimi.ok("GET", reply.headers["CIMI-Job-URI"]).doc
    assert job["state"] == "SUCCESS" and job["action"] == "add"
    assert {"href": location} in job["affectedResources"]


def test_create_with_inline_config_and_initial_state(cimi):
    body = cimi.machine_body(uname(), initialState="STARTED",
                             machineConfig={"cpu": 4, "memory": 2097152, "cpuArch": "ARM",
                                            "disks": [{"capacity": 5000000, "format": "raw"}]})
    machine = cimi.ok("GET", cimi.create("machines", body).headers["Location"]).doc
    assert (machine["state"], machine["cpu"], machine["memory"]) == ("STARTED", 4, 2097152)
    disks = items(cimi.ok("GET", machine["disks"]["href"]).doc)
    assert [d["capacity"] for d in disks] == [5000000]
    assert "machineConfig" not in machine  # inline configuration: nothing to refer to


def test_create_by_reference_with_overrides_and_null_erase(cimi):
    c = cimi
    tmpl = c.create("machineTemplates", {
        "resourceURI": NS + "/MachineTemplate", "name": uname("t"),
        "machineConfig": c.ref("machineConfigs", "m1-medium"),
        "machineImage": c.ref("machineImages", "cirros"), "initialState": "STARTED"}).doc
    assert tmpl["initialState"] == "STARTED"
    body = {"name": uname(), "machineTemplate": {"href": tmpl["id"], "initialState": None}}
    machine = c.ok("GET", c.create("machines", body).headers["Location"]).doc
    assert machine["state"] == "STOPPED"  # null erased the template's initialState
    assert machine["cpu"] == 2 and machine["machineImage"]["href"].endswith("cirros")
    body = {"name": uname(), "machineTemplate": {
        "href": tmpl["id"], "machineConfig": c.ref("machineConfigs", "m1-small")}}
    machine = c.ok("GET", c.create("machines", body).headers["Location"]).doc
    assert machine["state"] == "STARTED" and machine["cpu"] == 1


def test_state_machine_and_available_flags(cimi):
    machine = cimi.new_machine(uname())
    assert available(machine, "start") and not available(machine, "stop")
    assert not available(machine, "pause")
    bad = cimi.call("POST", op(machine, ACTION + "stop"),
                    {"resourceURI": NS + "/Action", "action": ACTION + "stop"})
    assert bad.status == 409 and bad.doc["state"] == "FAILED" and bad.doc["id"] == ""
    for action, state in (("start", "STARTED"), ("pause", "PAUSED"), ("start", "STARTED"),
                          ("suspend", "SUSPENDED"), ("start", "STARTED"), ("restart", "STARTED")):
        job = cimi.settle(cimi.act(machine, action))
        assert job["state"] == "SUCCESS" and job["action"] == ACTION + action
        machine = cimi.ok("GET", machine["id"]).doc
        assert machine["state"] == state
    cimi.settle(cimi.act(machine, "stop", force=True))
    machine = cimi.ok("GET", machine["id"]).doc
    assert machine["state"] == "STOPPED"
    assert available(machine, "capture") and not available(machine, "suspend")


def test_delete_removes_machine_and_components(cimi):
    machine = cimi.new_machine(uname())
    iface = items(cimi.ok("GET", machine["interfaces"]["href"]).doc)[0]
    disk = items(cimi.ok("GET", machine["disks"]["href"]).doc)[0]
    reply = cimi.ok("DELETE", op(machine, "delete"))
    assert reply.status in (200, 202) and cimi.settle(reply)["state"] == "SUCCESS"
    for url in (machine["id"], iface["id"], disk["id"], machine["interfaces"]["href"]):
        gone = cimi.call("GET", url)
        assert gone.status == 404 and gone.doc["state"] == "FAILED"


def test_interfaces_and_endpoints(cimi):
    net = cimi.settle(cimi.create("networks", {"name": uname("n"), "networkTemplate": {
        "initialState": "STARTED"}}))
    net_href = net["affectedResources"][-1]["href"]
    machine = cimi.new_machine(uname(), interfaceTemplates=[{"network": {"href": net_href},
                                                             "mtu": 9000}, {}])
    ifaces = items(cimi.ok("GET", machine["interfaces"]["href"]).doc)
    assert len(ifaces) == 2
    first = ifaces[0]
    assert first["resourceURI"] == NS + "/NetworkInterface"
    assert first["network"]["href"] == net_href and first["mtu"] == 9000
    assert first["macAddress"].startswith("52:54:00:")
    eps = items(cimi.ok("GET", first["endpoints"]["href"]).doc)
    assert eps[0]["protocol"] == "IPv4" and eps[0]["address"].startswith(("192.0.2.", "198.1"))
    expanded = cimi.ok("GET", machine["id"], params={"$expand": "interfaces/endpoints"}).doc
    inline = items(expanded["interfaces"])
    assert len(inline) == 2 and items(inline[0]["endpoints"])[0]["address"] == eps[0]["address"]
    # A network used by an interface cannot be deleted.
    assert cimi.call("DELETE", net_href).status == 409


def test_volume_insert_and_remove(cimi):
    volume_job = cimi.settle(cimi.create("volumes", {"name": uname("v"), "volumeTemplate": {
        "volumeConfig": cimi.ref("volumeConfigs", "small-volume")}}))
    vol = volume_job["affectedResources"][-1]["href"]
    machine = cimi.new_machine(uname())
    vols = cimi.ok("GET", machine["volumes"]["href"]).doc
    insert, remove = op(vols, "insert"), op(vols, "remove")
    job = cimi.settle(cimi.ok("POST", insert, {"resourceURI": NS + "/Action",
                                               "action": ACTION + "insert", "volume": {"href": vol},
                                               "initialLocation": "/dev/vdb"}))
    assert job["state"] == "SUCCESS"
    entries = items(cimi.ok("GET", machine["volumes"]["href"]).doc)
    assert [(e["volume"]["href"], e["initialLocation"]) for e in entries] == [(vol, "/dev/vdb")]
    again = cimi.call("POST", insert, {"action": ACTION + "insert", "volume": {"href": vol}})
    assert again.status == 409
    assert cimi.call("DELETE", vol).status == 409  # attached
    cimi.settle(cimi.ok("POST", remove, {"action": ACTION + "remove", "volume": {"href": vol}}))
    assert items(cimi.ok("GET", machine["volumes"]["href"]).doc) == []
    assert cimi.settle(cimi.ok("DELETE", vol))["state"] == "SUCCESS"


def test_capture_stopped_machine(cimi):
    machine = cimi.new_machine(uname())
    reply = cimi.act(machine, "capture", status=(200, 201, 202), name=uname("img"))
    assert cimi.settle(reply)["state"] == "SUCCESS"
    image = cimi.ok("GET", reply.headers["Location"]).doc
    assert image["state"] == "AVAILABLE" and image["type"] == "IMAGE"
    clone = cimi.new_machine(uname(), machineImage={"href": image["id"]})
    assert clone["machineImage"]["href"] == image["id"]
    # Capture through the MachineImage collection with imageLocation = the machine.
    reply = cimi.create("machineImages", {"resourceURI": NS + "/MachineImage", "name": uname("i"),
                                          "imageLocation": machine["id"]})
    assert cimi.settle(reply)["state"] == "SUCCESS"


def test_bad_creates_leave_nothing_behind(cimi_json):
    c = cimi_json
    before = c.ok("GET", c.collection("machines"), params={"$last": "0"}).doc["count"]
    cases = [
        {"name": "x", "machineTemplate": {"machineConfig": {"href": "machineConfigs/nope"}}},
        {"name": "x", "machineTemplate": {"machineConfig": {"cpu": 0, "memory": 1}}},
        {"name": "x", "machineTemplate": {"machineConfig": {"cpu": 1}}},
        {"name": "x", "bogus": 1, "machineTemplate": {"machineConfig": {"cpu": 1, "memory": 1}}},
        {"name": "x", "machineTemplate": {"machineConfig": {"cpu": "1", "memory": 1}}},
        {"name": "x", "machineTemplate": {"initialState": "FLYING",
                                          "machineConfig": {"cpu": 1, "memory": 1}}},
        {"name": "x"},
        {"name": "x", "machineTemplate": {"machineConfig": {"href": "http://evil.example/x"}}},
    ]
    for body in cases:
        reply = c.call("POST", c.collection("machines"), body)
        assert reply.status == 400, (body, reply)
        assert reply.doc["state"] == "FAILED" and reply.doc["statusMessage"]
        assert "Traceback" not in reply.resp.text
    assert c.ok("GET", c.collection("machines"), params={"$last": "0"}).doc["count"] == before


def test_update_full_and_partial(cimi):
    machine = cimi.new_machine(uname())
    machine["description"] = "first"
    machine["properties"] = {"role": "web"}
    machine["cpu"] = 64  # read-only: ignored
    updated = cimi.ok("PUT", op(machine, "edit"), machine).doc
    assert (updated["description"], updated["properties"], updated["cpu"]) == (
        "first", {"role": "web"}, 1)
    part = cimi.ok("PUT", op(machine, "edit"), {"name": "renamed"},
                   params={"$select": "name,description"}).doc
    assert part["name"] == "renamed" and "description" not in part  # selected + absent = erased
    assert part["properties"] == {"role": "web"}
    bad = cimi.call("PUT", op(machine, "edit"), {"properties": {"a": "b"}},
                    params={"$select": "name"})
    assert bad.status == 400
    unknown = cimi.call("PUT", op(machine, "edit"), {"name": "x", "colour": "red"})
    assert unknown.status == 400 and "colour" in unknown.doc["statusMessage"]


MIGRATE = "urn:cloudmgmt:dmtf:cimi-provider/action/migrate"


def test_migrate_is_provider_defined_and_refused_with_one_host(cimi):
    """``migrate`` is advertised under the provider's extension namespace; the memory backend
    has one host, so it is a 409; an unknown parameter a 400; the machine is untouched."""
    machine = cimi.new_machine(uname())
    assert available(machine, MIGRATE)
    href = op(machine, MIGRATE)
    for body, status in (({"host": "elsewhere"}, 409),
                         ({"nothing": 1}, 400)):
        bad = cimi.call("POST", href, {"resourceURI": NS + "/Action", "action": MIGRATE, **body})
        assert bad.status == status, (body, bad.status, bad.doc)
    one_host = cimi.call("POST", href, {"resourceURI": NS + "/Action", "action": MIGRATE})
    assert one_host.status == 409 and "one host" in one_host.doc["statusMessage"]
    assert cimi.ok("GET", machine["id"]).doc["state"] == machine["state"]
