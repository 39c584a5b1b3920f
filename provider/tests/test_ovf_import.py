"""SystemCollection import (memory backend): OVF packages become Systems, over HTTP.

The packages are built here with the project's own OVF fixture builders (tests/ovf_fixtures);
the provider reads them under its --import-root with the collection's OVF engine.
"""
from __future__ import annotations

import hashlib
import os
import sys
import tarfile
from datetime import datetime
from pathlib import Path

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import schema

from cimi import ACTION, NS, Cimi, available, items
from server import ProviderProcess

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "ovf_fixtures"
sys.path.insert(0, str(FIXTURES))

import hostile  # noqa: E402
import ovfgen  # noqa: E402
import realworld  # noqa: E402

COUNTED = ("systems", "machines", "volumes", "networks")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """The import root with a single-VM OVA, the three-tier vApp and hostile packages."""
    root = tmp_path_factory.mktemp("ovf-root")
    spec, files = ovfgen.standard_spec(str(root), "app1", disk_formats=("vmdk",))
    ovfgen.build(str(root / "app1.ova"), spec, files)
    realworld.vapp(str(root), "shop")
    return root


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The export root; also an import root (round trips)."""
    return tmp_path_factory.mktemp("ovf-exports")


@pytest.fixture(scope="module")
def prov(tmp_path_factory, root, exports):
    with ProviderProcess(tmp_path_factory.mktemp("ovf-mem") / "cimi.db", "--import-root",
                         str(root), "--import-root", str(exports), "--export-root", str(exports),
                         "--inject-failure", "^fail-") as proc:
        yield proc


@pytest.fixture(scope="module")
def slow_prov(tmp_path_factory, root):
    with ProviderProcess(tmp_path_factory.mktemp("ovf-slow") / "cimi.db", "--import-root",
                         str(root), "--latency", "0.3") as proc:
        yield proc


@pytest.fixture(params=["json", "xml"])
def api(prov, request):
    return Cimi(prov, request.param)


def import_href(api) -> str:
    coll = api.ok("GET", api.collection("systems"), params={"$last": "0"}).doc
    return next(o["href"] for o in coll["operations"] if o["rel"] == ACTION + "import")


def do_import(api, source, status=(201, 202), **params):
    body = {"resourceURI": NS + "/Action", "action": ACTION + "import", "source": source,
            **params}
    return api.ok("POST", import_href(api), body, status=status)


def ovfgen_read_members(path) -> dict:
    """``{member name: bytes}`` of an OVA, in archive order."""
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def counts(api) -> dict:
    return {key: api.ok("GET", api.collection(key)).doc.get("count", 0) for key in COUNTED}


def sub(api, system: dict, attr: str) -> list:
    return items(api.ok("GET", system[attr]["href"]).doc)


def by_id(api, href: str) -> dict:
    return api.ok("GET", href).doc


def url(path) -> str:
    return "file://" + str(path)


def test_collection_advertises_import(api):
    assert import_href(api).endswith("/systems/import")


def test_single_virtual_system_becomes_a_system_with_one_machine(api, root):
    reply = do_import(api, url(root / "app1.ova"), name="one-vm",
                      ovfProperties={"hostname": "web01", "admin_password": "s3cret-pw"})
    assert reply.status == 201, reply
    assert api.settle(reply)["state"] == "SUCCESS"
    system = api.ok("GET", reply.headers["Location"]).doc
    assert system["name"] == "one-vm" and system["state"] == "STOPPED"
    machines = [by_id(api, m["machine"]["href"]) if "machine" in m else m
                for m in sub(api, system, "machines")]
    assert len(machines) == 1
    machine = machines[0]
    # the default deployment option is "medium": 1 vCPU, 192 MiB
    assert machine["cpu"] == 1 and machine["memory"] == 192 * 1024
    assert machine["properties"]["ovf.hostname"] == "web01"
    assert "ovf.admin_password" not in machine["properties"]  # a password is never shown
    volumes = sub(api, system, "volumes")
    assert len(volumes) == 1
    networks = sorted(n.get("name") or by_id(api, n["network"]["href"])["name"]
                      for n in sub(api, system, "networks"))
    assert networks == ["Inside", "VM Network"]
    identity = system["softwareIdentity"]
    assert identity["name"] == "Test Appliance" and identity["version"] == "3.1.0-test"
    assert identity["softwareCreator"] == "cloudmgmt"
    assert "SoftwareIdentity" in identity["swidTag"] and identity["tagId"] in identity["swidTag"]
    api.settle(api.ok("DELETE", system["id"]))


def test_deployment_option_and_network_mapping(prov, root):
    # JSON: the provider's XML maps name their entries by element (no "VM Network" key)
    api = Cimi(prov, "json")
    net = api.create("networks", {"name": "existing-net", "networkTemplate": {}})
    api.settle(net)
    net_href = net.headers["Location"]
    before = counts(api)
    reply = do_import(api, url(root / "app1.ova"), deploymentOption="large",
                      networkMap={"VM Network": net_href})
    assert api.settle(reply)["state"] == "SUCCESS"
    system = api.ok("GET", reply.headers["Location"]).doc
    machine = sub(api, system, "machines")[0]
    machine = by_id(api, machine["machine"]["href"]) if "machine" in machine else machine
    assert machine["cpu"] == 2 and machine["memory"] == 256 * 1024
    after = counts(api)
    assert after["networks"] == before["networks"] + 1  # only "Inside" is new
    nets = {by_id(api, i["network"]["href"])["name"]
            for i in items(api.ok("GET", machine["interfaces"]["href"]).doc)}
    assert nets == {"existing-net", "Inside"}
    api.settle(api.ok("DELETE", system["id"]))


def test_vapp_becomes_one_machine_per_virtual_system(prov, root):
    api = Cimi(prov, "json")  # XML maps cannot carry a dotted key ("web.hostname") yet
    reply = do_import(api, url(root / "shop.ova"), ovfProperties={"web.hostname": "shop-web"})
    assert api.settle(reply)["state"] == "SUCCESS"
    system = api.ok("GET", reply.headers["Location"]).doc
    assert system["name"] == "shop"
    names = {}
    for entry in sub(api, system, "machines"):
        machine = by_id(api, entry["machine"]["href"]) if "machine" in entry else entry
        names[machine["name"]] = machine
    assert sorted(names) == ["shop-app", "shop-db", "shop-web"]
    assert names["shop-web"]["properties"]["ovf.com.example.web.hostname"] == "shop-web"
    assert names["shop-db"]["properties"]["ovf.com.example.db.hostname"] == "db"
    assert len(sub(api, system, "volumes")) == 3
    assert system["softwareIdentity"]["name"] == "Shop"
    api.settle(api.ok("DELETE", system["id"]))


def _finish_order(api, job: dict, latency: float) -> list:
    """The names of the nested Jobs' targets in the order their Jobs ended; each ended at
    least one operation's latency after the one before (one after the other, not at once)."""
    out = []
    for ref in job["nestedJobs"]:
        nested = api.wait_job(ref["href"])
        assert nested["state"] == "SUCCESS", nested
        target = by_id(api, nested["targetResource"]["href"])
        ended = datetime.fromisoformat(nested["timeOfStatusChange"].replace("Z", "+00:00"))
        out.append((ended, target["name"]))
    out.sort()
    for (before, _), (after, name) in zip(out, out[1:]):
        assert (after - before).total_seconds() >= latency * 0.8, (name, out)
    return [name for _, name in out]


