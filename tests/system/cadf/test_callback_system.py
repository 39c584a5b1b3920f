# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
import collections
import json

import pytest

from cadf_support import SIMPLE_PLAY, forwarded, local_inventory, records, run_playbook, run_task, free_port
import strict_validator

CANARIES = ["CanaryNoLog-7f3a", "CanaryVar-91bd", "CanaryDiff-c0de", "CanaryUrl-55ee", "CanaryName-42aa"]

SECRETS_PLAY = """
- name: Secrets never reach the trail {{ run_label }}
  hosts: all
  gather_facts: false
  vars:
    db_password: CanaryVar-91bd
    api_url: "https://admin:CanaryUrl-55ee@example.invalid/api"
  tasks:
    - name: No-log command with a secret argument
      ansible.builtin.command: echo CanaryNoLog-7f3a {{ db_password }}
      no_log: true
    - name: A file whose diff holds a secret
      ansible.builtin.copy:
        content: "password=CanaryDiff-c0de {{ db_password }}\\n"
        dest: "{{ playbook_dir }}/secret.conf"
        mode: "0600"
    - name: A URL with credentials in the arguments, and in the task name {{ api_url }} {{ db_password }}
      ansible.builtin.debug:
        msg: "{{ api_url }}"
      changed_when: true
    - name: A failing task that echoes the secret
      ansible.builtin.command: /bin/false {{ db_password }} {{ api_url }}
      ignore_errors: true
"""


