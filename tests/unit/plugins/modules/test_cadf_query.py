# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
import json
import os
import pathlib
import sys

import pytest

_ROOT = pathlib.Path(__file__).resolve().parents[4]
for _p in (str(_ROOT / ".collections"), str(_ROOT / "tests" / "unit" / "plugins" / "module_utils" / "cadf")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import builder, trail  # noqa: E402
from ansible_collections.cloudmgmt.dmtf.plugins.modules import cadf_query  # noqa: E402

import helpers  # noqa: E402


def run_module(capsys, **args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            cadf_query.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def trail_path(tmp_path):
    writer = trail.TrailWriter(str(tmp_path / "t.jsonl")).open()
    ctx = helpers.run_context()
    for name, action in (("web-1", "create"), ("web-2", "create"), ("web-1", "delete")):
        writer.append(builder.result_event(ctx, "changed", action, "h1", {"task": "t"},
                                           hint={"typeURI": "compute/machine", "id": name, "name": name}), "r1")
    writer.close()
    return tmp_path / "t.jsonl"


def test_query_returns_events_and_writes_the_report_once(capsys, tmp_path, trail_path):
    dest = tmp_path / "r.html"
    result = run_module(capsys, path=str(trail_path), target="web-1", format="html", dest=str(dest))
    assert result["changed"] and result["count"] == 2 and [e["action"] for e in result["events"]] == [
        "create", "delete"]
    assert result["runs"][0]["by_action"] == {"create": 1, "delete": 1}
    assert dest.is_file() and oct(os.stat(dest).st_mode & 0o777) == "0o600"
    again = run_module(capsys, path=str(trail_path), target="web-1", format="html", dest=str(dest))
    assert not again["changed"]


def test_check_mode_writes_nothing(capsys, tmp_path, trail_path):
    dest = tmp_path / "r.csv"
    result = run_module(capsys, path=str(trail_path), format="csv", dest=str(dest), _ansible_check_mode=True)
    assert result["changed"] and result["count"] == 3 and not dest.exists()


def test_without_dest_nothing_is_written(capsys, trail_path):
    result = run_module(capsys, path=str(trail_path), action="delete")
    assert not result["changed"] and result["count"] == 1 and "dest" not in result


@pytest.mark.parametrize("args, message", [
    ({"path": "/nonexistent/trail.jsonl"}, "does not exist"),
    ({"since": "yesterday"}, "not an ISO 8601"),
    ({"dest": "/nonexistent-dir/r.html"}, "directory of dest"),
    ({"dest": "/"}, "is a directory"),
])
def test_bad_input_fails_clearly(capsys, trail_path, args, message):
    params = dict({"path": str(trail_path)}, **args)
    result = run_module(capsys, **params)
    assert result["failed"] and message in result["msg"] and "Traceback" not in json.dumps(result)
