# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback unit tests with duck-typed results (TaskResult is not constructed: CADF.md 3.1)."""
import json
import threading

import pytest

import yaml
from ansible import constants as C

from ansible_collections.cloudmgmt.dmtf.plugins.callback import cadf as cadf_callback
from ansible_collections.cloudmgmt.dmtf.plugins.doc_fragments.cadf import ModuleDocFragment
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.verify import verify_trail

import strict_validator

SECRET = "UnitCanary-0xBEEF"


class FakeHost:
    def __init__(self, name):
        self.name = name


class FakeTask:
    def __init__(self, name="t", action="ansible.builtin.file", no_log=False, check_mode=False, uuid="u1"):
        self.name, self.resolved_action, self.action = name, action, action
        self.no_log, self.check_mode, self._uuid = no_log, check_mode, uuid
        self.delegate_to, self.ignore_errors = None, False

    def get_name(self):
        return self.name


class FakeResult:
    def __init__(self, host, task, result, args=None):
        self.host, self.task, self.result = FakeHost(host), task, result
        self.task_fields = {"args": args or {}}


@pytest.fixture(scope="module", autouse=True)
def option_definitions():
    # what the plugin loader does: register the documented options (plugin + doc fragment)
    options = yaml.safe_load(cadf_callback.DOCUMENTATION)["options"]
    options.update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    C.config.initialize_plugin_configuration_definitions("callback", "cloudmgmt.dmtf.cadf", options)


@pytest.fixture
def callback(tmp_path):
    def make(**options):
        cb = cadf_callback.CallbackModule()
        cb._load_name = "cloudmgmt.dmtf.cadf"
        direct = {"path": str(tmp_path / "audit.jsonl"), "anchor_path": str(tmp_path / "anchor.json")}
        direct.update(options)
        cb.set_options(direct=direct)
        cb.v2_playbook_on_start(type("PB", (), {"_file_name": "site.yml"})())
        return cb
    return make


def trail(tmp_path):
    return [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]


def test_loop_items_recorded_not_the_aggregate(tmp_path, callback):
    cb = callback()
    task = FakeTask()
    for i in range(2):
        cb.v2_runner_item_on_ok(FakeResult("h1", task, {"changed": True, "item": i}))
    cb.v2_runner_on_ok(FakeResult("h1", task, {"changed": True, "results": [{}, {}]}))
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(uuid="u2"), {"changed": False}))
    cb._finish(None)
    recs = trail(tmp_path)
    assert [r["action"] for r in recs] == ["start", "update", "update", "stop"]
    for r in recs:
        strict_validator.validate(r)


def test_no_log_and_opt_in_fields(tmp_path, callback):
    cb = callback(include_task_args=True, include_diff=True)
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(no_log=True), {"changed": True, "_ansible_no_log": True},
                                  args={"_raw_params": "echo " + SECRET}))
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(uuid="u2"), {
        "changed": True, "diff": {"after": {"password": SECRET}},
        "invocation": {"module_args": {"path": "/x", "api_token": SECRET, "state": "absent"}}}))
    cb._finish(None)
    text = (tmp_path / "audit.jsonl").read_text()
    assert SECRET not in text
    recs = trail(tmp_path)
    assert "args" not in recs[1]["attachments"][0]["content"]
    assert recs[2]["attachments"][0]["content"]["args"]["path"] == "/x" and recs[2]["action"] == "delete"


def test_user_data_never_reaches_a_record(tmp_path, callback):
    """user_data (cloud-init often holds passwords) is redacted from args and diff, even where
    the task's raw args (not masked by no_log) are the only source."""
    cb = callback(include_task_args=True, include_diff=True)
    cb.v2_runner_on_failed(FakeResult("h1", FakeTask(action="cloudmgmt.dmtf.cimi_machine"), {"msg": "x"},
                                      args={"name": "web", "user_data": "#cloud-config " + SECRET}))
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(action="cloudmgmt.dmtf.cimi_machine_template", uuid="u2"), {
        "changed": True, "diff": {"after": {"machineTemplate": {"userData": SECRET, "name": "t"}}},
        "invocation": {"module_args": {"name": "t", "userData": SECRET}}}))
    cb._finish(None)
    assert SECRET not in (tmp_path / "audit.jsonl").read_text()
    recs = trail(tmp_path)
    assert recs[1]["attachments"][0]["content"]["args"] == {"name": "web", "user_data": "********"}
    assert recs[2]["attachments"][0]["content"]["diff"]["after"]["machineTemplate"]["name"] == "t"