def test_canary_secrets_never_in_records_warnings_or_logs(tmp_path):
    proc = run_playbook(tmp_path, SECRETS_PLAY, local_inventory(1), args=["--diff", "-e", "run_label=CanaryName-42aa"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recs = records(tmp_path / "audit.jsonl")
    assert [r["action"] for r in recs][0] == "start" and recs[-1]["action"] == "stop"
    assert len(recs) == 6  # start, command, copy, debug, failure, stop
    for r in recs:
        strict_validator.validate(r)
    blobs = [(tmp_path / "audit.jsonl").read_text(), (tmp_path / "audit.jsonl.digest").read_text(), proc.stderr]
    blobs += [l for l in proc.stdout.splitlines() if "WARNING" in l or "CADF" in l]
    for canary in CANARIES:
        for blob in blobs:
            assert canary not in blob
    names = [a["content"]["task"] for r in recs for a in r.get("attachments", []) if "task" in a["content"]]
    assert "A URL with credentials in the arguments, and in the task name {{ api_url }} {{ db_password }}" in names
    failed = [r for r in recs if r["outcome"] == "failure" and r["action"] != "stop"]
    assert len(failed) == 1 and failed[0]["reason"]["reasonCode"] == "ignored: non-zero return code"


LOOP_PLAY = """
- name: Many hosts, forks and loops
  hosts: all
  gather_facts: false
  tasks:
    - name: Loop of changes
      ansible.builtin.debug:
        msg: "{{ item }}"
      changed_when: true
      loop: [1, 2, 3]
    - name: One change per host
      ansible.builtin.file:
        path: "{{ playbook_dir }}/{{ inventory_hostname }}.flag"
        state: touch
        mode: "0600"
"""


def test_twenty_forks_with_loops_every_record_once_and_chain_intact(tmp_path):
    proc = run_playbook(tmp_path, LOOP_PLAY, local_inventory(20), args=["--forks", "20"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recs = records(tmp_path / "audit.jsonl")
    for r in recs:
        strict_validator.validate(r)
    per_host = collections.Counter(r["target"]["name"] for r in recs if r["target"]["typeURI"] == "compute/node")
    assert per_host == {"h%02d" % i: 4 for i in range(20)}  # 3 items + 1 task, never the loop aggregate
    items = [r for r in recs if r["attachments"][0]["content"].get("loop_item")]
    assert len(items) == 60
    assert len({r["id"] for r in recs}) == len(recs) == 82
    seqs = [r["attachments"][-1]["content"]["seq"] for r in recs]
    assert seqs == list(range(1, 83))
    assert verify_with_module(tmp_path)["valid"]


def verify_with_module(tmp_path, key=None):
    args = {"path": str(tmp_path / "audit.jsonl")}
    if key:
        args["key_file"] = str(key)
    return run_task(tmp_path / "verify", "cloudmgmt.dmtf.cadf_verify", args)


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "truncate", "forged_digest"])
def test_tampering_detected_by_cadf_verify(tmp_path, tamper):
    key = tmp_path / "audit.key"
    key.write_text("a-long-enough-hmac-secret-for-tests\n")
    env = {"ANSIBLE_CALLBACK_CADF_SIGNING_KEY_FILE": str(key)}
    for _run in range(2):
        assert run_playbook(tmp_path, SIMPLE_PLAY, local_inventory(2), env).returncode == 0
    assert verify_with_module(tmp_path, key)["valid"]
    trail = tmp_path / "audit.jsonl"
    lines = trail.read_bytes().splitlines(keepends=True)
    if tamper == "edit":
        lines[3] = lines[3].replace(b'"outcome":"success"', b'"outcome":"failure"')
    elif tamper == "delete":
        del lines[4]
    elif tamper == "reorder":
        lines[2], lines[3] = lines[3], lines[2]
    elif tamper == "truncate":
        lines = lines[:-2]
    trail.write_bytes(b"".join(lines))
    if tamper == "forged_digest":
        dpath = tmp_path / "audit.jsonl.digest"
        digests = [json.loads(l) for l in dpath.read_text().splitlines()]
        digests[-1]["count"] += 1
        dpath.write_text("".join(json.dumps(d, sort_keys=True, separators=(",", ":")) + "\n" for d in digests))
    report = verify_with_module(tmp_path, key)
    assert report["failed"] and not report["valid"] and report["problem_count"] >= 1
    assert "failed verification" in report["msg"]


HTTP_PLAY = SIMPLE_PLAY


def test_http_collector_down_then_up_loses_nothing(tmp_path, collector):
    down = "http://127.0.0.1:%d/cadf" % free_port()
    env = {"ANSIBLE_CALLBACK_CADF_FORWARDERS": "http", "ANSIBLE_CALLBACK_CADF_HTTP_TOKEN": "tok-123",
           "ANSIBLE_CALLBACK_CADF_HTTP_FLUSH_TIMEOUT": "1", "ANSIBLE_CALLBACK_CADF_HTTP_URL": down}
    proc = run_playbook(tmp_path, HTTP_PLAY, local_inventory(2), env)
    assert proc.returncode == 0 and "sent by the next run" in proc.stdout + proc.stderr
    first_run = {r["id"] for r in records(tmp_path / "audit.jsonl")}
    assert len(first_run) == 8 and collector.records == []
    env["ANSIBLE_CALLBACK_CADF_HTTP_URL"] = "http://127.0.0.1:%d/cadf" % collector.port
    env["ANSIBLE_CALLBACK_CADF_HTTP_FLUSH_TIMEOUT"] = "30"
    proc = run_playbook(tmp_path, HTTP_PLAY, local_inventory(2), env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    all_ids = {r["id"] for r in records(tmp_path / "audit.jsonl")}
    delivered, anchors = forwarded(collector.records)
    received = {r["id"] for r in delivered}
    assert len(all_ids) == 16 and received == all_ids
    assert [a["attachments"][0]["content"]["seq"] for a in anchors] == [8, 16]  # the spooled one first
    for r in collector.records:
        strict_validator.validate(r)
    assert list((tmp_path / "audit.jsonl.spool").iterdir()) == []


def test_fail_closed_stops_the_play_when_spool_cannot_be_written(tmp_path):
    (tmp_path / "not-a-dir").write_text("x")
    env = {"ANSIBLE_CALLBACK_CADF_FORWARDERS": "http", "ANSIBLE_CALLBACK_CADF_HTTP_URL": "http://127.0.0.1:9/x",
           "ANSIBLE_CALLBACK_CADF_SPOOL_DIR": str(tmp_path / "not-a-dir" / "spool"),
           "ANSIBLE_CALLBACK_CADF_FAIL_CLOSED": "true"}
    play = SIMPLE_PLAY.replace("msg: x", "msg: x\n      register: ran")
    proc = run_playbook(tmp_path, play + """
    - name: Must never run
      ansible.builtin.file:
        path: "{{ playbook_dir }}/ran.flag"
        state: touch
        mode: "0600"
""", local_inventory(1), env)
    assert proc.returncode != 0
    assert "fail_closed" in proc.stdout + proc.stderr
    assert not (tmp_path / "ran.flag").exists()
    assert "TASK [Change]" not in proc.stdout


def test_fail_open_warns_and_continues(tmp_path):
    (tmp_path / "not-a-dir").write_text("x")
    proc = run_playbook(tmp_path, SIMPLE_PLAY, local_inventory(1),
                        {"ANSIBLE_CALLBACK_CADF_PATH": str(tmp_path / "not-a-dir" / "audit.jsonl")})
    assert proc.returncode == 0
    assert "CADF audit" in proc.stdout + proc.stderr


def test_check_mode_recorded_as_pending(tmp_path):
    play = LOOP_PLAY.split("    - name: One change", maxsplit=1)[0].replace("Loop of changes", "x") + """
    - name: Would touch
      ansible.builtin.file:
        path: "{{ playbook_dir }}/never.flag"
        state: touch
        mode: "0600"
"""
    proc = run_playbook(tmp_path, play, local_inventory(1), args=["--check"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recs = records(tmp_path / "audit.jsonl")
    assert not (tmp_path / "never.flag").exists()
    assert all(r["outcome"] != "success" or r["action"] in ("start", "stop") for r in recs)
    touched = [r for r in recs if r["attachments"][0]["content"].get("module") == "ansible.builtin.file"]
    assert touched and touched[0]["outcome"] == "pending" and "check_mode?value=true" in touched[0]["tags"]


@pytest.mark.parametrize("settings, message", [
    ({"ANSIBLE_CALLBACK_CADF_DIGEST_PATH": "{trail}"}, "path and digest_path are the same path"),
    ({"ANSIBLE_CALLBACK_CADF_DIGEST_PATH": "{link}"}, "path and digest_path are the same path"),
    ({"ANSIBLE_CALLBACK_CADF_FORWARDERS": "http", "ANSIBLE_CALLBACK_CADF_HTTP_URL": "http://127.0.0.1:9/x",
      "ANSIBLE_CALLBACK_CADF_SPOOL_DIR": "{trail}/spool"}, "spool_dir ({trail}/spool) lies inside path"),
    ({"ANSIBLE_CALLBACK_CADF_SIGNING_KEY_FILE": "{trail}.digest"}, "digest_path and signing_key_file are the same"),
])
def test_conflicting_paths_stop_before_the_first_task(tmp_path, settings, message):
    trail = tmp_path / "audit.jsonl"
    trail.write_text("")
    (tmp_path / "link.jsonl").symlink_to(trail)
    fill = {"trail": str(trail), "link": str(tmp_path / "link.jsonl")}
    env = {key: value.format(**fill) for key, value in settings.items()}
    proc = run_playbook(tmp_path, SIMPLE_PLAY.replace("msg: x", "msg: x\n      register: ran"),
                        local_inventory(1), env, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "CADF audit: conflicting settings: " in out and message.format(**fill) in out, out
    assert "TASK [Change]" not in proc.stdout
    assert "Traceback" not in out
    assert trail.read_text() == ""
