# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the multi-host system tests: two real libvirt daemons (this machine's and the one
tools/libvirtd_second.sh starts) behind one provider."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import libvirt
import pytest

WORKTREE = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(WORKTREE / "provider" / "tests"))
sys.path.insert(0, str(WORKTREE / "provider" / "tests" / "libvirt"))

from libvirt_helpers import LIBVIRT_URI, NS, ProviderProcess, cleanup_prefix  # noqa: E402
from second_host import SecondHost  # noqa: E402


@pytest.fixture(scope="session")
def second_host():
    subprocess.run([str(WORKTREE / "tools" / "libvirtd.sh")], check=True)
    host = SecondHost().start()
    yield host
    host.stop()


@pytest.fixture(scope="session")
def conns(second_host):
    """label -> a libvirt connection of each daemon, to check what the provider says."""
    libvirt.registerErrorHandler(lambda _c, _e: None, None)
    first = libvirt.open(LIBVIRT_URI)
    yield {"kvm1": first}  # kvm2 dies and comes back: opened afresh by whoever asks it
    first.close()


@pytest.fixture(scope="module")
def cluster(second_host, conns):
    """One provider over both daemons, an image on both, a network on both."""
    prefix = f"mh{uuid.uuid4().hex[:6]}-"
    # Under /var/tmp: the second host sees its own /var/tmp, so the same pool path holds
    # different files on each host, as on two machines.
    workdir = Path("/var/tmp") / f"cimi-{prefix.rstrip('-')}"
    (workdir / "images").mkdir(parents=True)
    image_path = workdir / "images" / "blank.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(image_path), "32M"], check=True)
    # kvm2's daemon sees its own /run/libvirt: for a migrate kvm2 -> kvm1 it reaches kvm1's
    # socket through this process's root (the migration URI as the other daemons see kvm1).
    kvm1_sock = f"/proc/{os.getpid()}/root/run/libvirt/libvirt-sock"
    proc = ProviderProcess(workdir, prefix, "multihost", uris=second_host.uris(),
                           extra_args=("--libvirt-health-interval", "2",
                                       "--libvirt-migration-uri",
                                       f"kvm1=qemu+unix:///system?socket={kvm1_sock}",
                                       # test_migrate's undo: machines named mig-undo* fail
                                       # after their volumes were copied to the target
                                       "--inject-failure", "^mig-undo",
                                       "--fail-operations", "migrate-copied"))
    proc.start()
    try:
        client = proc.client
        proc.image = client.create("machineImages", {
            "resourceURI": NS + "/MachineImage", "name": "blank", "type": "IMAGE",
            "imageLocation": f"file://{image_path}"})
        proc.network = client.create("networks", {
            "resourceURI": NS + "/NetworkCreate", "name": "mh-net",
            "networkTemplate": {"initialState": "STARTED"}})
        yield proc
    finally:
        proc.stop()
        cleanup_prefix(conns["kvm1"], prefix)
        second_host.start_daemon()  # a test that failed half-way may have left it down
        second = second_host.open()
        cleanup_prefix(second, prefix)
        second.close()
        shutil.rmtree(workdir, ignore_errors=True)
