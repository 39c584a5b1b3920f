"""Image imports come only from the operator's import roots (the location checker, and the memory
backend over HTTP; the libvirt copy itself is in libvirt/test_libvirt_import_roots.py)."""
from __future__ import annotations

import os
import time

import pytest
import requests

from cimi import IMAGES, IMPORT_ROOT, NS
from cimi_provider.imports import (DISABLED, REFUSED, SYNTAX, ImportPolicy, ImportRefused,
                                   roots_from)
from server import ProviderProcess

JSON = {"Accept": "application/json", "Content-Type": "application/json"}


@pytest.fixture()
def tree(tmp_path):
    """root/ (the import root) with a good image, and outside/ with a secret beside it."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "good.raw").write_bytes(b"\0" * 4096)
    (root / "sub" / "nested.raw").write_bytes(b"\1" * 512)
    (outside / "secret").write_text("s3cret")
    (root / "escape").symlink_to(outside / "secret")
    (root / "dirlink").symlink_to(outside)
    (root / "devzero").symlink_to("/dev/zero")
    (root / "inner").symlink_to(root / "good.raw")
    os.mkfifo(root / "fifo")
    (root / "adir").mkdir()
    return root, outside


def refusal(policy, location, **kw):
    with pytest.raises(ImportRefused) as caught:
        policy.open(location, **kw).close()
    return str(caught.value)


@pytest.mark.parametrize("location", [
    "/etc/passwd", "etc/passwd", "file:etc/passwd", "file://host/etc/passwd",
    "file://localhost/etc/passwd", "http://127.0.0.1/x.qcow2", "file:///srv/../etc/passwd",
    "file:///srv/./x", "file:///srv//x", "file:///srv/x%00y", "file:///srv/x\0y",
    "file:///srv/x?y", "file:///srv/x#y", "file:///srv/%ff", "", None, 7,
])
def test_malformed_locations_are_refused_statically(location):
    with pytest.raises(ImportRefused) as caught:
        ImportPolicy(["/srv"]).check(location)
    assert str(caught.value) == SYNTAX


def test_no_root_refuses_every_file_import():
    with pytest.raises(ImportRefused) as caught:
        ImportPolicy().check("file:///srv/images/a.qcow2")
    assert str(caught.value) == DISABLED


def test_outside_and_encoded_paths_are_refused(tree):
    root, outside = tree
    policy = ImportPolicy([root])
    for location in ("file:///etc/shadow", "file:///%65tc/passwd", "file:///dev/zero",
                     f"file://{outside}/secret", f"file://{root}-other/x"):
        with pytest.raises(ImportRefused) as caught:
            policy.check(location)
        assert str(caught.value) == REFUSED, location
    # Decoded once only: %2565 is the literal name "%65", inside the root.
    assert policy.check(f"file://{root}/%2565tc") == f"{root}/%65tc"
    assert policy.check(f"file://{root}/good%2Eraw") == f"{root}/good.raw"


def test_regular_files_under_the_root_open_and_read_through_the_descriptor(tree):
    root, _ = tree
    policy = ImportPolicy([root])
    for name, data in (("good.raw", b"\0" * 4096), ("sub/nested.raw", b"\1" * 512),
                       ("inner", b"\0" * 4096)):
        with policy.open(f"file://{root}/{name}") as source:
            assert source.size == len(data)
            os.rename(root / "good.raw", root / "moved.raw")  # the path no longer matters
            assert source.read_at(0, source.size) == data
            os.rename(root / "moved.raw", root / "good.raw")


def test_every_file_system_refusal_says_the_same(tree, tmp_path):
    root, _ = tree
    protected = tmp_path / "cimi.db"
    protected.write_text("db")
    (root / "db-link").symlink_to(protected)
    os.link(protected, root / "db-hardlink")
    policy = ImportPolicy([root], protected=[protected])
    messages = {}
    for name in ("missing.qcow2", "escape", "dirlink", "dirlink/secret", "devzero", "fifo",
                 "adir", "db-link", "db-hardlink"):
        started = time.monotonic()
        messages[name] = refusal(policy, f"file://{root}/{name}")
        assert time.monotonic() - started < 2, name  # a FIFO never blocks
    messages["forbidden"] = refusal(policy, "file:///etc/shadow")
    messages["the root itself"] = refusal(policy, f"file://{root}")
    messages["protected"] = refusal(policy, f"file://{protected}")
    assert set(messages.values()) == {REFUSED}, messages


def test_pool_directories_are_never_a_source(tree, tmp_path):
    root, _ = tree
    pool = root / "pool"  # an operator put the import root above a pool
    pool.mkdir()
    (pool / "volume.qcow2").write_bytes(b"volume")
    os.link(pool / "volume.qcow2", root / "volume-hardlink")
    policy = ImportPolicy([root])
    assert refusal(policy, f"file://{pool}/volume.qcow2", protected_dirs=[pool]) == REFUSED
    assert refusal(policy, f"file://{root}/volume-hardlink", protected_dirs=[pool]) == REFUSED
    with policy.open(f"file://{root}/volume-hardlink") as source:  # not a pool: importable
        assert source.size == 6


def test_roots_from_flags_or_environment(tmp_path):
    env = {"CIMI_PROVIDER_IMPORT_ROOTS": os.pathsep.join(["/srv/a", "/srv/b"])}
    assert roots_from([], env) == ["/srv/a", "/srv/b"]
    assert roots_from(["/srv/c"], env) == ["/srv/c"]
    assert roots_from([], {}) == []
    with pytest.raises(ValueError, match="every host file"):
        roots_from(["/"], {})


def post(prov, collection, body):
    return requests.post(prov.base + collection, json=body, headers=JSON, timeout=30)


def test_memory_backend_refuses_the_same_locations(provider):
    """The memory backend reads nothing, yet refuses what a real backend refuses, at POST time."""
    for location, message in (("file:///etc/shadow", REFUSED), ("/etc/passwd", SYNTAX),
                              ("file:///%65tc/passwd", REFUSED),
                              (f"{IMAGES}/../../etc/passwd", SYNTAX),
                              ("https://127.0.0.1/x.qcow2", SYNTAX)):
        for collection, rtype in (("machineImages", "MachineImage"),
                                  ("volumeImages", "VolumeImage")):
            resp = post(provider, collection, {"resourceURI": f"{NS}/{rtype}", "name": "bad-loc",
                                               "imageLocation": location})
            assert resp.status_code == 400, (location, resp.text)
            assert resp.json()["statusMessage"] == message
    listed = requests.get(provider.base + "machineImages?$filter=name='bad-loc'", headers=JSON,
                          timeout=30).json()
    assert listed["count"] == 0
    ok = post(provider, "machineImages", {"resourceURI": f"{NS}/MachineImage", "name": "ok-loc",
                                          "imageLocation": f"{IMAGES}/a.qcow2"})
    assert ok.status_code == 201 and ok.json()["state"] == "AVAILABLE"
    seeded = post(provider, "machineImages", {"resourceURI": f"{NS}/MachineImage",
                                              "name": "sim-loc",
                                              "imageLocation": "memory://images/debian-12"})
    assert seeded.status_code == 201


def test_no_import_root_refuses_file_imports(tmp_path):
    with ProviderProcess(tmp_path / "cimi.db") as prov:
        for collection, rtype in (("machineImages", "MachineImage"),
                                  ("volumeImages", "VolumeImage")):
            resp = post(prov, collection, {"resourceURI": f"{NS}/{rtype}", "name": "x",
                                           "imageLocation": f"{IMAGES}/a.qcow2"})
            assert resp.status_code == 400 and resp.json()["statusMessage"] == DISABLED
    env = {"CIMI_PROVIDER_IMPORT_ROOTS": IMPORT_ROOT}
    with ProviderProcess(tmp_path / "env.db", env=env) as prov:
        resp = post(prov, "machineImages", {"resourceURI": f"{NS}/MachineImage", "name": "x",
                                            "imageLocation": f"{IMAGES}/a.qcow2"})
        assert resp.status_code == 201, resp.text
