# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Selecting events of a trail, and the reports written of them."""
import csv
import io
import json

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import builder, model, query, report, trail

import helpers

HOSTILE = '<script>document.body.dataset.pwned="1"</script><img src=x onerror="alert(1)">'


def write_trail(path, events, run="r1"):
    writer = trail.TrailWriter(str(path)).open()
    for event in events:
        writer.append(event, run)
    writer.close()


def event(action="create", outcome_status="changed", name="web-1", when=None, task="t"):
    ctx = helpers.run_context()
    hint = {"typeURI": "compute/machine", "id": "machines/%s" % name, "name": name}
    doc = builder.result_event(ctx, outcome_status, action, "h1", {"task": task, "module": "m", "changed": True},
                               hint=hint, message="boom" if outcome_status == "failed" else None)
    if when:
        doc["eventTime"] = when
    return doc


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "t.jsonl"
    write_trail(path, [
        event("create", when="2026-12-01T10:00:00.000000+00:00"),
        event("update/attach", name="web-2", when="2026-12-02T10:00:00.000000+00:00"),
        event("update", when="2026-12-03T10:00:00.000000+01:00"),
        event("delete", "failed", name="db-1", when="2026-12-04T10:00:00.000000+00:00"),
    ])
    return path


def select(path, **filters):
    events, skipped = query.run_query(str(path), query.Filters(**filters))
    assert skipped == 0
    return [(e["target"], e["action"]) for e in events]


def test_filters(sample):
    assert select(sample, target="web-1") == [("web-1", "create"), ("web-1", "update")]
    assert select(sample, target="web-*", action="update") == [("web-2", "update/attach"), ("web-1", "update")]
    assert select(sample, target="machines/db-1") == [("db-1", "delete")]
    assert select(sample, outcome="failure") == [("db-1", "delete")]
    assert select(sample, initiator="alice") == select(sample) and select(sample, initiator="bob") == []
    assert select(sample, since="2026-12-02", until="2026-12-03T09:30:00+00:00") == [
        ("web-2", "update/attach"), ("web-1", "update")]


@pytest.mark.parametrize("filters, message", [
    ({"since": "last tuesday"}, "since 'last tuesday' is not an ISO 8601"),
    ({"since": "2026-12-05", "until": "2026-12-01"}, "is after until"),
    ({"outcome": "ok"}, "outcome must be one of"),
])
def test_bad_filters_are_clear_errors(filters, message):
    with pytest.raises(query.QueryError, match=message):
        query.Filters(**filters)


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(query.QueryError, match="does not exist"):
        query.run_query(str(tmp_path / "nope"), query.Filters())
    with pytest.raises(query.QueryError, match="no trail files"):
        query.run_query(str(tmp_path), query.Filters())


def test_unreadable_lines_are_counted(sample):
    with open(sample, "ab") as handle:
        handle.write(b"not json\n[1]\n")
    events, skipped = query.run_query(str(sample), query.Filters())
    assert len(events) == 4 and skipped == 2


def test_summary_per_run(sample):
    events, _skipped = query.run_query(str(sample), query.Filters())
    runs = query.summarise(events)
    assert len(runs) == 1 and runs[0]["events"] == 4 and runs[0]["initiator"] == "alice"
    assert runs[0]["by_outcome"] == {"success": 3, "failure": 1}
    assert runs[0]["by_action"] == {"create": 1, "update/attach": 1, "update": 1, "delete": 1}


def test_reports_are_deterministic_and_escaped(tmp_path):
    path = tmp_path / "t.jsonl"
    write_trail(path, [event(name=HOSTILE, task="=HYPERLINK(\"http://x\")")])
    events, _skipped = query.run_query(str(path), query.Filters())
    html = report.render(events, "html")
    assert html == report.render(events, "html")
    assert "<script>document" not in html and "<img" not in html and html.count("<script>") == 1
    assert "&lt;script&gt;document.body.dataset.pwned" in html
    assert "Content-Security-Policy" in html and "http://" not in html.split("<body>")[0].replace(
        "http-equiv", "")
    rows = list(csv.reader(io.StringIO(report.render(events, "csv"))))
    assert rows[0][:4] == ["time", "seq", "run", "action"]
    assert rows[1][rows[0].index("task")] == "'=HYPERLINK(\"http://x\")"
    data = json.loads(report.render(events, "json"))
    assert data["events"][0]["target"] == HOSTILE and data["runs"][0]["events"] == 1
    with pytest.raises(ValueError):
        report.render(events, "pdf")


def test_records_of_the_model_stay_valid(sample):
    for line in sample.read_text().splitlines():
        assert model.validate_event(json.loads(line)) == []
