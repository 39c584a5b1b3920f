"""The command line: seeded inventories, the OpenAPI file, password hashing, bad arguments."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from cimi import Cimi, items
from cimi_provider.http.auth import verify_password
from server import ProviderProcess
from tls_support import make_cert

CLI = [sys.executable, "-m", "cimi_provider.cli"]


def test_seed_machines_idempotent(tmp_path):
    prov = ProviderProcess(tmp_path / "seed.db", "--seed-machines", "12").start()
    try:
        c = Cimi(prov)
        coll = c.ok("GET", c.collection("machines"),
                    params={"$expand": "interfaces/endpoints", "$filter": "state='STARTED'"}).doc
        assert coll["count"] == 6
        machine = items(coll)[0]
        ifaces = items(machine["interfaces"])
        assert len(ifaces) == 2 and all(items(i["endpoints"])[0]["address"] for i in ifaces)
        addresses = set()
        for m in items(c.ok("GET", c.collection("machines"), params={"$expand": "interfaces/endpoints"}).doc):
            for iface in items(m["interfaces"]):
                addresses.add(items(iface["endpoints"])[0]["address"])
        assert len(addresses) == 24  # unique, deterministic
        prov.stop()
        prov.args = ["--seed-machines", "15"]
        prov.start()
        c = Cimi(prov)
        assert c.ok("GET", c.collection("machines"), params={"$last": "0"}).doc["count"] == 15
    finally:
        prov.kill()


def test_default_initial_state_flag(tmp_path):
    with ProviderProcess(tmp_path / "dis.db", "--default-initial-state", "STARTED") as prov:
        c = Cimi(prov)
        meta = c.ok("GET", prov.base + "resourceMetadata/Machine").doc
        caps = {cap["name"]: cap["value"] for cap in meta["capabilities"]}
        assert caps["DefaultInitialState"] == "STARTED"
        assert c.new_machine("auto")["state"] == "STARTED"


def test_cep_name_flag_and_rename(tmp_path):
    with ProviderProcess(tmp_path / "name.db", "--name", "lab cloud") as prov:
        c = Cimi(prov)
        assert c.ok("GET", prov.cep_url).doc["name"] == "lab cloud"
        cep = {"resourceURI": "http://schemas.dmtf.org/cimi/2/CloudEntryPoint"}
        assert c.ok("PUT", prov.cep_url, dict(cep, name="renamed")).doc["name"] == "renamed"
        assert c.ok("GET", prov.cep_url).doc["name"] == "renamed"
        # a PUT without a name erases the consumer's name: the configured one shows again
        assert c.ok("PUT", prov.cep_url, cep).doc["name"] == "lab cloud"
    proc = subprocess.run(CLI + ["serve", "--name", " ", "--listen", "127.0.0.1:0"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--name" in proc.stderr


def test_openapi_file(tmp_path):
    out = tmp_path / "openapi.json"
    subprocess.run(CLI + ["openapi", "--output", str(out)], check=True, timeout=60)
    doc = json.loads(out.read_text())
    assert doc["openapi"].startswith("3.") and "/cimi/systems/{id}/stop" in doc["paths"]


def test_hash_password():
    proc = subprocess.run(CLI + ["hash-password"], input="hunter22\n", capture_output=True,
                          text=True, timeout=60, check=True)
    encoded = proc.stdout.strip()
    assert verify_password("hunter22", encoded) and not verify_password("hunter2", encoded)
    assert "hunter22" not in encoded


def test_bad_arguments(tmp_path):
    proc = subprocess.run(CLI + ["serve", "--listen", "nonsense"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "HOST:PORT" in proc.stderr
    proc = subprocess.run(CLI + ["serve", "--db", str(tmp_path / "x.db"), "--listen",
                                 "127.0.0.1:0", "--tls-cert", "c.pem"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "go together" in proc.stderr


def _libvirt_options(argv):
    from cimi_provider.cli import libvirt_options, parser
    return libvirt_options(parser().parse_args(argv))


def test_libvirt_flags_of_the_usage_line():
    # the line documented in USAGE.md, "Run a CIMI endpoint on plain KVM hosts"
    opts = _libvirt_options(["serve", "--backend", "libvirt", "--libvirt-uri", "qemu:///system",
                             "--pool", "/var/lib/cimi", "--listen", "0.0.0.0:8780",
                             "--tls-cert", "cert.pem", "--tls-key", "key.pem",
                             "--users", "users.yml"])
    assert opts["libvirt_uris"] == ["qemu:///system"] and opts["pool_path"] == "/var/lib/cimi"
    assert opts["prefix"] is None and opts["stop_timeout"] is None
    opts = _libvirt_options(["serve", "--backend", "libvirt", "--libvirt-uri", "qemu+ssh://a/system",
                             "--libvirt-uri", "b=qemu+ssh://b/system", "--pool", "/p",
                             "--libvirt-prefix", "lab-", "--libvirt-stop-timeout", "5",
                             "--libvirt-domain-type", "qemu", "--libvirt-disk-mode", "copy",
                             "--libvirt-health-interval", "2",
                             "--libvirt-migration-uri", "b=qemu+tls://b.lan/system",
                             "--libvirt-forward-ports", "42200-42299"])
    assert opts == {"libvirt_uris": ["qemu+ssh://a/system", "b=qemu+ssh://b/system"],
                    "pool_path": "/p", "prefix": "lab-", "domain_type": "qemu",
                    "disk_mode": "copy", "stop_timeout": 5.0, "health_interval": 2.0,
                    "migration_uris": ["b=qemu+tls://b.lan/system"],
                    "forward_ports": "42200-42299"}


def test_libvirt_flags_fall_back_to_the_environment(monkeypatch):
    from cimi_provider.backends.libvirt import LibvirtBackend
    monkeypatch.setenv("CIMI_LIBVIRT_POOL", "/srv/pool")
    monkeypatch.setenv("CIMI_LIBVIRT_PREFIX", "envp-")
    monkeypatch.setenv("CIMI_LIBVIRT_URIS", "qemu:///session")
    backend = LibvirtBackend(**_libvirt_options(["serve", "--backend", "libvirt"]))
    assert [h.uri for h in backend.hosts] == ["qemu:///session"]
    assert backend.hosts[0].pool_path == "/srv/pool" and backend.names.prefix == "envp-"
    # a flag wins over its variable
    backend = LibvirtBackend(**_libvirt_options(["serve", "--backend", "libvirt",
                                                 "--pool", "/flag/pool"]))
    assert backend.hosts[0].pool_path == "/flag/pool"


def test_libvirt_backend_without_pool_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIMI_LIBVIRT_")}
    proc = subprocess.run(CLI + ["serve", "--backend", "libvirt", "--libvirt-uri", "qemu:///system",
                                 "--db", str(tmp_path / "lv.db"), "--listen", "127.0.0.1:0"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2 and "--pool" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "lv.db").exists()


def _serve_fails(tmp_path, *flags) -> str:
    proc = subprocess.run(CLI + ["serve", "--db", str(tmp_path / "p.db"), "--listen", "127.0.0.1:0",
                                 *flags], capture_output=True, text=True, timeout=60)
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, (proc.returncode, lines)
    return lines[0]


@pytest.mark.parametrize("flags, words", [
    (("--audit-trail", "{d}/a.jsonl", "--audit-digest-path", "{d}/a.jsonl"),
     "--audit-trail and --audit-digest-path are the same path"),
    (("--audit-trail", "{d}/p.db"), "--audit-trail and --db are the same path"),
    (("--audit-trail", "{d}/a.jsonl", "--access-log", "{d}/a.jsonl.digest"),
     "--audit-digest-path and --access-log are the same path"),
    (("--audit-trail", "{d}/a.jsonl", "--audit-digest-path", "{d}/a.jsonl.inflight"),
     "--audit-digest-path and the trail's in-flight file are the same path"),
    (("--audit-trail", "{d}/p.db-wal"), "--audit-trail and the database's -wal file"),
    (("--audit-trail", "{d}/p.db/trail"), "--audit-trail ({d}/p.db/trail) lies inside --db"),
    (("--access-log", "{d}/p.db"), "--access-log {d}/p.db is a file of the database --db"),
])
def test_conflicting_provider_files_are_refused_before_anything_is_written(tmp_path, flags, words):
    line = _serve_fails(tmp_path, *[f.format(d=tmp_path) for f in flags])
    assert line.startswith("cimi-provider: ") and words.format(d=tmp_path) in line, line
    assert not any(p.suffix in (".jsonl", ".digest", ".inflight") for p in tmp_path.iterdir())


# TEST-NET-2: not a loopback address, and not configured here, so binding it fails after every
# start-up check has run (nothing listens on a public address in the tests).
UNBOUND_PUBLIC = "198.51.100.1"


def _users_file(tmp_path):
    from cimi_provider.http.auth import hash_password
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": {"alice": {"password_hash": hash_password("pw-1", iterations=1000)}}}))
    return str(users)


def _serve_public(tmp_path, *extra):
    with socket.socket() as probe, pytest.raises(OSError):
        probe.bind((UNBOUND_PUBLIC, 0))
    return subprocess.run(CLI + ["serve", "--db", str(tmp_path / "x.db"), "--listen",
                                 f"{UNBOUND_PUBLIC}:0", "--users", _users_file(tmp_path), *extra],
                          capture_output=True, text=True, timeout=60)


def test_plain_http_on_a_public_address_refused(tmp_path):
    proc = _serve_public(tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--insecure-http" in lines[0] and "--tls-cert" in lines[0]
    assert UNBOUND_PUBLIC in lines[0]


def test_insecure_http_warns_then_goes_on(tmp_path):
    proc = _serve_public(tmp_path, "--insecure-http")
    assert "WARNING" in proc.stderr and "plain HTTP" in proc.stderr and "clear text" in proc.stderr
    # past the TLS check: it fails only because this address cannot be bound here
    assert proc.returncode == 2 and "cannot listen" in proc.stderr and "Traceback" not in proc.stderr


def test_tls_on_a_public_address_needs_no_flag(tmp_path):
    cert, key = make_cert(tmp_path)
    proc = _serve_public(tmp_path, "--tls-cert", str(cert), "--tls-key", str(key))
    assert proc.returncode == 2 and "cannot listen" in proc.stderr and "WARNING" not in proc.stderr


HIDE_COLLECTION = """
import sys
class HideCollection:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'ansible_collections':
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, HideCollection())
from cimi_provider.launcher import main
sys.exit(main(['serve', '--backend', 'memory', '--listen', '127.0.0.1:0']))
"""


def test_a_missing_collection_is_one_line_and_exit_2():
    """The collection is the provider's one dependency pip cannot install: say so, no traceback."""
    proc = subprocess.run([sys.executable, "-c", HIDE_COLLECTION], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "cloudmgmt.dmtf collection is not installed" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_the_launcher_runs_the_command_line():
    proc = subprocess.run([sys.executable, "-m", "cimi_provider.launcher", "openapi"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout)["openapi"].startswith("3.")
