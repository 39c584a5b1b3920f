"""The provider's access log (``--access-log``): a real provider over HTTP on loopback.

One JSON line per request of any kind (reads, writes, errors, HEAD, the OpenAPI document), with
time, client, authenticated user, method, path and query, status, body bytes and duration; never
a header or a body, so no password or token; appended across restarts and whole under
concurrent clients.
"""
from __future__ import annotations

import base64
import datetime
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from cimi import Cimi
from cimi_provider.http.auth import default_token_name
from server import ProviderProcess, wait_until

PASSWORD = "canary-pass-4e81d0"
WRONG = "canary-wrong-b7c2aa"
TOKEN = "canary-token-0d93f1c7"
CREDENTIAL = "canary-cred-6a1f55"
FIELDS = {"time", "client", "user", "method", "path", "status", "bytes", "duration_ms"}


@pytest.fixture
def files(tmp_path):
    from cimi_provider.http.auth import hash_password
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": {
        "alice": {"password_hash": hash_password(PASSWORD, iterations=1000)}}}))
    tokens = tmp_path / "tokens"
    tokens.write_text(TOKEN + "\n")
    return {"users": users, "tokens": tokens, "log": tmp_path / "access.jsonl", "db": tmp_path / "cimi.db"}


def start(files, *extra, env=None):
    return ProviderProcess(files["db"], "--users", str(files["users"]), "--token-file",
                           str(files["tokens"]), *extra, env=env).start()


