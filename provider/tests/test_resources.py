"""Configurations, templates, credentials, volumes, networks and systems."""
from __future__ import annotations

import json
import sqlite3
import uuid

from cimi import IMAGES, NS, available, items, op


def uname(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_configs_templates_crud(cimi):
    cfg = cimi.create("machineConfigs", {"name": uname("cfg"), "cpu": 2, "memory": 2048,
                                         "disks": [{"capacity": 1000, "format": "raw"}]})
    assert cfg.status == 201 and cfg.doc["disks"] == [{"capacity": 1000, "format": "raw"}]
    vcfg = cimi.create("volumeConfigs", {"name": uname("vc"), "capacity": 5000, "format": "raw"})
    vimg = cimi.create("volumeImages", {"name": uname("vi"), "imageLocation": f"{IMAGES}/x.raw",
                                        "bootable": True})
    assert vimg.doc["state"] == "AVAILABLE" and vimg.doc["bootable"] is True
    vt = cimi.create("volumeTemplates", {"name": uname("vt"), "volumeConfig": {"href": vcfg.doc["id"]},
                                         "volumeImage": {"href": vimg.doc["id"]}})
    assert vt.doc["volumeConfig"]["href"] == vcfg.doc["id"]
    nt = cimi.create("networkTemplates", {"name": uname("nt"), "initialState": "STARTED"})
    img = cimi.create("machineImages", {"name": uname("img"), "imageLocation": f"{IMAGES}/img.qcow2"})
    assert cimi.settle(img)["state"] == "SUCCESS"
    as_ref = cimi.create("machineImages", {"name": uname("img"),
                                           "imageLocation": {"href": f"{IMAGES}/other.qcow2"}})
    assert cimi.ok("GET", as_ref.headers["Location"]).doc["imageLocation"] == f"{IMAGES}/other.qcow2"
    for created in (cfg, vcfg, vimg, vt, nt):
        doc = cimi.ok("GET", created.headers["Location"]).doc
        doc["description"] = "changed"
        assert cimi.ok("PUT", op(doc, "edit"), doc).doc["description"] == "changed"
    assert cimi.call("POST", cimi.collection("machineConfigs"),
                     {"resourceURI": NS + "/MachineConfiguration", "name": "x",
                      "cpu": 1}).status == 400  # memory is mandatory
    for created in (vt, nt, cfg):
        assert cimi.ok("DELETE", created.headers["Location"]).status == 200
        assert cimi.call("GET", created.headers["Location"]).status == 404


def test_credentials_hide_password(cimi):
    tmpl = cimi.create("credentialTemplates", {"name": uname("ct"), "userName": "ops",
                                               "password": "s3cret-pass", "key": "c3NoLXJzYSBBQUFB"})
    assert "password" not in tmpl.doc and "s3cret" not in tmpl.resp.text
    cred = cimi.create("credentials", {"name": uname("cr"),
                                       "credentialTemplate": {"href": tmpl.doc["id"]}})
    assert cred.status == 201 and cred.doc["userName"] == "ops" and "password" not in cred.doc
    inline = cimi.create("credentials", {"name": uname("cr"), "credentialTemplate": {
        "userName": "root", "password": "another-secret"}})
    text = cimi.ok("GET", inline.headers["Location"]).resp.text
    assert "another-secret" not in text
    jobs = cimi.ok("GET", cimi.collection("jobs"), params={"$expand": "*"}).resp.text
    assert "another-secret" not in jobs and "s3cret" not in jobs
    machine = cimi.new_machine(uname("m"), credential={"href": cred.doc["id"]})
    assert machine["state"] == "STOPPED"
    # Stored only as a salted hash, carried from the template to the credential.
    with sqlite3.connect(f"file:{cimi.provider.db}?mode=ro", uri=True) as db:
        rows = dict(db.execute("SELECT id, doc FROM resources WHERE type LIKE 'Credential%'"))
    assert not any("s3cret" in doc or "another-secret" in doc for doc in rows.values())
    stored = json.loads(rows[cred.doc["id"].split("/cimi/")[1]])
    assert stored["_passwordHash"].startswith("pbkdf2_sha256$")


def test_machine_template_inline_password_is_kept_as_a_hash(cimi):
    """An inline credential's password in a MachineTemplate is honoured (stored as a salted
    hash, as a Credential's is), never dropped, and never shown, stored or logged as given."""
    secret = uname("inline-pass")
    tmpl = cimi.create("machineTemplates", {
        "name": uname("mt"), "machineConfig": cimi.ref("machineConfigs", "m1-small"),
        "machineImage": cimi.ref("machineImages", "debian-12"),
        "credential": {"userName": "root", "password": secret}})
    shown = cimi.ok("GET", tmpl.headers["Location"])
    assert shown.doc["credential"] == {"userName": "root"}
    machine = cimi.new_machine(uname("m"), **{k: shown.doc[k] for k in ("machineConfig",
                                                                       "machineImage")},
                               credential={"userName": "admin", "password": secret})
    assert machine["state"] == "STOPPED"
    from_template = cimi.create("machines", {"resourceURI": NS + "/MachineCreate",
                                             "name": uname("m"),
                                             "machineTemplate": {"href": tmpl.doc["id"]}})
    assert cimi.settle(from_template)["state"] == "SUCCESS"
    with sqlite3.connect(f"file:{cimi.provider.db}?mode=ro", uri=True) as db:
        docs = dict(db.execute("SELECT id, doc FROM resources"))
    stored = json.loads(docs[tmpl.doc["id"].split("/cimi/")[1]])
    assert stored["credential"]["_passwordHash"].startswith("pbkdf2_sha256$")
    jobs = cimi.ok("GET", cimi.collection("jobs"), params={"$expand": "*"}).resp.text
    texts = [tmpl.resp.text, shown.resp.text, jobs, *docs.values(),
             cimi.provider.log_path.read_text(errors="replace")]
    assert not any(secret in text for text in texts)
    assert "pbkdf2" not in shown.resp.text and "_passwordHash" not in shown.resp.text


def test_volume_lifecycle(cimi):
    reply = cimi.create("volumes", {"name": uname("vol"), "volumeTemplate": {
        "volumeConfig": {"capacity": 2000000, "format": "qcow2"}}})
    assert cimi.settle(reply)["state"] == "SUCCESS"
    vol = cimi.ok("GET", reply.headers["Location"]).doc
    assert (vol["state"], vol["capacity"]) == ("AVAILABLE", 2000000)
    by_ref = cimi.create("volumes", {"name": uname("vol"), "volumeTemplate": {
        "volumeConfig": cimi.ref("volumeConfigs", "large-volume")}})
    assert cimi.ok("GET", by_ref.headers["Location"]).doc["capacity"] == 100000000
    assert cimi.settle(cimi.ok("DELETE", op(vol, "delete")))["state"] == "SUCCESS"
    assert cimi.call("GET", vol["id"]).status == 404


def test_network_lifecycle(cimi):
    reply = cimi.create("networks", {"name": uname("net"), "networkTemplate": {}})
    net = cimi.ok("GET", reply.headers["Location"]).doc
    assert net["state"] == "STOPPED" and available(net, "start") and not available(net, "stop")
    cimi.settle(cimi.act(net, "start"))
    net = cimi.ok("GET", net["id"]).doc
    assert net["state"] == "STARTED"
    assert cimi.call("POST", op(net, NS + "/action/start"),
                     {"action": NS + "/action/start"}).status == 409
    cimi.settle(cimi.act(net, "stop"))
    assert cimi.settle(cimi.ok("DELETE", op(net, "delete")))["state"] == "SUCCESS"


def system_template(cimi, quantity=2):
    net_tmpl = cimi.create("networkTemplates", {"name": uname("nt"), "initialState": "STARTED"})
    return cimi.create("systemTemplates", {"name": uname("st"), "componentDescriptors": [
        {"name": "web", "type": NS + "/Machine", "quantity": quantity,
         "machineTemplate": {"machineConfig": cimi.ref("machineConfigs", "m1-small"),
                             "machineImage": cimi.ref("machineImages", "cirros"),
                             "initialState": "STARTED"}},
        {"name": "data", "type": NS + "/Volume",
         "volumeTemplate": {"volumeConfig": cimi.ref("volumeConfigs", "small-volume")}},
        {"name": "lan", "type": NS + "/Network",
         "networkTemplate": {"href": net_tmpl.doc["id"]}},
    ]}).doc


def test_system_with_quantity_and_nested_jobs(cimi):
    tmpl = system_template(cimi)
    assert len(tmpl["componentDescriptors"]) == 3
    reply = cimi.create("systems", {"name": uname("sys"), "systemTemplate": {"href": tmpl["id"]}})
    job = cimi.settle(reply)
    assert job["state"] == "SUCCESS" and len(job["nestedJobs"]) == 4
    for nested in job["nestedJobs"]:
        child = cimi.ok("GET", nested["href"]).doc
        assert child["state"] == "SUCCESS" and child["parentJob"]["href"] == job["id"]
    system = cimi.ok("GET", reply.headers["Location"]).doc
    assert system["state"] == "STARTED"
    machines = items(cimi.ok("GET", system["machines"]["href"]).doc)
    assert sorted(m["name"] for m in machines) == ["web1", "web2"]
    assert [v["name"] for v in items(cimi.ok("GET", system["volumes"]["href"]).doc)] == ["data"]
    assert [n["state"] for n in items(cimi.ok("GET", system["networks"]["href"]).doc)] == ["STARTED"]
    assert not available(system, "start") and available(system, "stop")
    stop = cimi.settle(cimi.act(system, "stop", force=True))
    assert stop["state"] == "SUCCESS" and len(stop["nestedJobs"]) == 3  # 2 machines + network
    system = cimi.ok("GET", system["id"]).doc
    assert system["state"] == "STOPPED" and available(system, "start")
    # One machine started alone: the system is MIXED.
    cimi.settle(cimi.act(machines[0], "start"))
    assert cimi.ok("GET", system["id"]).doc["state"] == "MIXED"
    deleted = cimi.settle(cimi.ok("DELETE", op(system, "delete")))
    assert deleted["state"] == "SUCCESS"
    for machine in machines:
        assert cimi.call("GET", machine["id"]).status == 404


def test_system_with_failing_component(cimi_json):
    c = cimi_json
    tmpl = c.create("systemTemplates", {"name": uname("st"), "componentDescriptors": [
        {"name": "fail-db", "type": NS + "/Machine",
         "machineTemplate": {"machineConfig": c.ref("machineConfigs", "m1-small")}},
        {"name": "ok", "type": NS + "/Machine",
         "machineTemplate": {"machineConfig": c.ref("machineConfigs", "m1-small")}}]}).doc
    reply = c.call("POST", c.collection("systems"), {"name": uname("sys"),
                                                     "systemTemplate": {"href": tmpl["id"]}})
    job = c.settle(reply)
    assert job["state"] == "FAILED" and "1 of 2" in job["statusMessage"]
    states = sorted(c.ok("GET", n["href"]).doc["state"] for n in job["nestedJobs"])
    assert states == ["FAILED", "SUCCESS"]
    assert c.ok("GET", reply.headers["Location"]).doc["state"] == "ERROR"


def test_system_template_validation(cimi_json):
    c = cimi_json
    bad = c.call("POST", c.collection("systemTemplates"), {
        "resourceURI": NS + "/SystemTemplate", "name": "bad",
        "componentDescriptors": [{"name": "x", "type": NS + "/Machine", "quantity": 0}]})
    assert bad.status == 400
    tmpl = c.create("systemTemplates", {"name": "empty-machine", "componentDescriptors": [
        {"name": "x", "type": NS + "/Machine"}]}).doc
    reply = c.call("POST", c.collection("systems"), {"systemTemplate": {"href": tmpl["id"]}})
    assert reply.status == 400 and "machineTemplate" in reply.doc["statusMessage"]


def test_image_without_location_is_a_400_not_a_500(cimi):
    # Found by the OpenAPI fuzzer: {"type": "SNAPSHOT"} reached the lifecycle without the
    # mandatory imageLocation and raised.
    for body in ({"type": "SNAPSHOT"}, {"name": uname("noloc")}):
        reply = cimi.ok("POST", cimi.add_href("machineImages"),
                        {"resourceURI": NS + "/MachineImage", **body}, status=400)
        assert "missing mandatory attribute 'imageLocation'" in reply.doc["statusMessage"]
