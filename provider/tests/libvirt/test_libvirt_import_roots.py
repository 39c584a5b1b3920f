"""Imports on the real libvirt backend: only regular files under an import root are copied into
the pool; everything else is refused with one message that never tells whether a path exists."""
from __future__ import annotations

import os
import subprocess
import time

import pytest

from cimi_provider.imports import DISABLED, REFUSED, SYNTAX
from libvirt_helpers import NS, ProviderProcess, key, pool_volumes, qemu_info


def image_body(location, name="imp"):
    return {"resourceURI": NS + "/MachineImage", "name": name, "type": "IMAGE",
            "imageLocation": location}


def volume_body(volume_image, name="imp-vol"):
    return {"resourceURI": NS + "/VolumeCreate", "name": name, "volumeTemplate": {
        "volumeConfig": {"capacity": 10000}, "volumeImage": {"href": volume_image["id"]}}}


def qemu_img(*args):
    subprocess.run(["qemu-img", "create", "-q", *map(str, args)], check=True)


def refused_at_post(client, collection, body):
    resp = client.post(client.add_href(collection), body)
    assert resp.status_code == 400, (body, resp.status_code, resp.text)
    return resp.json()["statusMessage"]


def failed_job(client, collection, body):
    """The import is accepted at POST (the location may be valid) and its job fails."""
    started = time.monotonic()
    resp = client.post(client.add_href(collection), body)
    assert resp.status_code in (201, 202), resp.text
    job = client.wait_job(resp, timeout=20)
    assert time.monotonic() - started < 20
    assert job["state"] == "FAILED", job
    client.delete(client.get(resp.headers["Location"]))
    return job["statusMessage"]


@pytest.fixture(scope="module")
def images(workdir):
    """Hostile and valid entries in the main provider's import root (workdir/images)."""
    root = workdir / "images"
    outside = workdir / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.raw").write_bytes(b"s3cret" * 1000)
    entries = {"escape": outside / "secret.raw", "dirlink": outside, "devzero": "/dev/zero",
               "passwd": "/etc/passwd"}
    for name, target in entries.items():
        if not (root / name).is_symlink():
            (root / name).symlink_to(target)
    if not (root / "fifo").exists():
        os.mkfifo(root / "fifo")
    (root / "adir").mkdir(exist_ok=True)
    qemu_img("-f", "qcow2", root / "ok.qcow2", "8M")
    qemu_img("-f", "raw", root / "ok.raw", "4M")
    qemu_img("-f", "qcow2", "-u", "-b", "/etc/passwd", "-F", "raw", root / "chained.qcow2", "8M")
    qemu_img("-f", "qcow2", "-o", f"data_file={outside / 'data.raw'}", root / "datafile.qcow2",
             "8M")
    return root


def test_locations_that_can_never_be_valid_are_400(provider, images):
    client = provider.client
    cases = {"file:///etc/shadow": REFUSED, "/etc/passwd": SYNTAX,
             "file:///%65tc/passwd": REFUSED, "file:///dev/zero": REFUSED,
             f"file://{images}/../main.db": SYNTAX, f"file://localhost{images}/ok.raw": SYNTAX,
             f"file://{provider.db}": REFUSED, f"file://{provider.pool}/x.qcow2": REFUSED,
             "ftp://127.0.0.1/ok.raw": SYNTAX}
    for location, message in cases.items():
        assert refused_at_post(client, "machineImages", image_body(location)) == message, location
        assert refused_at_post(client, "volumeImages", {
            "resourceURI": NS + "/VolumeImage", "name": "vi", "imageLocation": location}) == message
    assert client.get(client.cep["machineImages"]["href"] + "?$filter=name='imp'")["count"] == 0


