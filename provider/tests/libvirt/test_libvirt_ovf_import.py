"""SystemCollection import on the real libvirt backend: disks converted into the pool with
qemu-img, one domain per VirtualSystem, property values on the OVF environment ISO, and a
failed or refused import leaves no domain, volume, network or row behind."""
from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import environment, schema

from libvirt_helpers import (ACTION, NS, ProviderProcess, domain, domain_xml, key, pool_volumes,
                             qemu_info)

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "ovf_fixtures"
sys.path.insert(0, str(FIXTURES))

import hostile  # noqa: E402
import ovfgen  # noqa: E402
import realworld  # noqa: E402


@pytest.fixture(scope="module")
def packages(workdir):
    """Packages in the main provider's import root (workdir/images)."""
    root = workdir / "images" / "ovf"
    root.mkdir(exist_ok=True)
    spec, files = ovfgen.standard_spec(str(root), "lvapp", disk_formats=("vmdk",))
    ovfgen.build(str(root / "lvapp.ova"), spec, files)
    realworld.vapp(str(root), "tier")
    return root


def import_system(client, source, **params):
    coll = client.get(client.cep["systems"]["href"] + "?$last=0")
    href = next(o["href"] for o in coll["operations"] if o["rel"] == ACTION + "import")
    body = {"resourceURI": NS + "/Action", "action": ACTION + "import", "source": source,
            **params}
    return client.post(href, body)


def components(client, system: dict, attr: str) -> list:
    coll = client.get(system[attr]["href"])
    out = []
    for entry in next((v for k, v in coll.items() if isinstance(v, list) and k != "operations"),
                      []):
        inner = next((v for v in entry.values() if isinstance(v, dict) and "href" in v), None)
        out.append(client.get(inner["href"]) if inner and "state" not in entry else entry)
    return out


def ours(conn, prefix: str) -> dict:
    return {"domains": {d.name() for d in conn.listAllDomains(0) if d.name().startswith(prefix)},
            "networks": {n.name() for n in conn.listAllNetworks(0)
                         if n.name().startswith(prefix)},
            "volumes": set(pool_volumes(conn, prefix))}


def counts(client) -> dict:
    return {k: client.get(client.cep[k]["href"]).get("count", 0)
            for k in ("systems", "machines", "volumes", "networks")}


