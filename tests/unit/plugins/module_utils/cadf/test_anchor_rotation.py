# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Anchors (where a trail had got to) and directories of rotated trails."""
import os

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import anchor, digest, model, signing, trail, verify

import helpers


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "audit.key"
    path.write_bytes(b"0123456789abcdef0123456789abcdef\n")
    return signing.load_key(str(path))


def write_run(path, n, key, run="r1", follows=None):
    writer = trail.TrailWriter(str(path)).open()
    if follows:
        with writer.locked_state():
            writer.continue_chain(*follows)
    for i in range(n):
        writer.append(helpers.sample_event(host="h%d" % i), run)
    writer.sync()
    digest.write_digest(writer, str(path) + ".digest", run, model.utc_now(), n, 1, n, key)
    with writer.locked_state() as (size, seq, last_hash):
        made = anchor.make_anchor(str(path), seq, last_hash, size, run, key)
    writer.close()
    return made


def kinds(report):
    return {p["kind"] for p in report["problems"]}


def test_anchor_round_trip_and_signature(tmp_path, key):
    made = write_run(tmp_path / "t.jsonl", 3, key)
    apath = tmp_path / "a" / "anchor.json"
    anchor.write_anchor(str(apath), made)
    assert oct(os.stat(apath).st_mode & 0o777) == "0o600"
    read = anchor.read_anchor(str(apath))
    assert read == made and read["seq"] == 3 and anchor.signature_problem(read, key) is None
    assert anchor.holds(str(tmp_path / "t.jsonl"), read)
    forged = dict(read, seq=99)
    assert "invalid" in anchor.signature_problem(forged, key)
    assert anchor.read_anchor(str(tmp_path / "none.json")) is None
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(anchor.AnchorError, match="not an anchor"):
        anchor.read_anchor(str(tmp_path / "bad.json"))


def test_default_anchor_path_is_per_trail_under_the_users_ansible_dir(tmp_path):
    one = anchor.default_anchor_path(str(tmp_path / "a.jsonl"))
    assert one.startswith(os.path.expanduser("~/.ansible/cadf/anchors/")) and one.endswith(".json")
    assert one != anchor.default_anchor_path(str(tmp_path / "b.jsonl"))


def test_verify_with_anchor_reports_an_erased_or_replaced_trail(tmp_path, key):
    made = write_run(tmp_path / "t.jsonl", 3, key)
    assert verify.verify_trail(str(tmp_path / "t.jsonl"), str(tmp_path / "t.jsonl.digest"), key, anchor=made)["valid"]
    os.rename(tmp_path / "t.jsonl", tmp_path / "old.jsonl")
    os.rename(tmp_path / "t.jsonl.digest", tmp_path / "old.jsonl.digest")
    write_run(tmp_path / "t.jsonl", 2, key, run="r2")  # a fresh trail: a valid chain on its own
    alone = verify.verify_trail(str(tmp_path / "t.jsonl"), str(tmp_path / "t.jsonl.digest"), key)
    assert alone["valid"]
    report = verify.verify_trail(str(tmp_path / "t.jsonl"), str(tmp_path / "t.jsonl.digest"), key, anchor=made)
    assert not report["valid"] and kinds(report) == {"anchor_lost"}
    assert "sequence 3 of run r1" in report["problems"][0]["message"]


def test_forged_or_unsigned_anchor_is_refused_with_a_key(tmp_path, key):
    made = write_run(tmp_path / "t.jsonl", 2, key)
    unsigned = anchor.make_anchor(str(tmp_path / "t.jsonl"), made["seq"], made["hash"], made["size"], "r1")
    for bad in (dict(made, seq=1), unsigned):
        report = verify.verify_trail(str(tmp_path / "t.jsonl"), str(tmp_path / "t.jsonl.digest"), key, anchor=bad)
        assert kinds(report) == {"bad_anchor"}


