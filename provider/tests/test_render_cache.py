"""The rendered-answer cache: a write is visible to the very next read, answers never leak
between formats or base URIs, and cached answers are byte-identical to uncached ones."""
from __future__ import annotations

import concurrent.futures

import requests

from cimi import NS, Cimi, items, op
from cimi_provider.http.render_cache import Rendered, RenderCache
from server import ProviderProcess


def test_cache_unit_generation_and_bounds():
    cache = RenderCache(max_entries=2, max_bytes=1000)
    assert cache.get("a", 1) is None
    cache.put("a", 1, Rendered(b"x" * 10, "application/json"))
    assert cache.get("a", 1).body == b"x" * 10
    assert cache.get("a", 2) is None  # a newer generation drops everything
    cache.put("b", 1, Rendered(b"old", "application/json"))  # rendered before the write
    assert cache.get("b", 2) is None
    for key in "cde":
        cache.put(key, 2, Rendered(b"y", "application/json"))
    assert len(cache.entries) == 2 and cache.get("c", 2) is None  # oldest evicted
    cache.put("big", 2, Rendered(b"z" * 600, "application/json"))  # over a quarter: not kept
    assert cache.get("big", 2) is None
    assert not RenderCache(max_entries=0).enabled


def test_write_is_visible_to_the_next_read(provider):
    c = Cimi(provider)
    coll_url = c.collection("machineConfigs")
    before = c.ok("GET", coll_url).doc["count"]
    c.ok("GET", coll_url)  # now cached
    created = c.create("machineConfigs", {"name": "cache-cfg", "cpu": 1, "memory": 1024})
    assert c.ok("GET", coll_url).doc["count"] == before + 1
    url = created.headers["Location"]
    assert c.ok("GET", url).doc["name"] == "cache-cfg"
    doc = dict(c.ok("GET", url).doc, name="renamed")
    c.ok("PUT", op(doc, "edit"), doc)
    assert c.ok("GET", url).doc["name"] == "renamed"
    c.ok("DELETE", op(doc, "delete"))
    assert c.call("GET", url).status == 404
    assert c.ok("GET", coll_url).doc["count"] == before


def test_action_state_change_is_visible(provider):
    c = Cimi(provider)
    machine = c.new_machine("cache-act")
    url = machine["id"]
    state = c.ok("GET", url).doc["state"]
    action = "start" if state == "STOPPED" else "stop"
    c.act(machine, action)
    assert c.ok("GET", url).doc["state"] == ("STARTED" if action == "start" else "STOPPED")


def test_formats_hosts_and_head_are_kept_apart(provider):
    url = provider.base + "machineConfigs"
    as_json = requests.get(url, headers={"Accept": "application/json"}, timeout=30)
    as_xml = requests.get(url, headers={"Accept": "application/xml"}, timeout=30)
    assert as_json.headers["Content-Type"].startswith("application/json")
    assert as_xml.headers["Content-Type"].startswith("application/xml")
    by_format = requests.get(url, params={"$format": "xml"}, timeout=30)
    assert by_format.content == as_xml.content
    other_host = requests.get(url, headers={"Host": f"localhost:{provider.port}"}, timeout=30)
    assert f"http://localhost:{provider.port}/cimi/" in other_host.text
    assert "127.0.0.1" not in other_host.text
    head = requests.head(url, headers={"Accept": "application/json"}, timeout=30)
    assert head.content == b"" and int(head.headers["Content-Length"]) == len(as_json.content)


def test_cached_bytes_equal_uncached_bytes(tmp_path):
    """The same database rendered by a provider without the cache gives the same bytes."""
    reads = (("machines", {"$expand": "*"}), ("machines/bench-00001", {}),
             ("cloudEntryPoint", {"$format": "xml"}), ("machines", {"$select": "name"}))
    with ProviderProcess(tmp_path / "same.db", "--seed-machines", "3",
                         "--render-cache-entries", "0") as plain:
        want = [requests.get(plain.base + path, params=params, timeout=30).text.replace(
            plain.base, "BASE") for path, params in reads]
    with ProviderProcess(tmp_path / "same.db", "--seed-machines", "3") as cached:
        for _ in range(3):
            got = [requests.get(cached.base + path, params=params, timeout=30).text.replace(
                cached.base, "BASE") for path, params in reads]
            assert got == want


def test_concurrent_writes_and_reads(provider):
    """Readers racing with writers: once a rename is acknowledged, no read shows the old name."""
    c = Cimi(provider)
    created = c.create("volumeConfigs", {"name": "race-0", "capacity": 1024})
    url = created.headers["Location"]

    def read(_):
        return requests.get(url, timeout=30).json()["name"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for n in range(1, 6):
            doc = dict(c.ok("GET", url).doc, name=f"race-{n}")
            readers = pool.map(read, range(16))  # racing with the PUT below
            c.ok("PUT", op(doc, "edit"), doc)
            list(readers)
            after = list(pool.map(read, range(16)))
            assert after == [f"race-{n}"] * 16
    coll = c.ok("GET", c.collection("volumeConfigs"), params={"$filter": "name='race-5'"}).doc
    assert [i["id"] for i in items(coll)] == [url] and coll["resourceURI"].startswith(NS)


def test_pages_from_fragments_follow_each_write(tmp_path):
    """With the answer cache off, pages are assembled from per-row fragments: one machine's
    change shows in the next page, and the page holds exactly what each machine's GET shows."""
    with ProviderProcess(tmp_path / "frag.db", "--seed-machines", "5",
                         "--render-cache-entries", "0") as prov:
        c = Cimi(prov)
        url = c.collection("machines")
        first = c.ok("GET", url).doc
        assert first["count"] == 5
        target = items(first)[2]
        action = "start" if target["state"] == "STOPPED" else "stop"
        c.act(target, action)
        again = c.ok("GET", url).doc
        changed = next(m for m in items(again) if m["id"] == target["id"])
        assert changed["state"] == ("STARTED" if action == "start" else "STOPPED")
        for machine in items(again):
            assert c.ok("GET", machine["id"]).doc == machine
        raw = requests.get(url, headers={"Accept": "application/json"}, timeout=30)
        assert raw.json() == again and raw.headers["content-type"] == "application/json"