def test_single_vm_import_properties_reach_the_iso(provider, packages, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    resp = import_system(client, "file://" + str(packages / "lvapp.ova"), name="lv-one",
                         ovfProperties={"hostname": "lv-web01", "admin_password": "pa55word!"})
    assert resp.status_code in (201, 202), resp.text
    job = client.wait_job(resp, timeout=180)
    assert job["state"] == "SUCCESS", job
    system = client.get(resp.headers["Location"])
    machines = components(client, system, "machines")
    assert len(machines) == 1
    machine = machines[0]
    dom = domain(libvirt_conn, prefix, machine)
    assert dom is not None
    xml = domain_xml(dom)
    sources = [d.find("source").get("file") for d in xml.findall("devices/disk")]
    volumes = pool_volumes(libvirt_conn, prefix)
    vol = components(client, system, "volumes")[0]
    disk_path = volumes[f"{prefix}v-{key(vol)}"]
    assert disk_path in sources
    info = qemu_info(disk_path)
    assert info["format"] == "qcow2" and info["virtual-size"] == 8 * 1024 * 1024
    iso_path = volumes[f"{prefix}m-{key(machine)}-ovfenv"]
    assert iso_path in sources
    env = environment.read_iso_environment(iso_path).decode()
    assert 'oe:key="hostname" oe:value="lv-web01"' in env
    assert 'oe:value="pa55word!"' in env  # the guest gets the password; the API never shows it
    assert "pa55word!" not in str(machine)
    assert xml.find("vcpu").text == "1"
    # delete removes the domain, the converted disk, the ISO and the networks
    before = ours(libvirt_conn, prefix)
    client.delete(system)
    after = ours(libvirt_conn, prefix)
    assert dom.name() not in after["domains"]
    assert f"{prefix}v-{key(vol)}" not in after["volumes"]
    assert f"{prefix}m-{key(machine)}-ovfenv" not in after["volumes"]
    assert len(after["networks"]) == len(before["networks"]) - 2


def test_vapp_import_one_domain_per_system_started_in_order(provider, packages, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    resp = import_system(client, "file://" + str(packages / "tier.ova"), name="lv-tier",
                         ovfProperties={"db.hostname": "database"})
    job = client.wait_job(resp, timeout=180)
    assert job["state"] == "SUCCESS", job
    system = client.get(resp.headers["Location"])
    machines = {m["name"]: m for m in components(client, system, "machines")}
    assert sorted(machines) == ["lv-tier-app", "lv-tier-db", "lv-tier-web"]
    volumes = pool_volumes(libvirt_conn, prefix)
    for name, machine in machines.items():
        assert domain(libvirt_conn, prefix, machine) is not None
        env = environment.read_iso_environment(volumes[f"{prefix}m-{key(machine)}-ovfenv"])
        tier = name.rsplit("-", 1)[1]
        want = "database" if tier == "db" else tier
        assert f'oe:value="{want}"' in env.decode(), (name, env)
    system = client.action(system, "start")
    started = {n: domain(libvirt_conn, prefix, m).isActive() for n, m in machines.items()}
    assert all(started.values()), started
    client.action(system, "stop", force=True)
    assert not any(domain(libvirt_conn, prefix, m).isActive() for m in machines.values())
    client.delete(client.get(system["id"]))
    assert not any(domain(libvirt_conn, prefix, m) for m in machines.values())


@pytest.mark.parametrize("case", ["qcow2_backing_file", "manifest_mismatch_disk", "xxe",
                                  "vmdk_host_file"])
def test_hostile_package_refused_nothing_left(provider, workdir, libvirt_conn, case):
    client, prefix = provider.client, provider.prefix
    work = workdir / "images" / f"hostile-{case}"
    work.mkdir()
    path, _extra, code = hostile.build_case(case, str(work))
    before, rows = ours(libvirt_conn, prefix), counts(client)
    resp = import_system(client, "file://" + path)
    assert resp.status_code == 400, resp.text
    assert f"error_code {code}" in resp.json()["statusMessage"]
    assert ours(libvirt_conn, prefix) == before and counts(client) == rows


def test_failed_import_removes_every_libvirt_object(provider, packages, libvirt_conn):
    """The provider's injected failure (names starting fail-) hits the machines after the
    networks and disks were made: everything is removed again."""
    client, prefix = provider.client, provider.prefix
    before, rows = ours(libvirt_conn, prefix), counts(client)
    resp = import_system(client, "file://" + str(packages / "tier.ova"), name="fail-tier")
    assert resp.status_code == 202, resp.text
    job = client.wait_job(resp, timeout=180)
    assert job["state"] == "FAILED" and "injected failure" in job["statusMessage"], job
    assert ours(libvirt_conn, prefix) == before
    assert counts(client) == rows


def test_source_outside_the_import_root_is_refused(provider, workdir, packages):
    client = provider.client
    outside = workdir / "outside-ovf"
    outside.mkdir(exist_ok=True)
    (outside / "x.ova").write_bytes((packages / "lvapp.ova").read_bytes())
    for source in ("file://" + str(outside / "x.ova"), "file:///etc/shadow"):
        resp = import_system(client, source)
        assert resp.status_code == 400, resp.text
        assert resp.json()["statusMessage"].startswith("source: ")


@pytest.fixture(scope="module")
def exporter(workdir, run_prefix):
    """A provider that may also export, into workdir/images/exports (an import root too)."""
    exports = workdir / "images" / "exports"
    exports.mkdir(exist_ok=True)
    proc = ProviderProcess(workdir, f"{run_prefix}ovfx-", "ovfx",
                           extra_args=("--export-root", str(exports)))
    proc.start()
    try:
        yield proc, exports
    finally:
        proc.stop()


def test_export_converts_the_disks_and_imports_again(exporter, packages, libvirt_conn):
    proc, exports = exporter
    client, prefix = proc.client, proc.prefix
    resp = import_system(client, "file://" + str(packages / "tier.ova"), name="lx")
    assert client.wait_job(resp, timeout=180)["state"] == "SUCCESS"
    system = client.get(resp.headers["Location"])
    # each tier's disk starts with "<tier> disk\n" (the fixture): the export must keep it
    dest = exports / "lx.ova"
    job = client.action(system, "export", destination="file://" + str(dest))
    with tarfile.open(dest) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    assert list(members)[:2] == ["lx.ovf", "lx.mf"] and "lx.swidtag" in members
    assert schema.lint(members["lx.ovf"], str(FIXTURES / "schemas"))["valid"]
    vmdks = [n for n in members if n.endswith(".vmdk")]
    assert len(vmdks) == 3
    for name in vmdks:
        (exports / name).write_bytes(members[name])
        info = qemu_info(str(exports / name))
        assert info["format"] == "vmdk" and info["format-specific"]["data"]["create-type"] \
            == "streamOptimized"
        assert info["virtual-size"] == 1024 * 1024
        out = exports / (name + ".raw")
        subprocess.run(["qemu-img", "convert", "-O", "raw", str(exports / name), str(out)],
                       check=True)
        tier = name.split("-disk")[0].rsplit("-", 1)[1]
        assert out.read_bytes().startswith(f"{tier} disk\n".encode()), name
    again = import_system(client, "file://" + str(dest), name="ly")
    job = client.wait_job(again, timeout=180)
    assert job["state"] == "SUCCESS", job
    second = client.get(again.headers["Location"])
    assert len(components(client, second, "machines")) == 3
    for sys_doc in (system, second):
        client.delete(client.get(sys_doc["id"]))


def test_export_refuses_an_existing_file(exporter, packages):
    proc, exports = exporter
    client = proc.client
    resp = import_system(client, "file://" + str(packages / "lvapp.ova"), name="lz")
    assert client.wait_job(resp, timeout=180)["state"] == "SUCCESS"
    system = client.get(resp.headers["Location"])
    (exports / "kept.ova").write_bytes(b"keep me")
    body = {"resourceURI": NS + "/Action", "action": ACTION + "export",
            "destination": "file://" + str(exports / "kept.ova")}
    resp = client.post(client.op(system, "export"), body)
    assert resp.status_code == 409, resp.text
    assert (exports / "kept.ova").read_bytes() == b"keep me"
    client.delete(system)
