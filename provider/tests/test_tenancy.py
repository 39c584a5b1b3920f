"""Tenancy over real HTTP: every resource has an owner; a user sees and acts on its own (and
reads the public catalogue), anything else answers as if absent; admins see all; readers read
all; tokens have names, which the audit trail records (never the token)."""
from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from cimi import ACTION, NS, Cimi, items, op
from cimi_provider.http.auth import default_token_name, hash_password
from server import ProviderProcess

NAMED_TOKEN = "ci#token#with-hashes-0123"   # a '#' inside a token is no comment
OLD_TOKEN = "old-format-admin-token-42"


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@pytest.fixture(scope="module")
def tenants(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tenancy")
    users = tmp / "users.json"
    roles = {"alice": "user", "bob": "user", "root": "admin", "carol": "reader"}
    users.write_text(json.dumps({"users": {
        name: {"password_hash": hash_password(name + "-pw", iterations=1000), "role": role}
        for name, role in roles.items()}}))
    tokens = tmp / "tokens"
    tokens.write_text(f"# tokens for the tests\n  # an indented comment\n"
                      f"ci-bot:{NAMED_TOKEN} user   # the CI's own resources\n"
                      f"{OLD_TOKEN} admin\n")
    trail = tmp / "audit" / "api.jsonl"
    with ProviderProcess(tmp / "cimi.db", "--users", str(users), "--token-file", str(tokens),
                         "--audit-trail", str(trail)) as prov:
        prov.trail = trail
        yield prov


def records(trail) -> list:
    return [json.loads(line) for line in trail.read_bytes().splitlines()]


def as_(prov, who) -> Cimi:
    if who in ("ci-bot", "old"):
        return Cimi(prov, "json", auth=Bearer(NAMED_TOKEN if who == "ci-bot" else OLD_TOKEN))
    return Cimi(prov, "json", auth=(who, who + "-pw"))


def names(cimi: Cimi, key: str) -> set:
    coll = cimi.ok("GET", cimi.collection(key)).doc
    return {item.get("name") for item in items(coll)}


def new_volume(cimi: Cimi, name: str) -> dict:
    reply = cimi.create("volumes", {"name": name, "volumeTemplate": {
        "volumeConfig": cimi.ref("volumeConfigs", "small-volume")}})
    assert cimi.settle(reply)["state"] == "SUCCESS"
    return cimi.ok("GET", reply.headers["Location"]).doc


def test_users_see_and_act_on_their_own_only(tenants):
    alice, bob, root = as_(tenants, "alice"), as_(tenants, "bob"), as_(tenants, "root")
    machine = alice.new_machine("alice-m")   # from the public catalogue (seeded config, image)
    volume = new_volume(alice, "alice-v")
    bob_volume = new_volume(bob, "bob-v")
    for key, name in (("machines", "alice-m"), ("volumes", "alice-v")):
        assert name in names(alice, key) and name not in names(bob, key)
        assert name in names(root, key)
    assert "bob-v" in names(bob, "volumes") and "bob-v" not in names(alice, "volumes")
    count = {who.http.auth[0]: who.ok("GET", who.collection("volumes")).doc["count"]
             for who in (alice, bob, root)}
    assert count["alice"] == 1 and count["bob"] == 1 and count["root"] >= 2
    filtered = bob.ok("GET", bob.collection("machines"), params={"$filter": "name='alice-m'"}).doc
    assert filtered["count"] == 0 and not items(filtered)

    # another's resource, its sub-resources and actions answer exactly as a missing one
    missing = machine["id"].rsplit("/", 1)[0] + "/0000000000000000"
    for url in (machine["id"], volume["id"], machine["id"] + "/disks", missing):
        reply = bob.call("GET", url)
        assert reply.status == 404, (url, reply)
        assert reply.doc["statusMessage"] == "no resource at /cimi/" + url.split("/cimi/", 1)[1]
    assert bob.call("PUT", machine["id"], {"name": "stolen"}).status == 404
    assert bob.call("DELETE", volume["id"]).status == 404
    assert bob.call("POST", op(machine, ACTION + "start"),
                    {"action": ACTION + "start"}).status == 404
    assert bob.call("POST", machine["id"] + "/volumes",
                    {"action": ACTION + "insert", "volume": {"href": bob_volume["id"]}}).status == 404
    expanded = bob.ok("GET", bob_volume["id"], params={"$expand": "*"}).doc
    assert expanded["name"] == "bob-v"

    # bob cannot use alice's volume by reference: the same answer as a volume that does not exist
    stolen = bob.call("POST", bob.add_href("machines"), bob.machine_body(
        "bob-m", volumes=[{"volume": {"href": volume["id"]}}]))
    absent = bob.call("POST", bob.add_href("machines"), bob.machine_body(
        "bob-m", volumes=[{"volume": {"href": missing.replace("machines", "volumes")}}]))
    assert stolen.status == absent.status == 400
    assert "bob-m" not in names(root, "machines")
    assert bob.call("POST", bob.add_href("machines"), bob.machine_body(
        "bob-m2", credential={"href": machine["id"]})).status == 400

    # the owner (and an admin) still can
    assert alice.ok("PUT", machine["id"], {"name": "alice-m2"}).doc["name"] == "alice-m2"
    assert root.ok("GET", volume["id"]).doc["name"] == "alice-v"
    assert alice.settle(alice.ok("DELETE", op(volume, "delete")))["state"] == "SUCCESS"


def test_jobs_follow_their_target(tenants):
    alice, bob, root = as_(tenants, "alice"), as_(tenants, "bob"), as_(tenants, "root")
    reply = alice.create("volumes", {"name": "alice-jobs", "volumeTemplate": {
        "volumeConfig": alice.ref("volumeConfigs", "small-volume")}})
    job_url = reply.headers["CIMI-Job-URI"]
    assert alice.settle(reply)["state"] == "SUCCESS"
    assert bob.call("GET", job_url).status == 404
    job_id = job_url.split("/cimi/", 1)[1]
    assert job_id not in {j["id"].split("/cimi/", 1)[1] for j in items(
        bob.ok("GET", bob.collection("jobs")).doc)}
    # an admin acting on alice's volume makes a Job alice sees: it is about her resource
    volume = alice.ok("GET", reply.headers["Location"]).doc
    renamed = root.ok("PUT", volume["id"], {"resourceURI": NS + "/Volume", "name": "by-admin"})
    admin_job = renamed.headers["CIMI-Job-URI"]
    assert alice.ok("GET", admin_job).doc["state"] == "SUCCESS"
    assert bob.call("GET", admin_job).status == 404


def test_public_catalogue_and_roles(tenants):
    alice, bob, root = as_(tenants, "alice"), as_(tenants, "bob"), as_(tenants, "root")
    carol = as_(tenants, "carol")
    admin_cfg = root.create("machineConfigs", {"name": "admin-cfg", "cpu": 1, "memory": 1024})
    alice.create("machineConfigs", {"name": "alice-cfg", "cpu": 1, "memory": 1024})
    seen = names(bob, "machineConfigs")
    assert {"m1-small", "admin-cfg"} <= seen and "alice-cfg" not in seen
    # the catalogue is read-only to users; the CEP is the admins'
    assert bob.call("DELETE", admin_cfg.headers["Location"]).status == 403
    assert bob.call("PUT", bob.cep()["id"], {"name": "bob's cloud"}).status == 403
    # a reader reads everything and changes nothing
    assert {"alice-cfg", "admin-cfg"} <= names(carol, "machineConfigs")
    assert carol.call("POST", carol.add_href("machineConfigs"),
                      {"resourceURI": NS + "/MachineConfiguration", "name": "c", "cpu": 1,
                       "memory": 1}).status == 403


def test_render_cache_is_per_principal(tenants):
    alice, bob = as_(tenants, "alice"), as_(tenants, "bob")
    alice.create("machineConfigs", {"name": "cached-for-alice", "cpu": 1, "memory": 1024})
    url = alice.collection("machineConfigs")
    for _ in range(2):  # the second answer comes from the render cache
        assert "cached-for-alice" in {i["name"] for i in items(alice.ok("GET", url).doc)}
    assert "cached-for-alice" not in {i["name"] for i in items(bob.ok("GET", url).doc)}


def test_named_tokens_and_audit_initiators(tenants):
    bot, old, alice = as_(tenants, "ci-bot"), as_(tenants, "old"), as_(tenants, "alice")
    bot.create("machineConfigs", {"name": "bot-cfg", "cpu": 1, "memory": 1024})
    assert "bot-cfg" in names(bot, "machineConfigs")
    assert "bot-cfg" not in names(alice, "machineConfigs")      # ci-bot is a user: private
    assert "bot-cfg" in names(old, "machineConfigs")            # the old-format token: an admin
    old.create("machineConfigs", {"name": "old-token-cfg", "cpu": 1, "memory": 1024})
    initiators = {r["initiator"]["name"] for r in records(tenants.trail)}
    assert {"ci-bot", default_token_name(OLD_TOKEN), "alice"} <= initiators
    text = b"".join(p.read_bytes() for p in tenants.trail.parent.iterdir())
    assert NAMED_TOKEN.encode() not in text and OLD_TOKEN.encode() not in text


def test_rows_of_an_old_database_belong_to_the_operator(tmp_path):
    """A database from before owners: its rows get NULL owners, public catalogue or admins'."""
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": {
        name: {"password_hash": hash_password(name + "-pw", iterations=1000), "role": role}
        for name, role in (("alice", "user"), ("root", "admin"))}}))
    db = tmp_path / "cimi.db"
    with ProviderProcess(db) as prov:  # no authentication: everything is the operator's
        anon = Cimi(prov, "json")
        anon.new_machine("legacy-m")
    with sqlite3.connect(db) as conn:  # drop the owner column, as a database made before it
        conn.execute("ALTER TABLE resources DROP COLUMN owner")
    with ProviderProcess(db, "--users", str(users)) as prov:
        alice, root = as_(prov, "alice"), as_(prov, "root")
        assert "legacy-m" in names(root, "machines")
        assert "legacy-m" not in names(alice, "machines")
        assert "m1-small" in names(alice, "machineConfigs")