def test_vapp_start_and_stop_follow_the_startup_section(slow_prov, root):
    api = Cimi(slow_prov, "json")
    reply = do_import(api, url(root / "shop.ova"), name="ordered")
    assert api.settle(reply)["state"] == "SUCCESS"
    system = api.ok("GET", reply.headers["Location"]).doc
    start = api.settle(api.act(system, "start"))
    assert start["state"] == "SUCCESS", start
    # StartupSection: db (order 1), app (2), web (3); each finished before the next began
    assert _finish_order(api, start, 0.3) == ["ordered-db", "ordered-app", "ordered-web"]
    stop = api.settle(api.act(system, "stop", force=True))
    assert stop["state"] == "SUCCESS", stop
    # the machines in reverse order, then the System's networks
    order = _finish_order(api, stop, 0.3 / 2)
    assert order[:3] == ["ordered-web", "ordered-app", "ordered-db"]
    assert sorted(order[3:]) == ["Backend", "Frontend"]
    api.settle(api.ok("DELETE", system["id"]))


HOSTILE = ("path_traversal", "symlink_member", "xxe", "billion_laughs", "url_href",
           "size_lie", "manifest_mismatch_disk", "manifest_omits_disk", "qcow2_backing_file",
           "vmdk_host_file", "capacity_lie", "truncated_tar", "gzip_bomb", "sparse_member",
           "duplicate_member", "required_unknown_section", "qcow2_data_file", "vmdk_bomb")


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_package_is_refused_with_its_error_code(prov, root, case, tmp_path):
    api = Cimi(prov, "json")
    work = root / f"hostile-{case}"
    work.mkdir()
    path, _extra, code = hostile.build_case(case, str(work))
    before = counts(api)
    reply = do_import(api, url(path), status=400)
    assert reply.doc["state"] == "FAILED"
    assert f"error_code {code}" in reply.doc["statusMessage"], reply.doc
    assert str(work) not in reply.doc["statusMessage"] or url(path) in reply.doc["statusMessage"]
    assert counts(api) == before


