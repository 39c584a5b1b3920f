"""Meters (DSP0263 5.16) through the real provider (memory backend, simulated counters)."""
from __future__ import annotations

import time

import pytest

from cimi import ACTION, NS, Cimi, available, items
from server import ProviderProcess, wait_until

ASPECT = NS + "/aspect/"
STANDARD = {"cpu": "nanosecond", "memory": "kibibyte", "disk": "byte", "bandwidth": "byte",
            "inputBandwidth": "byte", "outputBandwidth": "byte"}


@pytest.fixture(scope="module")
def metered(tmp_path_factory):
    with ProviderProcess(tmp_path_factory.mktemp("meters") / "cimi.db", "--meter-interval", "1",
                         "--meter-max-samples", "4") as prov:
        yield prov


def meters_of(client: Cimi, machine: dict) -> list:
    current = client.ok("GET", machine["id"]).doc
    return items(client.ok("GET", current["meters"]["href"]).doc)


def samples(client: Cimi, meter: dict) -> list:
    expanded = client.ok("GET", meter["id"], params={"$expand": "samples"}).doc
    return items(expanded["samples"])


def test_a_started_machine_gets_the_standard_meters_with_samples(metered):
    client = Cimi(metered, "json")
    configs = items(client.ok("GET", client.collection("meterConfigs")).doc)
    assert {c["name"]: c["units"] for c in configs} == STANDARD
    assert all(c["sampleInterval"] == 1 and c["aspect"] == ASPECT + c["name"] for c in configs)
    stopped = client.new_machine("unmetered")
    assert meters_of(client, stopped) == []  # meters come with the first start
    machine = client.new_machine("metered", initialState="STARTED")
    meters = {m["aspect"][len(ASPECT):]: m for m in meters_of(client, machine)}
    assert {a: m["units"] for a, m in meters.items()} == STANDARD
    assert all(m["targetResource"]["href"] == machine["id"] and m["state"] == "STARTED"
               for m in meters.values())
    cpu = meters["cpu"]
    values = wait_until(lambda: [s["value"] for s in samples(client, cpu)] if len(
        samples(client, cpu)) >= 3 else None, 20)
    assert values == sorted(values) and values[0] < values[-1], values  # CPU time only grows
    assert samples(client, meters["memory"])[0]["value"] > 0
    # listed at the CEP too, and filterable
    listed = client.ok("GET", client.collection("meters"),
                       params={"$filter": f"aspect='{ASPECT}cpu'"}).doc
    assert cpu["id"] in {m["id"] for m in items(listed)}
    # retention (--meter-max-samples 4): the first sample goes, never more than 4 are kept
    oldest = samples(client, cpu)[0]["id"]
    wait_until(lambda: oldest not in {x["id"] for x in samples(client, cpu)}, 30)
    kept = samples(client, cpu)
    assert len(kept) == 4, kept
    assert client.call("GET", oldest).status == 404


def test_stop_and_start_a_meter(metered):
    client = Cimi(metered, "json")
    machine = client.new_machine("stopstart", initialState="STARTED")
    cpu = next(m for m in meters_of(client, machine) if m["aspect"] == ASPECT + "cpu")
    assert not available(cpu, "start") and available(cpu, "stop")
    client.act(cpu, "stop")
    stopped = client.ok("GET", cpu["id"]).doc
    assert stopped["state"] == "STOPPED" and stopped["stopTime"]
    assert client.call("POST", cpu["id"] + "/stop",
                       {"action": ACTION + "stop"}).status == 409
    before = len(samples(client, cpu))
    time.sleep(2.5)
    assert len(samples(client, cpu)) == before  # a stopped meter takes no samples
    client.act(stopped, "start")
    restarted = client.ok("GET", cpu["id"]).doc
    assert restarted["state"] == "STARTED" and "stopTime" not in restarted
    wait_until(lambda: len(samples(client, cpu)) > before or None, 20)


def test_meter_templates_choose_the_meters(metered):
    client = Cimi(metered, "json")
    config = client.create("meterConfigs", {
        "resourceURI": NS + "/MeterConfiguration", "name": "fast-cpu", "aspect": ASPECT + "cpu",
        "sampleInterval": 2}).headers["Location"]
    template = client.create("meterTemplates", {
        "resourceURI": NS + "/MeterTemplate", "name": "cpu-only",
        "meterConfig": {"href": config}}).headers["Location"]
    inline = client.create("meterTemplates", {
        "resourceURI": NS + "/MeterTemplate", "name": "net-in",
        "meterConfig": {"aspect": ASPECT + "inputBandwidth", "sampleInterval": 3}}).headers["Location"]
    machine = client.new_machine("templated", initialState="STARTED",
                                 meterTemplates=[{"href": template}, {"href": inline}])
    meters = sorted(meters_of(client, machine), key=lambda m: m["aspect"])
    assert [(m["aspect"], m["sampleInterval"], m["units"]) for m in meters] == [
        (ASPECT + "cpu", 2, "nanosecond"), (ASPECT + "inputBandwidth", 3, "byte")]
    # the machine goes, its meters with it
    client.act(client.ok("GET", machine["id"]).doc, "stop")
    assert client.ok("DELETE", machine["id"]).status in (200, 202)
    assert all(client.call("GET", m["id"]).status == 404 for m in meters)


def test_bad_meter_input_is_a_clear_4xx(metered):
    client = Cimi(metered, "json")
    config_add = client.add_href("meterConfigs")
    for body in ({"aspect": ASPECT + "temperature"}, {"aspect": ASPECT + "cpu", "sampleInterval": 0},
                 {"aspect": ASPECT + "cpu", "sampleInterval": "often"}, {"name": "no aspect"},
                 {"aspect": ASPECT + "cpu", "timeScope": "Forever"},
                 {"aspect": ASPECT + "cpu", "sampleInterval": 10 ** 30}):
        reply = client.call("POST", config_add, {"resourceURI": NS + "/MeterConfiguration", **body})
        assert reply.status == 400 and reply.doc["statusMessage"], (body, reply)
    reply = client.call("POST", client.add_href("meterTemplates"),
                        {"resourceURI": NS + "/MeterTemplate", "name": "x"})
    assert reply.status == 400
    not_a_template = client.ref("machineConfigs", "m1-small")
    reply = client.call("POST", client.add_href("machines"), client.machine_body(
        "badmeters", meterTemplates=[not_a_template]))
    assert reply.status == 400 and "MeterTemplate" in reply.doc["statusMessage"], reply
    reply = client.call("POST", client.add_href("machines"), client.machine_body(
        "badmeters", meterTemplates="cpu"))
    assert reply.status == 400, reply
    assert client.call("POST", client.collection("meters"), {"name": "x"}).status == 405
    machine = client.new_machine("refusing", initialState="STARTED")
    meter = meters_of(client, machine)[0]
    assert client.call("DELETE", meter["id"]).status == 405
    assert client.call("POST", meter["id"] + "/explode", {"action": ACTION + "explode"}).status == 404
    bad = client.call("GET", meter["samples"]["href"], params={"$filter": "value>>1"})
    assert bad.status == 400
