# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cadf_query on a real trail (real ansible-playbook runs against the memory provider), its HTML
report opened in a real headless Chromium: the filters work after the page's script ran, nothing
from the trail runs as markup, nothing is loaded from anywhere. A screenshot is kept in
tests/output/cadf_query/."""
import re
import shutil
import subprocess
import sys

import pytest

from cadf_support import CIMI_PLAY_HEAD, ROOT, local_inventory, records, run_playbook, run_task

sys.path.insert(0, str(ROOT / "provider" / "tests"))
from server import ProviderProcess  # noqa: E402

OUTPUT = ROOT / "tests" / "output" / "cadf_query"
HOSTILE = '<script>document.body.dataset.pwned="1"</script><img src=x onerror="document.body.dataset.pwned=2">'

PLAY = CIMI_PLAY_HEAD + """
    - name: '{hostile}'
      cloudmgmt.dmtf.cimi_machine:
        name: "{{{{ item }}}}"
        config: m1-small
        image: debian-12
      loop: [web-q-1, web-q-2]
    - name: Describe web-q-1
      cloudmgmt.dmtf.cimi_machine:
        name: web-q-1
        description: described
    - name: Start web-q-1
      cloudmgmt.dmtf.cimi_machine:
        name: web-q-1
        state: started
"""


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed (test-bindep.txt lists it; run make setup)")
    return path


def browse(tmp_path, url, *extra):
    profile = tmp_path / "chromium-profile"
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           "--user-data-dir=%s" % profile] + list(extra) + [url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_query_one_target_and_open_the_report_in_a_browser(tmp_path):
    with ProviderProcess(tmp_path / "cimi.db") as prov:
        proc = run_playbook(tmp_path, PLAY.format(name="Machines for the report", endpoint=prov.cep_url,
                                                  hostile=HOSTILE.replace("'", "''")), local_inventory(1))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    trail = tmp_path / "audit.jsonl"
    assert any(r["attachments"][0]["content"].get("task") == HOSTILE for r in records(trail))

    report = tmp_path / "report.html"
    found = run_task(tmp_path / "query", "cloudmgmt.dmtf.cadf_query",
                     {"path": str(trail), "target": "web-q-1", "format": "html", "dest": str(report)})
    assert found["changed"] and found["count"] == 3
    assert [(e["target"], e["action"]) for e in found["events"]] == [
        ("web-q-1", "create"), ("web-q-1", "update"), ("web-q-1", "start")]
    assert found["events"][0]["task"] == HOSTILE
    assert found["runs"][0]["by_action"] == {"create": 1, "update": 1, "start": 1}

    html = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)   # nothing loaded from elsewhere
    # the page as the browser built it, after its script ran, pre-filtered by the URL fragment
    dom = browse(tmp_path, report.as_uri() + "#action=update", "--dump-dom")
    assert 'data-filter="action=update"' in dom
    assert re.search(r'<span id="shown">1</span> of <span id="total">3</span>', dom)
    rows = re.findall(r"<tr class=\"[a-z]+\" ([^>]*)>", dom)
    visible = [r for r in rows if "hidden" not in r]
    assert len(rows) == 3 and len(visible) == 1 and 'data-action="update"' in visible[0]
    # the hostile task name is text, not markup: no element came of it, no script of it ran
    assert "data-pwned" not in dom and "<img" not in dom
    assert "&lt;script&gt;document.body.dataset.pwned" in dom
    assert dom.count("<script>") == 1
    dom_all = browse(tmp_path, report.as_uri(), "--dump-dom")
    assert re.search(r'<span id="shown">3</span>', dom_all) and 'data-filter=""' in dom_all

    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / "report.png"
    if shot.exists():
        shot.unlink()
    browse(tmp_path, report.as_uri() + "#action=update", "--screenshot=%s" % shot, "--window-size=1280,800",
           "--hide-scrollbars")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
    shutil.copy(report, OUTPUT / "report.html")
