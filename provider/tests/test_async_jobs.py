"""Asynchronous work (latency 0.3 s): 202 answers, job progress, injected failures, job stop."""
from __future__ import annotations

import uuid

from cimi import ACTION, NS, op
from server import wait_until


def uname(prefix="a"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_async_create_action_delete(slow):
    reply = slow.create("machines", slow.machine_body(uname(), initialState="STARTED"))
    assert reply.status == 202
    assert reply.doc["state"] == "CREATING" and reply.doc["id"] == reply.headers["Location"]
    job_url = reply.headers["CIMI-Job-URI"]
    early = slow.ok("GET", job_url).doc
    assert early["state"] in ("QUEUED", "RUNNING") and early["progress"] < 100
    creating = slow.ok("GET", reply.headers["Location"]).doc
    assert creating["state"] == "CREATING"
    assert creating["operations"][1]["rel"] == "delete"
    assert creating["operations"][1]["available"] is False
    job = slow.wait_job(job_url)
    assert job["state"] == "SUCCESS" and job["progress"] == 100
    machine = slow.ok("GET", reply.headers["Location"]).doc
    assert machine["state"] == "STARTED"
    stop = slow.act(machine, "stop")
    assert stop.status == 202
    assert slow.ok("GET", machine["id"]).doc["state"] == "STOPPING"
    assert slow.wait_job(stop.headers["CIMI-Job-URI"])["state"] == "SUCCESS"
    delete = slow.ok("DELETE", op(machine, "delete"))
    assert delete.status == 202
    assert slow.ok("GET", machine["id"]).doc["state"] == "DELETING"
    assert slow.wait_job(delete.headers["CIMI-Job-URI"])["state"] == "SUCCESS"
    assert slow.call("GET", machine["id"]).status == 404


def test_progress_is_reported(slow_provider):
    from cimi import Cimi
    c = Cimi(slow_provider)
    reply = c.create("machines", c.machine_body(uname()))
    seen = set()

    def finished():
        job = c.ok("GET", reply.headers["CIMI-Job-URI"]).doc
        seen.add(job["progress"])
        return job["state"] == "SUCCESS"

    wait_until(finished, interval=0.02)
    assert 100 in seen and len(seen) >= 2


def test_injected_failure_by_name(slow):
    reply = slow.create("machines", slow.machine_body("fail-" + uname()))
    job = slow.wait_job(reply.headers["CIMI-Job-URI"])
    assert job["state"] == "FAILED" and "injected failure" in job["statusMessage"]
    machine = slow.ok("GET", reply.headers["Location"]).doc
    assert machine["state"] == "ERROR"
    assert slow.settle(slow.ok("DELETE", op(machine, "delete")))["state"] == "SUCCESS"


def test_injected_failure_by_property_on_start(slow_provider):
    from cimi import Cimi
    c = Cimi(slow_provider)
    body = c.machine_body(uname())
    body["properties"] = {"role": "broken"}
    reply = c.create("machines", body)
    assert c.wait_job(reply.headers["CIMI-Job-URI"])["state"] == "FAILED"


def test_sync_failure_is_visible(provider):
    from cimi import Cimi
    c = Cimi(provider)
    reply = c.call("POST", c.collection("machines"), c.machine_body("fail-" + uname()))
    assert reply.status == 202  # not a success: the Job tells what happened
    job = c.ok("GET", reply.headers["CIMI-Job-URI"]).doc
    assert job["state"] == "FAILED" and job["returnCode"] != 0


def test_job_stop(slow):
    reply = slow.create("machines", slow.machine_body(uname()))
    job = slow.ok("GET", reply.headers["CIMI-Job-URI"]).doc
    stop = slow.call("POST", op(job, ACTION + "stop"), {"action": ACTION + "stop"})
    assert stop.status == 202
    final = slow.wait_job(job["id"])
    assert final["state"] == "STOPPED"
    assert slow.ok("GET", reply.headers["Location"]).doc["state"] == "ERROR"
    again = slow.call("POST", op(final, ACTION + "stop"), {"action": ACTION + "stop"})
    assert again.status == 409


def test_async_system_nested_jobs(slow_provider):
    from cimi import Cimi
    c = Cimi(slow_provider)
    tmpl = c.create("systemTemplates", {"name": uname("st"), "componentDescriptors": [
        {"name": "node", "type": NS + "/Machine", "quantity": 3,
         "machineTemplate": {"machineConfig": c.ref("machineConfigs", "m1-small")}}]}).doc
    reply = c.create("systems", {"name": uname("sys"), "systemTemplate": {"href": tmpl["id"]}})
    assert reply.status == 202 and reply.doc["state"] == "CREATING"
    job = c.wait_job(reply.headers["CIMI-Job-URI"])
    assert job["state"] == "SUCCESS" and len(job["nestedJobs"]) == 3
    system = c.ok("GET", reply.headers["Location"]).doc
    assert system["state"] == "STOPPED"
    start = c.act(system, "start")
    assert start.status == 202
    assert c.wait_job(start.headers["CIMI-Job-URI"])["state"] == "SUCCESS"
    assert c.ok("GET", system["id"]).doc["state"] == "STARTED"


def test_volume_cannot_be_attached_twice_while_attaching(slow_provider):
    from cimi import Cimi, items
    c = Cimi(slow_provider)
    vol = c.create("volumes", {"name": uname("v"), "volumeTemplate": {
        "volumeConfig": c.ref("volumeConfigs", "small-volume")}})
    c.settle(vol)
    vol_href = vol.headers["Location"]
    first = c.new_machine(uname(), volumes=[{"volume": {"href": vol_href},
                                              "initialLocation": "/dev/vdb"}])
    located = items(c.ok("GET", first["volumes"]["href"]).doc)
    assert [e["volume"]["href"] for e in located] == [vol_href]
    c.settle(c.ok("POST", op(c.ok("GET", first["volumes"]["href"]).doc, "remove"),
                  {"action": ACTION + "remove", "volume": {"href": vol_href}}))
    second = c.new_machine(uname())
    insert = op(c.ok("GET", second["volumes"]["href"]).doc, "insert")
    attach = c.call("POST", insert, {"action": ACTION + "insert", "volume": {"href": vol_href}})
    assert attach.status == 202
    clash = c.call("POST", op(c.ok("GET", first["volumes"]["href"]).doc, "insert"),
                   {"action": ACTION + "insert", "volume": {"href": vol_href}})
    assert clash.status == 409
    assert c.call("DELETE", vol_href).status == 409
    assert c.settle(attach)["state"] == "SUCCESS"


def test_failed_job_reason_is_on_the_resource(slow):
    """A FAILED Job leaves its reason in the resource's statusMessage; a later success clears it."""
    machine_reply = slow.create("machines", slow.machine_body("fail-" + uname()))
    volume_reply = slow.create("volumes", {"name": "fail-" + uname("v"), "volumeTemplate": {
        "volumeConfig": {"format": "qcow2", "capacity": 1024}}})
    network_reply = slow.create("networks", {"name": "fail-" + uname("n"),
                                              "networkTemplate": {"initialState": "STARTED"}})
    for reply in (machine_reply, volume_reply, network_reply):
        job = slow.wait_job(reply.headers["CIMI-Job-URI"])
        assert job["state"] == "FAILED"
        resource = slow.ok("GET", reply.headers["Location"]).doc
        assert resource["state"] == "ERROR"
        assert resource["statusMessage"] == job["statusMessage"]
        assert "injected failure" in resource["statusMessage"]
        assert slow.settle(slow.ok("DELETE", op(resource, "delete")))["state"] == "SUCCESS"


def test_failed_start_reason_is_cleared_by_a_later_success(slow_provider):
    from cimi import Cimi
    c = Cimi(slow_provider)
    reply = c.create("machines", c.machine_body(uname()))
    assert c.wait_job(reply.headers["CIMI-Job-URI"])["state"] == "SUCCESS"
    machine = c.ok("GET", reply.headers["Location"]).doc
    assert "statusMessage" not in machine
    name = machine["name"]
    broken = c.ok("PUT", op(machine, "edit") + "?$select=name", {"name": "fail-" + name}).doc
    assert c.wait_job(c.act(broken, "start").headers["CIMI-Job-URI"])["state"] == "FAILED"
    failed = c.ok("GET", machine["id"]).doc
    assert "injected failure: start" in failed["statusMessage"]
    fixed = c.ok("PUT", op(failed, "edit") + "?$select=name", {"name": name}).doc
    assert c.wait_job(c.act(fixed, "start").headers["CIMI-Job-URI"])["state"] == "SUCCESS"
    started = c.ok("GET", machine["id"]).doc
    assert started["state"] == "STARTED" and "statusMessage" not in started
    assert c.settle(c.ok("DELETE", op(started, "delete")))["state"] == "SUCCESS"
