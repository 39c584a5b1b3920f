"""The provider audits its own API: a real provider over HTTP on loopback, memory backend.

Exactly one strictly valid CADF event per mutating request (none for reads), with the user and
client address as initiator, the CIMI resource as target and the result as outcome; no secret
in any audit file; the same chain and digests as the callback's, continued across restarts and
checked by the collection's verifier.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import requests
from audit_support import CANARIES, ROOT, cimi_facts, integrity, records
from strict_validator import validate

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import sha256_hex
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import stable_id
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.signing import load_key
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.verify import verify_trail
from cimi import NS, Cimi
from cimi_provider.http.auth import default_token_name
from server import ProviderProcess

ALICE = ("alice", CANARIES["password"])


def start(files, *extra):
    return ProviderProcess(files["trail"].parent.parent / "cimi.db", "--users", str(files["users"]),
                           "--token-file", str(files["tokens"]), "--inject-failure", "^fail-",
                           "--audit-trail", str(files["trail"]),
                           "--audit-signing-key-file", str(files["key"]), *extra).start()


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def assert_no_secret(files):
    for path in files["trail"].parent.iterdir():
        data = path.read_bytes()
        for name, canary in CANARIES.items():
            assert canary.encode() not in data, f"{name} canary in {path.name}"
        assert b"Authorization" not in data and b"Basic " not in data and b"Bearer " not in data


def test_one_event_per_mutating_request(audit_files):
    prov = start(audit_files)
    try:
        alice = Cimi(prov, "json", auth=ALICE)
        # reads are not audited
        alice.cep()
        alice.get(alice.collection("machines"))
        assert records(audit_files["trail"]) == []

        expected = []   # (action, outcome, user, status, type, cimi id or None)
        reply = alice.create("machines", alice.machine_body("audit-m1"))
        assert reply.status == 201
        mid = reply.headers["Location"][len(prov.base):]
        expected.append(("create", "success", "alice", 201, "compute/machine", mid))

        machine = alice.ok("GET", reply.headers["Location"]).doc
        alice.ok("PUT", machine["id"], {"name": "audit-m1b"})
        expected.append(("update", "success", "alice", 200, "compute/machine", mid))

        start_reply = alice.act(machine, "start")
        expected.append(("start", "success", "alice", start_reply.status, "compute/machine", mid))

        bad = alice.call("POST", alice.add_href("machines"), {"resourceURI": NS + "/MachineCreate",
                                                              "name": "no-template"})
        assert bad.status == 400
        expected.append(("create", "failure", "alice", 400, "compute/machine", "machines"))

        failed = alice.create("machines", alice.machine_body("fail-audit"))
        assert failed.status == 202  # the job failed at once (synchronous backend)
        fid = failed.headers["Location"][len(prov.base):]
        expected.append(("create", "failure", "alice", 202, "compute/machine", fid))

        cred = alice.create("credentials", {"name": "audit-cred", "credentialTemplate": {
            "userName": "ops", "password": CANARIES["credential"]}})
        expected.append(("create", "success", "alice", 201, "data/security/credential",
                         cred.headers["Location"][len(prov.base):]))

        # 401: no credentials, and a wrong password (a canary) for a real user
        url = alice.add_href("volumes")
        assert requests.post(url, json={"name": "x"}, timeout=30).status_code == 401
        expected.append(("create", "failure", "unauthenticated", 401, "storage/volume", "volumes"))
        assert requests.post(url, json={"name": "x"}, timeout=30, headers={
            "Authorization": basic("alice", CANARIES["wrong"])}).status_code == 401
        expected.append(("create", "failure", "unauthenticated", 401, "storage/volume", "volumes"))
        # 403: an authenticated reader
        assert requests.delete(machine["id"], auth=("bob", "bob-reader-pw"), timeout=30).status_code == 403
        expected.append(("delete", "failure", "bob", 403, "compute/machine", mid))
        # a bearer token
        tok = requests.put(prov.base + "cloudEntryPoint", json={"name": "audited-cloud"}, timeout=30,
                           headers={"Authorization": "Bearer " + CANARIES["token"]})
        assert tok.status_code == 200, tok.text
        # an old-format (bare) token is named from its hash, never by the token itself
        expected.append(("update", "success", default_token_name(CANARIES["token"]), 200,
                         "service/compute", "cloudEntryPoint"))
        # methods and paths that do not exist
        assert alice.http.patch(machine["id"], json={}, timeout=30).status_code == 405
        expected.append(("update", "failure", "alice", 405, "compute/machine", mid))
        assert alice.http.delete(prov.base + "machines/nope", timeout=30).status_code == 404
        expected.append(("delete", "failure", "alice", 404, "compute/machine", "machines/nope"))

        alice.act(alice.ok("GET", machine["id"]).doc, "stop")
        expected.append(("stop", "success", "alice", 200, "compute/machine", mid))
        gone = alice.call("DELETE", machine["id"])
        assert gone.status in (200, 202)
        expected.append(("delete", "success", "alice", gone.status, "compute/machine", mid))
        alice.get(alice.collection("machines"))   # one more read: still nothing
    finally:
        prov.stop()

    trail = records(audit_files["trail"])
    assert len(trail) == len(expected)
    for record, (action, outcome, user, status, type_uri, cimi_id) in zip(trail, expected):
        validate(record)
        facts = cimi_facts(record)
        assert (record["action"], record["outcome"], record["initiator"]["name"], facts["status"]) == \
            (action, outcome, user, status), (record, facts)
        assert record["reason"] == {"reasonType": "HTTP", "reasonCode": str(status)}
        assert record["initiator"]["typeURI"] == "service/security/account/user"
        assert record["initiator"]["host"]["address"] == "127.0.0.1"
        assert record["initiator"]["id"] == stable_id("user", user)
        assert record["target"]["typeURI"] == type_uri
        # the absolute id a client sees: the callback names the same resource with the same ids
        assert record["target"]["ref"] == prov.base + cimi_id
        assert record["target"]["id"] == stable_id(type_uri, prov.base + cimi_id)
        assert record["observer"]["typeURI"] == "service/compute"
    assert [integrity(r)["seq"] for r in trail] == list(range(1, len(trail) + 1))
    assert cimi_facts(trail[4])["jobState"] == "FAILED"
    assert trail[1]["target"]["name"] == "audit-m1"   # the name the resource had when updated
    assert_no_secret(audit_files)

    key = load_key(str(audit_files["key"]))
    report = verify_trail(str(audit_files["trail"]), str(audit_files["trail"]) + ".digest", key,
                          require_sealed=True)
    assert report["valid"], report["problems"]
    assert (report["records"], report["digests"], report["signed_digests"]) == (len(trail), 1, 1)


def test_chain_continues_across_restarts_and_tampering_is_found(audit_files):
    trail_path = str(audit_files["trail"])
    key = load_key(str(audit_files["key"]))
    for round_ in range(2):
        prov = start(audit_files)
        try:
            alice = Cimi(prov, "json", auth=ALICE)
            alice.create("volumes", {"name": f"audit-v{round_}", "volumeTemplate": {
                "volumeConfig": alice.ref("volumeConfigs", "small-volume")}})
        finally:
            prov.stop()
    trail = records(trail_path)
    assert [integrity(r)["seq"] for r in trail] == [1, 2]
    assert integrity(trail[0])["run"] != integrity(trail[1])["run"]
    first_line = audit_files["trail"].read_bytes().splitlines()[0]
    assert integrity(trail[1])["prev"] == sha256_hex(first_line)
    report = verify_trail(trail_path, trail_path + ".digest", key, require_sealed=True)
    assert report["valid"], report["problems"]
    assert (report["digests"], report["signed_digests"], report["runs"]) == (2, 2, 2)

    data = audit_files["trail"].read_bytes()
    audit_files["trail"].write_bytes(data.replace(b'"name":"alice"', b'"name":"mallo"', 1))
    report = verify_trail(trail_path, trail_path + ".digest", key)
    assert not report["valid"]
    assert {p["kind"] for p in report["problems"]} & {"edited", "broken_link"}


def test_concurrent_requests_keep_one_unbroken_chain(audit_files):
    prov = start(audit_files)
    try:
        alice = Cimi(prov, "json", auth=ALICE)
        url = alice.add_href("machineConfigs")

        def add(i):
            with requests.Session() as http:
                return http.post(url, auth=ALICE, timeout=60, json={
                    "resourceURI": NS + "/MachineConfiguration", "name": f"audit-cfg-{i}", "cpu": 1,
                    "memory": 1024, "cpuArch": "x86_64", "disks": []}).status_code
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(add, range(24)))
    finally:
        prov.stop()
    assert statuses == [201] * 24
    trail = records(audit_files["trail"])
    assert len(trail) == 24
    assert sorted(r["target"]["name"] for r in trail) == sorted(f"audit-cfg-{i}" for i in range(24))
    report = verify_trail(str(audit_files["trail"]), str(audit_files["trail"]) + ".digest",
                          load_key(str(audit_files["key"])), require_sealed=True)
    assert report["valid"] and report["records"] == 24, report["problems"]


def test_off_by_default(tmp_path):
    with ProviderProcess(tmp_path / "cimi.db") as prov:
        Cimi(prov, "json").create("machineConfigs", {"name": "plain", "cpu": 1, "memory": 1024,
                                                     "cpuArch": "x86_64", "disks": []})
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("cimi.db")) == []


def run_cadf_verify(trail, key):
    """The cadf_verify module itself, run by ansible on localhost, on the provider's trail."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal",
               ANSIBLE_LOCAL_TEMP=str(trail.parent.parent / "ansible-tmp"))
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible"), "localhost", "-m", "cloudmgmt.dmtf.cadf_verify",
                           "-a", json.dumps({"path": str(trail), "key_file": str(key), "require_sealed": True}),
                           "-e", f"ansible_python_interpreter={ROOT / '.venv' / 'bin' / 'python'}"],
                          env=env, capture_output=True, text=True, timeout=300)
    # minimal callback: "localhost | SUCCESS => {json}" (or FAILED!)
    assert " => " in proc.stdout, proc.stdout + proc.stderr
    head, body = proc.stdout.split(" => ", 1)
    return proc.returncode, head.split("|", 1)[1].strip(), json.loads(body)


def test_cadf_verify_module_checks_the_providers_trail(audit_files):
    prov = start(audit_files)
    try:
        alice = Cimi(prov, "json", auth=ALICE)
        alice.create("machineConfigs", {"name": "audit-verify", "cpu": 1, "memory": 1024,
                                        "cpuArch": "x86_64", "disks": []})
        requests.post(alice.add_href("machineConfigs"), json={}, timeout=30)   # a 401
    finally:
        prov.stop()
    rc, status, result = run_cadf_verify(audit_files["trail"], audit_files["key"])
    assert (rc, status, result["valid"]) == (0, "SUCCESS", True), result
    assert (result["records"], result["signed_digests"]) == (2, 1)
    lines = audit_files["trail"].read_bytes().splitlines(keepends=True)
    audit_files["trail"].write_bytes(lines[1])   # the first record removed
    rc, status, result = run_cadf_verify(audit_files["trail"], audit_files["key"])
    assert (rc != 0, status, result["valid"]) == (True, "FAILED!", False), result
    assert "truncated" in {p["kind"] for p in result["problems"]}