def lines(path, count):
    """The log's records once it holds ``count`` lines (a line is written just after its answer)."""
    wait_until(lambda: path.exists() and path.read_bytes().count(b"\n") >= count)
    data = path.read_bytes()
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.splitlines()]


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_one_line_per_request_with_its_fields(files):
    prov = start(files, "--access-log", str(files["log"]))
    try:
        http = requests.Session()
        http.auth = ("alice", PASSWORD)
        helper = Cimi(prov, "json", auth=("alice", PASSWORD))
        # The launcher's readiness probe (an unauthenticated GET of the CEP, 401) is logged too.
        helper_calls = [lines(files["log"], 1)[0]]
        assert helper_calls[0]["status"] == 401 and helper_calls[0]["path"] == "/cimi/cloudEntryPoint"
        helper.http.hooks["response"].append(lambda resp, *a, **kw: helper_calls.append(resp))
        machine = helper.machine_body("log-m1")   # looks up references: logged before ours
        sent = []   # (method, path, status, user, body bytes)

        def call(method, url, user="alice", **kw):
            # with headers: no session, whose credentials would replace them
            resp = (requests if "headers" in kw else http).request(method, url, **kw)
            path = url[len(f"http://127.0.0.1:{prov.port}"):]
            sent.append((method, path, resp.status_code, user, len(resp.content)))
            return resp

        assert call("GET", prov.cep_url).status_code == 200
        assert call("GET", prov.base + "machines?$select=name&$first=1").status_code == 200
        sent[-1] = ("GET", "/cimi/machines?$select=<redacted>&$first=<redacted>") + sent[-1][2:]
        assert call("GET", prov.cep_url).status_code == 200    # a render-cache hit is logged too
        assert call("HEAD", prov.cep_url).status_code == 200
        created = call("POST", prov.base + "machines", json=machine)
        assert created.status_code == 201
        assert call("GET", prov.base + "machines/no-such-id").status_code == 404
        assert call("GET", prov.base + "openapi.json").status_code == 200
        assert call("GET", prov.cep_url, user=default_token_name(TOKEN),
                    headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert call("GET", prov.cep_url, user=None,
                    headers={"Authorization": basic("alice", WRONG)}).status_code == 401
        assert call("DELETE", prov.cep_url).status_code == 405

        records = lines(files["log"], len(helper_calls) + len(sent))
        assert len(records) == len(helper_calls) + len(sent)
        records = records[len(helper_calls):]
        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        for record, (method, path, status, user, size) in zip(records, sent):
            assert set(record) == FIELDS
            assert (record["method"], record["path"], record["status"], record["user"]) == \
                (method, path, status, user)
            assert record["client"] == "127.0.0.1"
            assert record["bytes"] == (0 if method == "HEAD" else size)
            assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
            stamp = datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            assert stamp.replace(tzinfo=datetime.timezone.utc) > before
        assert records[1]["bytes"] > 0 and records[4]["bytes"] > 0
    finally:
        prov.stop()


def test_no_secret_in_the_log(files):
    prov = start(files, "--access-log", str(files["log"]))
    try:
        alice = Cimi(prov, "json", auth=("alice", PASSWORD))
        alice.cep()
        body = {"resourceURI": "http://schemas.dmtf.org/cimi/2/CredentialCreate", "name": "log-cred",
                "credentialTemplate": {"userName": "root", "password": CREDENTIAL}}
        created = requests.post(alice.collection("credentials"), json=body, auth=("alice", PASSWORD))
        assert created.status_code in (201, 202), created.text
        requests.get(prov.cep_url, auth=("alice", WRONG))
        requests.get(prov.cep_url, headers={"Authorization": f"Bearer {TOKEN}"})
        requests.get(prov.cep_url, headers={"Authorization": f"Bearer {TOKEN}x"})
        lines(files["log"], 5)
    finally:
        prov.stop()
    data = files["log"].read_bytes()
    for canary in (PASSWORD, WRONG, TOKEN, CREDENTIAL, base64.b64encode(f"alice:{PASSWORD}".encode()).decode()):
        assert canary.encode() not in data
    assert b"Authorization" not in data and b"Basic" not in data and b"Bearer" not in data
    assert [r["status"] for r in lines(files["log"], 5)][-2:] == [200, 401]


def test_query_values_are_redacted(files):
    """A $filter may compare a secret: only the parameter names reach the log."""
    prov = start(files, "--access-log", str(files["log"]))
    try:
        secret = "canary-filter-93ab1e"
        reply = requests.get(prov.base + "credentials", auth=("alice", PASSWORD),
                             params={"$filter": f"password='{secret}'", "$first": "1", "flag": ""})
        assert reply.status_code in (200, 400)
        record = lines(files["log"], 2)[-1]  # after the launcher's readiness probe
    finally:
        prov.stop()
    assert secret.encode() not in files["log"].read_bytes()
    assert record["path"] == "/cimi/credentials?$filter=<redacted>&$first=<redacted>&flag=<redacted>"


def test_whole_lines_under_concurrency_and_appended_across_restarts(files):
    prov = start(files, "--access-log", str(files["log"]))
    try:
        def burst(worker):
            http = requests.Session()
            http.auth = ("alice", PASSWORD)
            for index in range(20):
                assert http.get(prov.base + f"machines/m{worker * 100 + index}").status_code == 404

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(burst, range(8)))
        records = lines(files["log"], 161)
    finally:
        prov.stop()
    probe, records = records[0], records[1:]  # the launcher's readiness probe comes first
    assert probe["status"] == 401 and len(records) == 160
    assert sorted(int(r["path"].rsplit("/m", 1)[1]) for r in records) == \
        sorted(w * 100 + i for w in range(8) for i in range(20))
    # the variable names the file when the flag is absent; the old lines stay
    prov = start(files, env={"CIMI_PROVIDER_ACCESS_LOG": str(files["log"])})
    try:
        requests.get(prov.cep_url, auth=("alice", PASSWORD))
        records = lines(files["log"], 163)
    finally:
        prov.stop()
    assert len(records) == 163 and records[-1]["path"] == "/cimi/cloudEntryPoint"
    assert records[-1]["user"] == "alice" and records[-2]["status"] == 401


def test_off_by_default(tmp_path):
    with ProviderProcess(tmp_path / "cimi.db") as prov:
        assert requests.get(prov.cep_url).status_code == 200
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("cimi.db")] == []  # db, its log, port
    assert "cloudEntryPoint" not in (tmp_path / "cimi.db.log").read_text()


def test_unwritable_path_is_a_clear_error(tmp_path):
    missing = tmp_path / "no-such-dir" / "access.jsonl"
    done = subprocess.run([sys.executable, "-m", "cimi_provider.cli", "serve", "--db", str(tmp_path / "c.db"),
                           "--listen", "127.0.0.1:0", "--access-log", str(missing)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert str(missing) in done.stderr and "Traceback" not in done.stderr