@pytest.mark.parametrize("source", [
    "file:///etc/passwd", "/etc/passwd", "http://127.0.0.1/x.ova", "file://host/x.ova",
    "file:///srv/../etc/passwd"])
def test_sources_outside_the_import_root_are_refused(prov, source):
    api = Cimi(prov, "json")
    before = counts(api)
    reply = do_import(api, source, status=400)
    assert reply.doc["statusMessage"].startswith("source: ")
    assert counts(api) == before


def test_symlink_out_of_the_import_root_is_refused(prov, root, tmp_path):
    api = Cimi(prov, "json")
    outside = tmp_path / "outside.ova"
    outside.write_bytes((root / "app1.ova").read_bytes())
    link = root / "link-out.ova"
    link.symlink_to(outside)
    try:
        reply = do_import(api, url(link), status=400)
        assert "not an importable file" in reply.doc["statusMessage"]
    finally:
        link.unlink()


def test_bad_parameters_are_refused_and_leave_nothing(prov, root):
    api = Cimi(prov, "json")
    before = counts(api)
    reply = do_import(api, url(root / "app1.ova"), status=400, ovfProperties={"mtu": "12"})
    assert "error_code" in reply.doc["statusMessage"]
    reply = do_import(api, url(root / "app1.ova"), status=400, ovfProperties={"nope": "x"})
    assert "unknown_property" in reply.doc["statusMessage"]
    reply = do_import(api, url(root / "app1.ova"), status=400, deploymentOption="huge")
    assert "error_code" in reply.doc["statusMessage"]
    reply = do_import(api, url(root / "app1.ova"), status=400,
                      networkMap={"No Such Network": api.collection("networks") + "/x"})
    assert reply.status == 400
    reply = do_import(api, url(root / "app1.ova"), status=400,
                      networkMap={"VM Network": api.collection("networks") + "/nope"})
    assert reply.status == 400
    body = {"resourceURI": NS + "/Action", "action": ACTION + "import"}
    assert api.call("POST", import_href(api), body).status == 400  # no source
    assert counts(api) == before


def test_failed_import_leaves_nothing_behind(prov, root):
    """The backend fails on the last machine: networks and volumes made before are removed."""
    api = Cimi(prov, "json")
    before = counts(api)
    reply = do_import(api, url(root / "shop.ova"), name="fail-shop", status=202)
    job = api.settle(reply)
    assert job["state"] == "FAILED" and "injected failure" in job["statusMessage"]
    assert counts(api) == before


