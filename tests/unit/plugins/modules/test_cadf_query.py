# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
import json
import os

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import builder, trail
from ansible_collections.cloudmgmt.dmtf.plugins.modules import cadf_query


@pytest.fixture
def query(run_module):
    def run(**args):
        return run_module(cadf_query, args)[0]
    return run


@pytest.fixture
def trail_path(tmp_path):
    writer = trail.TrailWriter(str(tmp_path / "t.jsonl")).open()
    ctx = builder.RunContext("alice", "ctl.example", "ansible-core/2.19", "Linux", "site.yml")
    for name, action in (("web-1", "create"), ("web-2", "create"), ("web-1", "delete")):
        writer.append(builder.result_event(ctx, "changed", action, "h1", {"task": "t"},
                                           hint={"typeURI": "compute/machine", "id": name, "name": name}), "r1")
    writer.close()
    return tmp_path / "t.jsonl"


def test_query_returns_events_and_writes_the_report_once(query, tmp_path, trail_path):
    dest = tmp_path / "r.html"
    result = query(path=str(trail_path), target="web-1", format="html", dest=str(dest))
    assert result["changed"] and result["count"] == 2 and [e["action"] for e in result["events"]] == [
        "create", "delete"]
    assert result["runs"][0]["by_action"] == {"create": 1, "delete": 1}
    assert dest.is_file() and oct(os.stat(dest).st_mode & 0o777) == "0o600"
    again = query(path=str(trail_path), target="web-1", format="html", dest=str(dest))
    assert not again["changed"]


def test_check_mode_writes_nothing(query, tmp_path, trail_path):
    dest = tmp_path / "r.csv"
    result = query(path=str(trail_path), format="csv", dest=str(dest), _ansible_check_mode=True)
    assert result["changed"] and result["count"] == 3 and not dest.exists()


def test_without_dest_nothing_is_written(query, trail_path):
    result = query(path=str(trail_path), action="delete")
    assert not result["changed"] and result["count"] == 1 and "dest" not in result


@pytest.mark.parametrize("args, message", [
    ({"path": "/nonexistent/trail.jsonl"}, "does not exist"),
    ({"since": "yesterday"}, "not an ISO 8601"),
    ({"dest": "/nonexistent-dir/r.html"}, "directory of dest"),
    ({"dest": "/"}, "is a directory"),
])
def test_bad_input_fails_clearly(query, trail_path, args, message):
    params = dict({"path": str(trail_path)}, **args)
    result = query(**params)
    assert result["failed"] and message in result["msg"] and "Traceback" not in json.dumps(result)
