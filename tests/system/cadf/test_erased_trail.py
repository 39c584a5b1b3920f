# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An erased trail is noticed: real ansible-playbook runs with the callback, the trail and its
digest moved away, then the next run and cadf_verify with the anchor."""
import json

from cadf_support import LOCALHOST, ROOT, SIMPLE_PLAY, local_inventory, records, run_playbook, run_task

import strict_validator


def verify(tmp_path, key, name):
    return run_task(tmp_path / ("verify-" + name), "cloudmgmt.dmtf.cadf_verify", {
        "path": str(tmp_path / "audit.jsonl"), "key_file": str(key), "anchor": str(tmp_path / "anchor.json")})


def kinds(report):
    return {p["kind"] for p in report["problems"]}


def test_erased_trail_does_not_verify_against_its_anchor(tmp_path, collector):
    key = tmp_path / "audit.key"
    key.write_text("a-long-enough-hmac-secret-for-tests\n")
    env = {"ANSIBLE_CALLBACK_CADF_SIGNING_KEY_FILE": str(key), "ANSIBLE_CALLBACK_CADF_FORWARDERS": "http",
           "ANSIBLE_CALLBACK_CADF_HTTP_URL": collector.url, "ANSIBLE_CALLBACK_CADF_HTTP_TOKEN": collector.token}
    for _run in range(2):
        proc = run_playbook(tmp_path, SIMPLE_PLAY, local_inventory(1), env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert verify(tmp_path, key, "intact")["valid"]
    anchored = json.loads((tmp_path / "anchor.json").read_text())
    assert anchored["seq"] == 10 and anchored["alg"] == "hmac-sha256" and anchored["sig"]
    # the collector got the anchor of each run (not part of the chain)
    sent = [r for r in collector.records if r["reason"]["reasonCode"] == "anchor"]
    assert [r["attachments"][0]["content"]["seq"] for r in sent] == [5, 10]
    for r in collector.records:
        strict_validator.validate(r)

    gone = tmp_path / "elsewhere"
    gone.mkdir()
    for name in ("audit.jsonl", "audit.jsonl.digest"):
        (tmp_path / name).rename(gone / name)
    (tmp_path / "audit.jsonl").write_bytes(b"")
    erased = verify(tmp_path, key, "erased")
    assert erased["failed"] and kinds(erased) == {"anchor_lost", "missing_digests"}

    proc = run_playbook(tmp_path, SIMPLE_PLAY, local_inventory(1), env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    recs = records(tmp_path / "audit.jsonl")
    assert recs[0]["reason"]["reasonCode"] == "trail_reset"
    assert recs[0]["attachments"][0]["content"]["seq"] == 10
    assert recs[0]["attachments"][0]["content"]["hash"] == anchored["hash"]
    for r in recs:
        strict_validator.validate(r)
    after = verify(tmp_path, key, "after-reset")
    assert after["failed"] and not after["valid"] and "trail_reset" in kinds(after)
    assert any(p.get("line") == 1 and p.get("seq") == 1 for p in after["problems"])

    # the packaged verify_audit playbook prints where each problem is, as cadf_verify returns it
    vdir = tmp_path / "verify-audit-playbook"
    vdir.mkdir()
    proc = run_playbook(vdir, (ROOT / "playbooks" / "verify_audit.yml").read_text(), LOCALHOST,
                        env_extra={"ANSIBLE_CALLBACKS_ENABLED": None},
                        args=["-e", "cadf_trail=%s" % (tmp_path / "audit.jsonl"), "-e", "cadf_key_file=%s" % key,
                              "-e", "cadf_anchor=%s" % (tmp_path / "anchor.json")])
    assert proc.returncode != 0 and "NOT intact" in proc.stdout
    assert "  - trail_reset (line 1, seq 1): the trail was reset" in proc.stdout