def test_import_needs_write_access(root, tmp_path):
    """A provider without an import root refuses every source."""
    with ProviderProcess(tmp_path / "cimi.db") as proc:
        api = Cimi(proc, "json")
        reply = do_import(api, url(root / "app1.ova"), status=400)
        assert "no import root" in reply.doc["statusMessage"]
        assert counts(api) == dict.fromkeys(COUNTED, 0)
    assert os.path.exists(root / "app1.ova")


# -- export -----------------------------------------------------------------------------------
SCHEMAS = FIXTURES / "schemas"


def export(api, system, destination, status=(200, 202), **params):
    return api.act(system, "export", status=status, destination=destination, **params)


def imported(api, source, **params) -> dict:
    reply = do_import(api, source, **params)
    assert api.settle(reply)["state"] == "SUCCESS"
    return api.ok("GET", reply.headers["Location"]).doc


def test_export_writes_a_valid_ova_that_imports_again(prov, root, exports):
    api = Cimi(prov, "json")
    system = imported(api, url(root / "shop.ova"), name="shop-x",
                      ovfProperties={"web.hostname": "w9"})
    job = api.settle(export(api, system, url(exports / "shop-x.ova")))
    assert job["state"] == "SUCCESS", job
    package = ovfgen_read_members(exports / "shop-x.ova")
    assert list(package)[:2] == ["shop-x.ovf", "shop-x.mf"]
    assert "shop-x.swidtag" in package
    assert system["softwareIdentity"]["tagId"] in package["shop-x.swidtag"].decode()
    lint = schema.lint(package["shop-x.ovf"], str(SCHEMAS))
    assert lint["valid"], lint["errors"]
    manifest = package["shop-x.mf"].decode()
    for name, data in package.items():
        if name != "shop-x.mf":
            assert f"SHA256({name})= {hashlib.sha256(data).hexdigest()}" in manifest
    desc = package["shop-x.ovf"].decode()
    assert "VirtualSystemCollection" in desc and "StartupSection" in desc
    # round trip: the exported OVA is a System again, in the same start order
    again = imported(api, url(exports / "shop-x.ova"), name="shop-y")
    machines = sorted(by_id(api, m["machine"]["href"])["name"] if "machine" in m else m["name"]
                      for m in sub(api, again, "machines"))
    assert machines == ["shop-y-shop-x-app", "shop-y-shop-x-db", "shop-y-shop-x-web"]
    members = [by_id(api, m["machine"]["href"]) if "machine" in m else m
               for m in sub(api, again, "machines")]
    web = next(m for m in members if m["name"].endswith("web"))
    assert "w9" in web["properties"].values()
    assert len(sub(api, again, "volumes")) == 3
    assert sorted(n["name"] for n in
                  (by_id(api, x["network"]["href"]) if "network" in x else x
                   for x in sub(api, again, "networks"))) == ["Backend", "Frontend"]
    start = api.settle(api.act(again, "start"))
    order = [by_id(api, api.wait_job(r["href"])["targetResource"]["href"])["name"]
             for r in start["nestedJobs"]]
    assert [n.rsplit("-", 1)[1] for n in order if n.startswith("shop-y")] == ["db", "app", "web"]
    api.settle(api.act(api.ok("GET", again["id"]).doc, "stop", force=True))
    for sys_doc in (system, again):
        api.settle(api.ok("DELETE", sys_doc["id"]))


def test_single_machine_export_is_one_virtual_system(prov, root, exports):
    api = Cimi(prov, "json")
    system = imported(api, url(root / "app1.ova"), name="solo")
    assert api.settle(export(api, system, url(exports / "solo.ova")))["state"] == "SUCCESS"
    package = ovfgen_read_members(exports / "solo.ova")
    desc = package["solo.ovf"]
    assert schema.lint(desc, str(SCHEMAS))["valid"]
    assert b"VirtualSystemCollection" not in desc and b"<VirtualSystem " in desc
    assert b"Test Appliance" in desc
    api.settle(api.ok("DELETE", system["id"]))