def test_failed_unreachable_and_hint(tmp_path, callback):
    cb = callback()
    cb.v2_runner_on_failed(FakeResult("h1", FakeTask(), {"msg": "x"}))
    cb.v2_runner_on_unreachable(FakeResult("h2", FakeTask(), {"unreachable": True}))
    cb.v2_runner_on_ok(FakeResult("h3", FakeTask(action="cloudmgmt.dmtf.cimi_machine"), {
        "changed": True, "cadf": {"typeURI": "compute/machine", "id": "machines/7", "name": "web-7"}},
        args={"state": "started"}))
    cb._finish(None)
    recs = trail(tmp_path)
    outcomes = [(r["outcome"], r["reason"]["reasonCode"]) for r in recs[1:3]]
    assert outcomes == [("failure", "failed: x"), ("failure", "unreachable")]
    assert recs[1]["reason"]["reasonType"] == "urn:cloudmgmt:dmtf:ansible:message"
    # no actions return value: the action map of the requested state is all there is
    assert recs[3]["target"]["typeURI"] == "compute/machine" and recs[3]["action"] == "start"


def test_one_record_per_action_the_module_took(tmp_path, callback):
    """A machine created with state started: create, then start (what was done, not the state)."""
    cb = callback()
    machine = FakeTask(action="cloudmgmt.dmtf.cimi_machine")
    hint = {"typeURI": "compute/machine", "id": "machines/7", "name": "web-7"}
    cb.v2_runner_on_ok(FakeResult("h1", machine, {"changed": True, "cadf": hint, "actions": ["create", "start"]},
                                  args={"state": "started"}))
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(action="cloudmgmt.dmtf.cimi_machine", uuid="u2"),
                                  {"changed": True, "cadf": hint, "actions": ["update"]}, args={"state": "present"}))
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(action="cloudmgmt.dmtf.cimi_volume", uuid="u3"),
                                  {"changed": True, "cadf": hint,
                                   "actions": ["create", "recovered-after-ambiguous-create", "attach"]}))
    cb._finish(None)
    recs = trail(tmp_path)[1:-1]
    assert [r["action"] for r in recs] == ["create", "start", "update", "create", "update/attach"]
    assert [r["attachments"][0]["content"]["step"] for r in recs[:2]] == ["create", "start"]
    assert recs[0]["attachments"][0]["content"]["steps"] == ["create", "start"]
    for r in recs:
        strict_validator.validate(r)


def test_failure_reason_carries_the_message_masked(tmp_path, callback):
    cb = callback()
    cb.v2_runner_on_failed(FakeResult("h1", FakeTask(), {
        "msg": "login to https://admin:%s@cimi.example failed, password=%s" % (SECRET, SECRET)}))
    cb.v2_runner_on_failed(FakeResult("h1", FakeTask(no_log=True, uuid="u2"), {
        "msg": "boom " + SECRET, "_ansible_no_log": True}))
    cb._finish(None)
    text = (tmp_path / "audit.jsonl").read_text()
    assert SECRET not in text
    recs = trail(tmp_path)
    assert recs[1]["reason"]["reasonCode"] == "failed: login to https://cimi.example failed, password=********"
    assert recs[2]["reason"] == {"reasonType": "urn:cloudmgmt:dmtf:ansible:result", "reasonCode": "failed"}
    for r in recs:
        strict_validator.validate(r)


def test_initiator_is_the_os_account_and_tags_are_recorded(tmp_path, callback, monkeypatch):
    import os
    import pwd
    monkeypatch.setenv("USER", "someone-else")
    cb = callback(tags=["ticket=CHG-1", "team=ops"])
    cb._finish(None)
    recs = trail(tmp_path)
    initiator = recs[0]["initiator"]
    assert initiator["name"] == pwd.getpwuid(os.getuid()).pw_name != "someone-else"
    identity = initiator["attachments"][0]["content"]
    assert identity["uid"] == os.getuid() and identity["claimed"]["USER"] == "someone-else"
    assert "ticket?value=CHG-1" in recs[0]["tags"] and recs[0]["attachments"][0]["content"]["tags"] == {
        "ticket": "CHG-1", "team": "ops"}
    for r in recs:
        strict_validator.validate(r)


def test_bad_tags_are_left_out_with_a_warning(tmp_path, callback, capsys):
    cb = callback(tags=["no-equals-sign", "ok=1"])
    cb._finish(None)
    recs = trail(tmp_path)
    assert not any("?value=1" in t for t in recs[0]["tags"])
    assert "tags from the tags option ignored" in capsys.readouterr().err


def test_two_threads_many_results_chain_intact(tmp_path, callback):
    cb = callback()

    def work(prefix):
        for i in range(150):
            cb.v2_runner_item_on_ok(FakeResult("%s%d" % (prefix, i % 10), FakeTask(uuid=prefix), {"changed": True}))

    threads = [threading.Thread(target=work, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cb._finish(None)
    report = verify_trail(str(tmp_path / "audit.jsonl"), str(tmp_path / "audit.jsonl.digest"))
    assert report["valid"] and report["records"] == 302


def test_bad_action_map_warns_and_keeps_defaults(tmp_path, callback):
    (tmp_path / "map.yml").write_text("ansible.builtin.file: apply\n")
    cb = callback(action_map_file=str(tmp_path / "map.yml"))
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(), {"changed": True}, args={"state": "absent"}))
    cb._finish(None)
    assert trail(tmp_path)[1]["action"] == "delete"


