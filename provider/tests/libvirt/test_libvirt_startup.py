"""Start-up on a real libvirt host: the provider's own pool, other programs' pools, one-line errors."""
from __future__ import annotations

import subprocess
import sys

import libvirt
import pytest

from libvirt_helpers import LIBVIRT_URI, ProviderProcess
from server import ProviderError


def pool_path(conn, name: str) -> str:
    xml = conn.storagePoolLookupByName(name).XMLDesc(0)
    return xml.split("<path>", 1)[1].split("</path>", 1)[0]


def test_restart_with_another_pool_directory_serves_again(provider_factory, libvirt_conn):
    proc = provider_factory("move")
    proc.start().stop()
    assert pool_path(libvirt_conn, f"{proc.prefix}pool") == str(proc.pool)
    proc.pool = proc.pool.with_name(proc.pool.name + "-b")
    proc.args[proc.args.index("--pool") + 1] = str(proc.pool)
    proc.start()
    try:
        vol = proc.client.create("volumes", {
            "name": "moved", "volumeTemplate": {"volumeConfig": {"capacity": 1024}}})
        assert vol["state"] == "AVAILABLE", vol
        assert pool_path(libvirt_conn, f"{proc.prefix}pool") == str(proc.pool)
        assert any(p.name.startswith(f"{proc.prefix}v-") for p in proc.pool.iterdir())
        proc.client.delete(vol)
    finally:
        proc.stop()
    assert "Traceback" not in proc.log()


def test_foreign_pools_are_never_touched(provider_factory, libvirt_conn, run_prefix, workdir):
    """A stale, inactive pool of another program (its directory gone) and a pool that holds the
    directory asked for: the first is left as it is, the second is a one-line start-up error."""
    stale_dir = workdir / "gone"
    stale = libvirt_conn.storagePoolDefineXML(
        f"<pool type='dir'><name>{run_prefix}foreign-stale</name>"
        f"<target><path>{stale_dir}</path></target></pool>", 0)
    proc = provider_factory("neighbour")
    try:
        proc.start()
        vol = proc.client.create("volumes", {
            "name": "beside", "volumeTemplate": {"volumeConfig": {"capacity": 1024}}})
        proc.client.delete(vol)
        proc.stop()
        assert not stale.isActive() and not stale_dir.exists()

        holder_dir = workdir / "held"
        holder_dir.mkdir()
        holder = libvirt_conn.storagePoolDefineXML(
            f"<pool type='dir'><name>{run_prefix}foreign-holder</name>"
            f"<target><path>{holder_dir}</path></target></pool>", 0)
        try:
            clash = ProviderProcess(workdir, f"{run_prefix}clash-", "clash")
            clash.pool = holder_dir
            clash.args[clash.args.index("--pool") + 1] = str(holder_dir)
            with pytest.raises(ProviderError) as failure:
                clash.start()
            assert "exited with 2" in str(failure.value)
            errors = [line for line in clash.log().splitlines() if line.strip()]
            assert errors == [f"cimi-provider: cannot set up the storage pool {run_prefix}clash-pool"
                              f" at {holder_dir}: operation failed: Storage source conflict with "
                              f"pool: '{run_prefix}foreign-holder'"], errors
            assert not holder.isActive()
        finally:
            holder.undefine()
    finally:
        stale.undefine()


@pytest.mark.parametrize("uri, message", [
    ("qemu:///nowhere", "cimi-provider: cannot connect to qemu:///nowhere: "),
    ("test+unix:///no/such/socket", "cimi-provider: cannot connect to test+unix:///no/such/socket: "),
])
def test_unreachable_libvirt_is_one_line_and_exit_2(tmp_path, uri, message, libvirt_conn):
    cmd = [sys.executable, "-m", "cimi_provider.cli", "serve", "--backend", "libvirt",
           "--libvirt-uri", uri, "--pool", str(tmp_path / "pool"), "--db", str(tmp_path / "db"),
           "--listen", "127.0.0.1:0", "--log-level", "warning"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), lines
    assert libvirt.open(LIBVIRT_URI).isAlive()
