"""EventLogs (DSP0263 5.17.2) through the real provider: access Events carrying the CADF event of
each API change, state Events, alarms for FAILED Jobs, the query engine on Events, retention and
tenancy."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cimi import NS, Cimi, items
from server import ProviderProcess

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "unit" / "plugins"
                       / "module_utils" / "cadf"))
from strict_validator import validate  # noqa: E402 - the strict pycadf validator of the CADF tests

EVENT = NS + "/event/"


def event_log(client: Cimi, resource: dict) -> dict:
    current = client.ok("GET", resource["id"]).doc
    return client.ok("GET", current["eventLog"]["href"]).doc


def events(client: Cimi, log: dict, **params) -> list:
    return items(client.ok("GET", log["events"]["href"], params=params or None).doc)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("eventlogs")
    with ProviderProcess(tmp / "cimi.db", "--inject-failure", "^fail-",
                         "--audit-trail", str(tmp / "audit" / "api.jsonl"),
                         "--event-log-max-events", "12") as prov:
        prov.trail = tmp / "audit" / "api.jsonl"
        yield prov


def trail_records(prov) -> dict:
    out = {}
    for line in prov.trail.read_bytes().splitlines():
        record = json.loads(line)
        out[record["id"]] = record
    return out


def test_api_changes_are_access_events_with_the_trails_cadf_event(audited):
    client = Cimi(audited, "json")
    machine = client.new_machine("logged")
    client.act(machine, "start")
    client.ok("PUT", machine["id"], {"name": "logged", "description": "renamed"})
    log = event_log(client, machine)
    assert log["targetResource"]["href"] == machine["id"]
    assert log["persistence"] == "P7D"
    access = events(client, log, **{"$filter": f"type='{EVENT}access'"})
    assert [e["content"]["action"] for e in access] == ["create", "start", "update"], access
    trail = trail_records(audited)
    for event in access:
        validate(event["content"])  # a strictly valid CADF event under pycadf
        assert event["outcome"] == "Success"
        record = trail[event["content"]["id"]]  # the very event the audit trail recorded
        sealed = [a for a in record["attachments"] if a["name"] != "integrity"]
        assert dict(record, attachments=sealed) == event["content"]
        assert event["content"]["target"]["ref"] == machine["id"]


def test_state_changes_are_state_events(audited):
    client = Cimi(audited, "json")
    machine = client.new_machine("states")
    client.act(machine, "start")
    client.act(client.ok("GET", machine["id"]).doc, "stop")
    log = event_log(client, machine)
    states = events(client, log, **{"$filter": f"type='{EVENT}state'"})
    seen = [(e["content"].get("previousState"), e["content"]["state"]) for e in states]
    assert seen == [(None, "CREATING"), ("CREATING", "STOPPED"), ("STOPPED", "STARTING"),
                    ("STARTING", "STARTED"), ("STARTED", "STOPPING"), ("STOPPING", "STOPPED")]
    assert all(e["content"]["cause"] == "provider" and e["severity"] == "low" for e in states)
    assert all(e["content"]["resource"]["href"] == machine["id"] for e in states)


def test_failed_job_is_an_alarm_and_filter_by_severity(audited):
    client = Cimi(audited, "json")
    machine = client.new_machine("alarming")
    reply = client.act(machine, "start")  # succeeds: nothing to alarm about
    client.ok("PUT", machine["id"], {"name": "fail-now"})  # start now fails (injected)
    client.act(client.ok("GET", machine["id"]).doc, "stop")
    reply = client.act(client.ok("GET", machine["id"]).doc, "start", status=(200, 202, 500))
    job = client.settle(reply)
    assert job["state"] == "FAILED", job
    log = event_log(client, machine)
    high = events(client, log, **{"$filter": "severity='high'"})
    alarms = [e for e in high if e["type"] == EVENT + "alarm"]
    assert len(alarms) == 1, high
    assert alarms[0]["content"]["job"]["href"] == job["id"]
    assert alarms[0]["outcome"] == "Failure"
    assert "injected failure" in alarms[0]["content"]["statusMessage"]
    assert all(e["severity"] == "high" for e in high)
    low = events(client, log, **{"$filter": "severity='low'"})
    assert low and all(e["severity"] == "low" for e in low)
    summary = event_log(client, machine)["summary"]
    assert summary["high"] == len(high)
    # by time: nothing after the last event, everything from the first one on
    every = events(client, log)
    first, last = min(e["timestamp"] for e in every), max(e["timestamp"] for e in every)
    assert events(client, log, **{"$filter": f"timestamp>{last}"}) == []
    assert len(events(client, log, **{"$filter": f"timestamp>={first}"})) == len(every)
    # paging
    page = client.ok("GET", log["events"]["href"], params={"$first": "2", "$last": "3"}).doc
    assert [e["id"] for e in items(page)] == [e["id"] for e in every[1:3]]


def test_failed_create_leaves_its_log_with_an_alarm(audited):
    client = Cimi(audited, "json")
    reply = client.create("machines", client.machine_body("fail-create"))
    job = client.settle(reply)
    assert job["state"] == "FAILED"
    logs = items(client.ok("GET", client.collection("eventLogs"),
                           params={"$filter": "name='events of fail-create'"}).doc)
    assert len(logs) == 1, logs
    alarms = events(client, logs[0], **{"$filter": f"type='{EVENT}alarm' and severity='high'"})
    assert [a["content"]["job"]["href"] for a in alarms] == [job["id"]]


def test_retention_bounds_each_log(audited):
    client = Cimi(audited, "json")
    machine = client.new_machine("busy")
    for n in range(12):  # each update is one access Event: 15 Events in all
        client.ok("PUT", machine["id"], {"name": "busy", "description": f"change {n}"})
    log = event_log(client, machine)
    kept = events(client, log)
    assert len(kept) == 12  # --event-log-max-events
    assert sum(log["summary"].values()) == 12
    assert kept[-1]["content"]["attachments"][0]["content"]["method"] == "PUT"


def test_event_logs_refuse_what_they_do_not_offer(audited):
    client = Cimi(audited, "json")
    machine = client.new_machine("readonly")
    log = event_log(client, machine)
    event = events(client, log)[0]
    assert client.call("POST", client.collection("eventLogs"), {"name": "x"}).status == 405
    assert client.call("DELETE", log["id"]).status == 405
    assert client.call("PUT", event["id"], {"resourceURI": NS + "/Event",
                                            "name": "x"}).status == 405
    assert client.call("DELETE", event["id"]).status == 405
    bad = client.call("GET", log["events"]["href"], params={"$filter": "severity=='high"})
    assert bad.status == 400 and bad.doc["statusMessage"]
    # what the provider keeps (summary, persistence) is not the consumer's to change (5.3)
    kept = client.ok("PUT", log["id"], {"resourceURI": NS + "/EventLog", "summary": {"low": 1},
                                        "persistence": "P1D"}).doc
    assert kept["summary"] == log["summary"] and kept["persistence"] == "P7D"
    bad = client.call("PUT", log["id"], {"resourceURI": NS + "/EventLog", "name": ["x"]})
    assert bad.status == 400, bad
    renamed = client.ok("PUT", log["id"], {"resourceURI": NS + "/EventLog", "name": "mine"}).doc
    assert renamed["name"] == "mine" and renamed["summary"] == log["summary"]


def test_events_render_as_xml(audited):
    client = Cimi(audited, "xml")
    machine = client.new_machine("xmlish")
    log = event_log(client, machine)
    assert log["resourceURI"] == NS + "/EventLog"
    listed = client.ok("GET", log["events"]["href"]).doc
    assert int(listed["count"]) >= 3


def test_a_principal_sees_only_the_logs_of_what_it_sees(tenant_provider):
    alice, bob, root = (Cimi(tenant_provider, "json", auth=(n, n + "-pw"))
                        for n in ("alice", "bob", "root"))
    mine = alice.new_machine("alices")
    theirs = bob.new_machine("bobs")
    alice_log, bob_log = event_log(alice, mine), event_log(bob, theirs)
    assert alice.call("GET", bob_log["id"]).status == 404
    assert alice.call("GET", bob_log["events"]["href"]).status == 404
    assert alice.call("GET", events(bob, bob_log)[0]["id"]).status == 404
    assert alice.call("PUT", bob_log["id"], {"resourceURI": NS + "/EventLog",
                                             "name": "x"}).status == 404
    listed = {log["id"] for log in items(alice.ok("GET", alice.collection("eventLogs")).doc)}
    assert alice_log["id"] in listed and bob_log["id"] not in listed
    every = {log["id"] for log in items(root.ok("GET", root.collection("eventLogs")).doc)}
    assert {alice_log["id"], bob_log["id"]} <= every
    # the CADF content names who made the change
    created = events(alice, alice_log, **{"$filter": f"type='{EVENT}access'"})[0]
    assert created["content"]["initiator"]["name"] == "alice"
    validate(created["content"])