class FakeRole:
    def get_name(self):
        return "ns.coll.web"


class WrittenTask(FakeTask):
    """A task as the parser keeps it: the templated name, and the data it was written as."""

    def __init__(self, written, templated, role=None):
        super().__init__(name=templated)
        self._written, self._role = written, role

    def get_ds(self):
        return self._written

    def get_name(self):
        name = self.name or self.action
        return ("%s : %s" % (self._role.get_name(), name)) if self._role else name


@pytest.mark.parametrize("task, expected", [
    (WrittenTask({"name": "Rotate {{ pw }}"}, "Rotate s3cret"), "Rotate {{ pw }}"),
    (WrittenTask({"name": "Rotate {{ pw }}"}, "Rotate s3cret", FakeRole()), "ns.coll.web : Rotate {{ pw }}"),
    (WrittenTask({"ansible.builtin.ping": None}, None), "ansible.builtin.file"),
    (WrittenTask("not a mapping", "Named https://u:pw@h/x"), "Named https://h/x"),
])
def test_task_names_recorded_as_written(task, expected):
    assert cadf_callback._task_name_as_written(task) == expected


def test_erased_trail_starts_with_a_reset_record_naming_the_old_anchor(tmp_path, callback):
    for _run in range(2):
        cb = callback()
        cb.v2_runner_on_ok(FakeResult("h1", FakeTask(), {"changed": True}))
        cb._finish(None)
    anchored = json.loads((tmp_path / "anchor.json").read_text())
    assert anchored["seq"] == 6 and anchored["resets"] == []
    (tmp_path / "gone").mkdir()
    for name in ("audit.jsonl", "audit.jsonl.digest"):
        (tmp_path / name).rename(tmp_path / "gone" / name)
    cb = callback()
    cb._finish(None)
    recs = trail(tmp_path)
    assert recs[0]["action"] == "evaluate" and recs[0]["outcome"] == "failure"
    assert recs[0]["reason"]["reasonCode"] == "trail_reset" and recs[0]["target"]["typeURI"] == "data/file/log"
    lost = recs[0]["attachments"][0]["content"]
    assert lost["seq"] == 6 and lost["hash"] == anchored["hash"] and lost["found_seq"] == 0
    for r in recs:
        strict_validator.validate(r)
    report = verify_trail(str(tmp_path / "audit.jsonl"), str(tmp_path / "audit.jsonl.digest"),
                          anchor=json.loads((tmp_path / "anchor.json").read_text()))
    assert not report["valid"] and {p["kind"] for p in report["problems"]} == {"trail_reset"}


def test_rotated_trail_continues_the_chain(tmp_path, callback):
    cb = callback()
    cb.v2_runner_on_ok(FakeResult("h1", FakeTask(), {"changed": True}))
    cb._finish(None)
    for name in ("audit.jsonl", "audit.jsonl.digest"):
        (tmp_path / name).rename(tmp_path / name.replace("audit.jsonl", "audit.jsonl.1"))
    cb = callback()
    cb._finish(None)
    recs = trail(tmp_path)
    assert recs[0]["action"] == "start" and recs[0]["attachments"][-1]["content"]["seq"] == 4


def test_anchor_signed_once_a_key_is_set_and_a_forged_one_is_a_reset(tmp_path, callback, capsys):
    key = tmp_path / "k"
    key.write_text("unit-test-hmac-key-long-enough\n")
    callback()._finish(None)
    assert json.loads((tmp_path / "anchor.json").read_text())["alg"] == "none"
    callback(signing_key_file=str(key))._finish(None)  # the key is new: the trail still holds the record
    anchored = json.loads((tmp_path / "anchor.json").read_text())
    assert anchored["alg"] == "hmac-sha256" and anchored["sig"]
    assert "the anchor is not signed" in capsys.readouterr().err
    assert not any(r["reason"]["reasonCode"] == "trail_reset" for r in trail(tmp_path))
    anchored["seq"] += 1  # edited without the key, and the trail does not hold that record
    anchored["size"] += 10
    (tmp_path / "anchor.json").write_text(json.dumps(anchored))
    callback(signing_key_file=str(key))._finish(None)
    resets = [r for r in trail(tmp_path) if r["reason"]["reasonCode"] == "trail_reset"]
    assert len(resets) == 1 and "signature is invalid" in resets[0]["attachments"][0]["content"]["anchor_problem"]


def test_unreadable_anchor_is_a_reset(tmp_path, callback):
    callback()._finish(None)
    (tmp_path / "anchor.json").write_text("{not json")
    callback()._finish(None)
    resets = [r for r in trail(tmp_path) if r["reason"]["reasonCode"] == "trail_reset"]
    assert len(resets) == 1 and "not JSON" in resets[0]["attachments"][0]["content"]["anchor_problem"]
    for r in trail(tmp_path):
        strict_validator.validate(r)