def test_file_system_refusals_are_one_message_and_leave_nothing(provider, images, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    before = set(pool_volumes(libvirt_conn, prefix))
    messages = {name: failed_job(client, "machineImages", image_body(f"file://{images}/{name}"))
                for name in ("missing.qcow2", "escape", "dirlink", "dirlink/secret.raw",
                             "devzero", "passwd", "fifo", "adir")}
    messages["forbidden (at POST)"] = refused_at_post(client, "machineImages",
                                                      image_body("file:///etc/shadow"))
    assert set(messages.values()) == {REFUSED}, messages
    assert set(pool_volumes(libvirt_conn, prefix)) == before


def test_valid_images_import_and_unsafe_qcow2_are_refused(provider, images, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    for name, fmt in (("ok.qcow2", "qcow2"), ("ok.raw", "raw")):
        image = client.create("machineImages", image_body(f"file://{images}/{name}", name))
        assert image["state"] == "AVAILABLE"
        assert qemu_info(pool_volumes(libvirt_conn, prefix)[f"{prefix}i-{key(image)}"])[
            "format"] == fmt
        client.delete(image)
    before = set(pool_volumes(libvirt_conn, prefix))
    assert "backing file" in failed_job(client, "machineImages",
                                        image_body(f"file://{images}/chained.qcow2"))
    assert "data file" in failed_job(client, "machineImages",
                                     image_body(f"file://{images}/datafile.qcow2"))
    assert set(pool_volumes(libvirt_conn, prefix)) == before


def test_volume_imports_follow_the_same_rules(provider, images, libvirt_conn):
    client, prefix = provider.client, provider.prefix
    good = client.create("volumeImages", {"resourceURI": NS + "/VolumeImage", "name": "vi-ok",
                                          "imageLocation": f"file://{images}/ok.qcow2"})
    volume = client.create("volumes", volume_body(good))
    assert volume["state"] == "AVAILABLE" and volume["bootable"] is True
    assert qemu_info(pool_volumes(libvirt_conn, prefix)[f"{prefix}v-{key(volume)}"])[
        "format"] == "qcow2"
    client.delete(volume)
    before = set(pool_volumes(libvirt_conn, prefix))
    for name in ("escape", "missing.raw", "fifo"):
        bad = client.create("volumeImages", {"resourceURI": NS + "/VolumeImage", "name": "vi-bad",
                                             "imageLocation": f"file://{images}/{name}"})
        assert failed_job(client, "volumes", volume_body(bad)) == REFUSED
    assert set(pool_volumes(libvirt_conn, prefix)) == before


@pytest.fixture(scope="module")
def wide_provider(workdir, run_prefix, libvirt_conn):
    """A provider whose import root is above its database, its pool and another libvirt pool."""
    other = workdir / "otherpool"
    other.mkdir(exist_ok=True)
    pool = libvirt_conn.storagePoolCreateXML(
        f"<pool type='dir'><name>{run_prefix}otherpool</name><target><path>{other}</path>"
        "</target></pool>", 0)
    proc = ProviderProcess(workdir, f"{run_prefix}wide-", "wide", import_roots=[workdir])
    proc.start()
    try:
        yield proc, other
    finally:
        proc.stop()
        pool.destroy()


def test_own_files_and_pool_volumes_are_never_a_source(wide_provider, workdir, libvirt_conn):
    proc, other = wide_provider
    client = proc.client
    volume = client.create("volumes", {"resourceURI": NS + "/VolumeCreate", "name": "own",
                                       "volumeTemplate": {"volumeConfig": {"capacity": 10000}}})
    volume_path = pool_volumes(libvirt_conn, proc.prefix)[f"{proc.prefix}v-{key(volume)}"]
    qemu_img("-f", "raw", other / "theirs.raw", "1M")
    images = workdir / "images"
    for name, target in (("to-own-volume", volume_path), ("to-db", proc.db)):
        if not (images / name).is_symlink():
            (images / name).symlink_to(target)
    if not (images / "hardlink-volume").exists():
        os.link(volume_path, images / "hardlink-volume")
    for location in (f"file://{proc.db}", f"file://{volume_path}"):
        assert refused_at_post(client, "machineImages", image_body(location)) == REFUSED
    for path in (other / "theirs.raw", images / "to-own-volume", images / "to-db",
                 images / "hardlink-volume"):
        assert failed_job(client, "machineImages", image_body(f"file://{path}")) == REFUSED, path
    assert client.create("machineImages", image_body(f"file://{images}/ok.raw"))["state"] \
        == "AVAILABLE"
    client.delete(volume)


def test_no_import_root_refuses_every_file_import(workdir, run_prefix, images):
    proc = ProviderProcess(workdir, f"{run_prefix}noroot-", "noroot", import_roots=[])
    proc.start()
    try:
        for collection, rtype in (("machineImages", "MachineImage"),
                                  ("volumeImages", "VolumeImage")):
            assert refused_at_post(proc.client, collection, {
                "resourceURI": f"{NS}/{rtype}", "name": "x",
                "imageLocation": f"file://{images}/ok.raw"}) == DISABLED
    finally:
        proc.stop()