def test_export_refuses_existing_files_and_paths_outside_the_root(prov, root, exports, tmp_path):
    api = Cimi(prov, "json")
    system = imported(api, url(root / "app1.ova"), name="guarded")
    taken = exports / "taken.ova"
    taken.write_bytes(b"precious")
    reply = export(api, system, url(taken), status=409)
    assert "never overwrites" in reply.doc["statusMessage"]
    assert taken.read_bytes() == b"precious"
    (exports / "link").symlink_to(tmp_path)
    for destination in (url(exports / "link" / "x.ova"), url(tmp_path / "x.ova"),
                        "file:///etc/x.ova", url(exports / "../x.ova"), url(exports / "no.tar"),
                        "http://127.0.0.1/x.ova", url(exports / "missing" / "x.ova")):
        reply = export(api, system, destination, status=400)
        assert reply.doc["statusMessage"].startswith("destination: "), reply.doc
    assert not (tmp_path / "x.ova").exists()
    reply = export(api, system, url(exports / "x.ova"), status=400, format="application/zip")
    assert not (exports / "x.ova").exists()
    api.settle(api.ok("DELETE", system["id"]))


def test_export_needs_stopped_machines_and_an_export_root(prov, root, exports, tmp_path):
    api = Cimi(prov, "json")
    system = imported(api, url(root / "app1.ova"), name="running")
    api.settle(api.act(system, "start"))
    system = api.ok("GET", system["id"]).doc
    assert not available(system, "export")
    reply = export(api, system, url(exports / "running.ova"), status=409)
    assert not (exports / "running.ova").exists()
    api.settle(api.act(system, "stop", force=True))
    api.settle(api.ok("DELETE", system["id"]))
    with ProviderProcess(tmp_path / "cimi.db", "--import-root", str(root)) as proc:
        other = Cimi(proc, "json")
        system = imported(other, url(root / "app1.ova"))
        reply = export(other, system, url(tmp_path / "x.ova"), status=400)
        assert "no export root" in reply.doc["statusMessage"]


def test_a_system_made_from_a_template_exports_and_imports(prov, exports):
    """Not only imported Systems: one instantiated from a SystemTemplate (machine disks from a
    MachineConfiguration, no software identity of its own: one is made for the package)."""
    api = Cimi(prov, "json")
    config = api.ref("machineConfigs", "m1-small")
    template = api.create("systemTemplates", {
        "name": "exp-st", "componentDescriptors": [
            {"name": "node", "type": NS + "/Machine", "quantity": 2,
             "machineTemplate": {"machineConfig": config, "initialState": "STOPPED",
                                 "machineImage": api.ref("machineImages", "debian-12")}}]})
    reply = api.create("systems", {"name": "from-tmpl",
                                   "systemTemplate": {"href": template.headers["Location"]}})
    assert api.settle(reply)["state"] == "SUCCESS"
    system = api.ok("GET", reply.headers["Location"]).doc
    assert "softwareIdentity" not in system
    job = api.settle(export(api, system, url(exports / "from-tmpl.ova")))
    assert job["state"] == "SUCCESS", job
    package = ovfgen_read_members(exports / "from-tmpl.ova")
    assert schema.lint(package["from-tmpl.ovf"], str(SCHEMAS))["valid"]
    assert b'name="from-tmpl"' in package["from-tmpl.swidtag"]
    again = imported(api, url(exports / "from-tmpl.ova"), name="re")
    members = [by_id(api, m["machine"]["href"]) if "machine" in m else m
               for m in sub(api, again, "machines")]
    assert sorted(m["name"] for m in members) == ["re-node1", "re-node2"]
    # m1-small: 1 CPU, 1 GiB, one 10 GB disk
    assert all(m["cpu"] == 1 and m["memory"] == 1024 * 1024 for m in members)
    assert [v["capacity"] for v in (by_id(api, x["volume"]["href"]) if "volume" in x else x
                                    for x in sub(api, again, "volumes"))] == [10 ** 7] * 2
    for doc in (system, again):
        api.settle(api.ok("DELETE", doc["id"]))
