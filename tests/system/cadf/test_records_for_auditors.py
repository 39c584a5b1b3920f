# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records that say what happened, and who did it: real ansible-playbook runs with the callback
against the reference provider (memory backend, loopback)."""
import os
import pwd
import subprocess
import sys

from cadf_support import CIMI_PLAY_HEAD, ROOT, local_inventory, records, run_playbook

import strict_validator

sys.path.insert(0, str(ROOT / "provider" / "tests"))
from server import ProviderProcess  # noqa: E402

CANARY = "SysCanary-user-data-0xF00D"

PLAY = CIMI_PLAY_HEAD.format(name="Machines the auditor reads about", endpoint="%s") + """
    - name: Create it started
      cloudmgmt.dmtf.cimi_machine:
        name: audit-rec-1
        config: m1-small
        image: debian-12
        state: started
        user_data: "#cloud-config\\npassword: %s\\n"
    - name: Change a property with the default state
      cloudmgmt.dmtf.cimi_machine:
        name: audit-rec-1
        description: now described
    - name: Stop it
      cloudmgmt.dmtf.cimi_machine:
        name: audit-rec-1
        state: stopped
    - name: A machine that cannot be made
      cloudmgmt.dmtf.cimi_machine:
        name: audit-rec-2
        config: no-such-config
        image: debian-12
      ignore_errors: true
    - name: Remove it
      cloudmgmt.dmtf.cimi_machine:
        name: audit-rec-1
        state: absent
"""


def machine_records(path):
    return [r for r in records(path) if r["target"]["typeURI"] == "compute/machine"]


def test_actions_are_what_the_module_did_and_the_initiator_is_the_os_user(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with ProviderProcess(tmp_path / "cimi.db") as prov:
        (tmp_path / "play.yml").write_text(PLAY % (prov.cep_url, CANARY))
        subprocess.run(["git", "-C", str(tmp_path), "add", "play.yml"], check=True)
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                        "commit", "-qm", "play"], check=True)
        commit = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], check=True,
                                capture_output=True, text=True).stdout.strip()
        proc = run_playbook(tmp_path, PLAY % (prov.cep_url, CANARY), local_inventory(1),
                            env_extra={"USER": "someone", "LOGNAME": "someone",
                                       "ANSIBLE_CALLBACK_CADF_INCLUDE_TASK_ARGS": "1",
                                       "ANSIBLE_CALLBACK_CADF_INCLUDE_DIFF": "1",
                                       "ANSIBLE_CALLBACK_CADF_TAGS": "team=ops"},
                            args=["-e", '{"cadf_tags": {"ticket": "CHG-1"}}', "--diff"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    trail = tmp_path / "audit.jsonl"
    text = trail.read_text()
    assert CANARY not in text and CANARY not in proc.stdout + proc.stderr

    recs = [r for r in records(trail) if r["target"]["typeURI"] != "data/workload/job"]
    # created straight into STARTED by the provider: a create, and no start was needed
    assert [(r["target"]["name"], r["action"], r["outcome"]) for r in recs] == [
        ("audit-rec-1", "create", "success"), ("audit-rec-1", "update", "success"),
        ("audit-rec-1", "stop", "success"), ("audit-rec-2", "create", "failure"),
        ("audit-rec-1", "delete", "success")]
    failure = recs[3]
    assert failure["target"]["typeURI"] == "compute/machine"   # the machine it was about, not the host
    assert failure["reason"]["reasonType"] == "urn:cloudmgmt:dmtf:ansible:message"
    assert failure["reason"]["reasonCode"].startswith("ignored: ") and "no-such-config" in failure["reason"]["reasonCode"]
    args = recs[0]["attachments"][0]["content"]["args"]
    assert args["user_data"] == "********" and args["name"] == "audit-rec-1"

    me = pwd.getpwuid(os.getuid()).pw_name
    assert me != "someone"
    for r in records(trail):
        strict_validator.validate(r)
        assert r["initiator"]["name"] == me
        identity = r["initiator"]["attachments"][0]["content"]
        assert identity["uid"] == os.getuid() and identity["claimed"]["USER"] == "someone"
        assert r["initiator"]["host"]["address"]
        content = r["attachments"][0]["content"]
        assert content["playbook_path"] == str(tmp_path / "play.yml")
        assert content["playbook_commit"] == commit
        assert content["tags"] == {"team": "ops", "ticket": "CHG-1"}
        assert "ticket?value=CHG-1" in r["tags"] and "team?value=ops" in r["tags"]