def test_resets_the_anchor_remembers_are_problems(tmp_path, key):
    made = write_run(tmp_path / "t.jsonl", 2, key)
    entry = anchor.reset_entry(dict(made, seq=40, run="r0"), 0, 0)
    remembered = anchor.make_anchor(str(tmp_path / "t.jsonl"), made["seq"], made["hash"], made["size"], "r1",
                                    key, [entry])
    report = verify.verify_trail(str(tmp_path / "t.jsonl"), str(tmp_path / "t.jsonl.digest"), key,
                                 anchor=remembered)
    assert kinds(report) == {"trail_reset"} and "sequence 40 of run r0" in report["problems"][0]["message"]


def rotate(tmp_path, key):
    """Three files: audit.jsonl.2 (oldest), audit.jsonl.1, audit.jsonl (live), one chain."""
    live = tmp_path / "logs" / "audit.jsonl"
    live.parent.mkdir()
    made = write_run(live, 3, key, run="r1")
    for n in (2, 1):
        os.rename(live, "%s.%d" % (live, n))
        os.rename(str(live) + ".digest", "%s.%d.digest" % (live, n))
        predecessor = anchor.rotated_predecessor(str(live), made)
        assert predecessor == "%s.%d" % (live, n)
        made = write_run(live, 2, key, run="r%d" % (4 - n), follows=anchor.tail_of(predecessor))
    return live, made


def test_rotated_trails_verify_as_one_chain(tmp_path, key):
    live, made = rotate(tmp_path, key)
    assert verify.trail_files(str(live.parent)) == [str(live) + ".2", str(live) + ".1", str(live)]
    report = verify.verify_directory(str(live.parent), key, anchor=made)
    assert report["valid"], report["problems"]
    assert report["records"] == 7 and report["first_seq"] == 1 and report["last_seq"] == 7
    assert [f["last_seq"] for f in report["files"]] == [3, 5, 7]
    # one file alone does not start at sequence 1
    alone = verify.verify_trail(str(live), str(live) + ".digest", key)
    assert kinds(alone) == {"truncated"}


@pytest.mark.parametrize("damage, expected", [
    ("drop_middle", {"broken_link"}),
    ("drop_oldest", {"truncated"}),
    ("edit_middle", {"edited", "broken_link"}),
])
def test_rotated_trails_damage_is_found_per_file(tmp_path, key, damage, expected):
    live, made = rotate(tmp_path, key)
    if damage == "drop_middle":
        os.unlink(str(live) + ".1")
    elif damage == "drop_oldest":
        os.unlink(str(live) + ".2")
    else:
        path = str(live) + ".1"
        lines = open(path, "rb").read().splitlines(keepends=True)
        lines[0] = lines[0].replace(b'"outcome":"success"', b'"outcome":"failure"')
        open(path, "wb").write(b"".join(lines))
    report = verify.verify_directory(str(live.parent), key, anchor=made)
    assert not report["valid"] and expected <= kinds(report)
    if damage == "edit_middle":
        assert {p.get("file") for p in report["problems"]} >= {"audit.jsonl.1"}


def test_logrotate_names_are_understood(tmp_path, key):
    """logrotate renames t and t.digest to t.1 and t.digest.1."""
    live = tmp_path / "logs" / "audit.jsonl"
    live.parent.mkdir()
    made = write_run(live, 3, key)
    os.rename(live, str(live) + ".1")
    os.rename(str(live) + ".digest", str(live) + ".digest.1")
    predecessor = anchor.rotated_predecessor(str(live), made)
    assert predecessor == str(live) + ".1"
    made = write_run(live, 2, key, run="r2", follows=anchor.tail_of(predecessor))
    report = verify.verify_directory(str(live.parent), key, anchor=made)
    assert report["valid"], report["problems"]
    assert report["digests"] == 2 and report["signed_digests"] == 2


def test_empty_directory_is_a_problem(tmp_path):
    report = verify.verify_directory(str(tmp_path))
    assert kinds(report) == {"missing_trail"}
