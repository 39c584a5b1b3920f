"""FAILED jobs on libvirt: the reason reaches the resource's statusMessage, nothing is left."""
from __future__ import annotations

from libvirt_helpers import NS, machine_body, network, owned_domains_of, pool_volumes


def test_injected_failures_leave_reason_and_nothing_behind(provider, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    domains_before = owned_domains_of(libvirt_conn, prefix)
    volumes_before = set(pool_volumes(libvirt_conn, prefix))
    bodies = {
        "machines": machine_body("fail-vm", initialState="STARTED"),
        "volumes": {"resourceURI": NS + "/VolumeCreate", "name": "fail-vol",
                    "volumeTemplate": {"volumeConfig": {"format": "qcow2", "capacity": 1000}}},
        "networks": {"resourceURI": NS + "/NetworkCreate", "name": "fail-net",
                     "networkTemplate": {"initialState": "STARTED"}},
    }
    for collection, body in bodies.items():
        resp = client.post(client.add_href(collection), body)
        job = client.wait_job(resp)
        assert job["state"] == "FAILED"
        assert job["statusMessage"].startswith(f"injected failure: create of '{body['name']}'")
        resource = client.get(resp.headers["Location"])
        assert resource["state"] == "ERROR"
        assert resource["statusMessage"] == job["statusMessage"]
        if collection == "networks":
            assert network(libvirt_conn, prefix, resource) is None
        client.delete(resource)
    assert owned_domains_of(libvirt_conn, prefix) == domains_before
    assert set(pool_volumes(libvirt_conn, prefix)) == volumes_before


def test_real_failure_reason_on_image(provider, workdir):
    """A genuine backend-side failure (not injected): the image file does not exist."""
    client = provider.client
    bogus = workdir / "images" / "missing.qcow2"
    resp = client.post(client.add_href("machineImages"), {
        "resourceURI": NS + "/MachineImage", "name": "bogus", "type": "IMAGE",
        "imageLocation": f"file://{bogus}"})
    job = client.wait_job(resp)
    assert job["state"] == "FAILED"
    image = client.get(resp.headers["Location"])
    assert image["state"] == "ERROR"
    assert image["statusMessage"] == job["statusMessage"] and image["statusMessage"]
    client.delete(image)


def test_failed_start_sets_reason_and_success_clears_it(provider):
    client = provider.client
    machine = client.create("machines", machine_body("vm-flaky"))
    resp = client.http.put(client.url(client.op(machine, "edit")) + "?$select=name",
                           json={"name": "fail-vm-flaky"}, timeout=30)
    assert resp.status_code == 200, resp.text
    failed = client.action(client.get(machine["id"]), "start", expect="FAILED")
    assert failed["state"] == "STOPPED"  # the failure was injected before libvirt was touched
    assert failed["statusMessage"].startswith("injected failure: start of 'fail-vm-flaky'")
    resp = client.http.put(client.url(client.op(machine, "edit")) + "?$select=name",
                           json={"name": "vm-flaky"}, timeout=30)
    assert resp.status_code == 200, resp.text
    started = client.action(client.get(machine["id"]), "start")
    assert started["state"] == "STARTED" and "statusMessage" not in started
    client.delete(client.action(started, "stop", force=True))
