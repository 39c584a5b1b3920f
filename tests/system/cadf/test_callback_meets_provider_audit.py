# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two ends of one change: the callback's record of a cimi_machine task and the provider's
record of the requests it made name the same resource with the same target id, and both trails
verify with the same library."""
import sys

from cadf_support import CIMI_PLAY_HEAD, ROOT, local_inventory, records, run_playbook

sys.path.insert(0, str(ROOT / "provider" / "tests"))
from server import ProviderProcess  # noqa: E402

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.verify import verify_trail  # noqa: E402

PLAY = CIMI_PLAY_HEAD.format(name="One machine, made and removed", endpoint="%s") + """
    - name: Create it
      cloudmgmt.dmtf.cimi_machine:
        name: both-ends-1
        config: m1-small
        image: debian-12
        state: present
    - name: Remove it
      cloudmgmt.dmtf.cimi_machine:
        name: both-ends-1
        state: absent
"""


def test_callback_and_provider_name_the_same_machine(tmp_path):
    provider_trail = tmp_path / "provider-audit.jsonl"
    with ProviderProcess(tmp_path / "cimi.db", "--audit-trail", str(provider_trail)) as prov:
        proc = run_playbook(tmp_path, PLAY % prov.cep_url, local_inventory(1))
    assert proc.returncode == 0, proc.stdout + proc.stderr

    ours = [r for r in records(tmp_path / "audit.jsonl") if r["target"]["typeURI"] == "compute/machine"]
    theirs = [r for r in records(provider_trail) if r["target"]["typeURI"] == "compute/machine"]
    assert [r["action"] for r in ours] == ["create", "delete"]
    assert [r["action"] for r in theirs] == ["create", "delete"]
    assert len({r["target"]["id"] for r in ours + theirs}) == 1
    assert ours[0]["target"]["ref"] == theirs[0]["target"]["ref"] and "/cimi/machines/" in ours[0]["target"]["ref"]
    for trail in (tmp_path / "audit.jsonl", provider_trail):
        report = verify_trail(str(trail))
        assert report["valid"], report
