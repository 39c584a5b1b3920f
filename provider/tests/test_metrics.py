"""/metrics: Prometheus metrics of the real provider, read with prometheus-client's own parser."""
from __future__ import annotations

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from cimi import Cimi, items
from server import ProviderProcess, wait_until


def scrape(prov, **kw) -> dict:
    """{(sample name, sorted labels): value} of one scrape."""
    resp = requests.get(prov.base.replace("/cimi/", "/metrics"), timeout=30, **kw)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(resp.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    with ProviderProcess(tmp_path_factory.mktemp("metrics") / "cimi.db", "--meter-interval", "1",
                         "--inject-failure", "^fail-") as prov:
        yield prov


def test_metrics_count_requests_jobs_machines_and_meter_samples(plain):
    client = Cimi(plain, "json")
    before = scrape(plain)
    machine = client.new_machine("scraped", initialState="STARTED")
    for _ in range(3):
        client.ok("GET", client.collection("machines"))
    assert client.call("GET", plain.base + "machines/nope").status == 404
    failed = client.settle(client.create("machines", client.machine_body("fail-scraped")))
    assert failed["state"] == "FAILED"
    after = scrape(plain)
    reads = sum(value(after, "cimi_requests_total", kind=k, method="GET", status="200")
                - value(before, "cimi_requests_total", kind=k, method="GET", status="200")
                for k in ("collection", "cached"))
    assert reads >= 3
    assert value(after, "cimi_requests_total", kind="unknown", method="GET", status="404") >= 1
    assert value(after, "cimi_request_duration_seconds_count", kind="collection",
                 method="POST") >= 2
    machines = items(client.ok("GET", client.collection("machines")).doc)
    started = sum(1 for m in machines if m["state"] == "STARTED")
    assert value(after, "cimi_machines", state="STARTED") == started >= 1
    assert value(after, "cimi_jobs", state="FAILED") >= 1
    cpu = next(m for m in items(client.ok("GET", machine["meters"]["href"]).doc)
               if m["aspect"].endswith("/cpu"))
    meter = cpu["id"].split("/cimi/", 1)[1]
    labels = {"meter": meter, "machine": machine["id"].split("/cimi/", 1)[1], "aspect": "cpu",
              "units": "nanosecond"}
    first = wait_until(lambda: value(scrape(plain), "cimi_meter_sample", **labels), 20)
    wait_until(lambda: value(scrape(plain), "cimi_meter_sample", **labels) > first, 20)


def test_metrics_answer_only_get_and_head(plain):
    url = plain.base.replace("/cimi/", "/metrics")
    head = requests.head(url, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert requests.post(url, data=b"x", timeout=30).status_code == 405


def test_metrics_are_authenticated_like_the_api(tenant_provider):
    url = tenant_provider.base.replace("/cimi/", "/metrics")
    anonymous = requests.get(url, timeout=30)
    assert anonymous.status_code == 401 and "cimi_" not in anonymous.text
    assert requests.get(url, auth=("root", "wrong"), timeout=30).status_code == 401
    tenant = requests.get(url, auth=("alice", "alice-pw"), timeout=30)  # sees only its own
    assert tenant.status_code == 403 and "cimi_" not in tenant.text
    assert tenant.json()["statusMessage"]
    for who in ("carol", "root"):
        assert value(scrape(tenant_provider, auth=(who, who + "-pw")), "cimi_machines",
                     state="STARTED") == 0
