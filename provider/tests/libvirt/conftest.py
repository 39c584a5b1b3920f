"""Fixtures for the libvirt backend tests: a real libvirtd, the real provider as a subprocess.

Every libvirt object carries a prefix unique to this run; the session finalizer removes all of
them (domains, networks, pool volumes, the pool) even when tests fail.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import libvirt
import pytest

from libvirt_helpers import LIBVIRT_URI, ProviderProcess, cleanup_prefix

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def libvirt_conn():
    subprocess.run([str(REPO / "tools" / "libvirtd.sh")], check=True)
    libvirt.registerErrorHandler(lambda _c, _e: None, None)
    conn = libvirt.open(LIBVIRT_URI)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def run_prefix():
    return f"t{uuid.uuid4().hex[:8]}-"


@pytest.fixture(scope="session")
def workdir(tmp_path_factory, libvirt_conn, run_prefix):
    # The pool directory must be reachable by libvirtd (it runs as root here) and qemu
    # (libvirt relabels the images it uses), so it lives under /var/tmp, not in a private tmp.
    root = Path("/var/tmp") / f"cimi-libvirt-{run_prefix.rstrip('-')}"
    (root / "images").mkdir(parents=True)
    try:
        yield root
    finally:
        cleanup_prefix(libvirt_conn, run_prefix)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def base_image(workdir):
    """A tiny blank qcow2: qemu runs with no bootable OS, which is still a running domain."""
    path = workdir / "images" / "blank.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), "32M"], check=True)
    return path


@pytest.fixture(scope="session")
def provider(workdir, run_prefix, libvirt_conn):
    """One provider for the session (tests that restart it use ``provider_factory``)."""
    # Names starting with fail- make create/start jobs fail (FAILED job tests).
    proc = ProviderProcess(workdir, run_prefix, "main", extra_args=("--inject-failure", "^fail-"))
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture()
def provider_factory(workdir, run_prefix):
    """Providers with their own database and prefix (for crash and reconciliation tests)."""
    started = []

    def make(name: str) -> ProviderProcess:
        proc = ProviderProcess(workdir, f"{run_prefix}{name}-", name)
        started.append(proc)
        return proc

    yield make
    for proc in started:
        proc.stop()


def pytest_configure(config):
    os.environ.setdefault("NO_PROXY", "127.0.0.1")
