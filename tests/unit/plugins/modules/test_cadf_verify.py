# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
import json
import pathlib
import sys

import pytest

_ROOT = pathlib.Path(__file__).resolve().parents[4]
for _p in (str(_ROOT / ".collections"), str(_ROOT / "tests" / "unit" / "plugins" / "module_utils" / "cadf")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import digest, model, signing, trail  # noqa: E402
from ansible_collections.cloudmgmt.dmtf.plugins.modules import cadf_verify  # noqa: E402

import helpers  # noqa: E402


def run_module(capsys, **args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            cadf_verify.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def signed_trail(tmp_path):
    (tmp_path / "k").write_text("unit-test-hmac-key-long-enough\n")
    key = signing.load_key(str(tmp_path / "k"))
    writer = trail.TrailWriter(str(tmp_path / "t.jsonl")).open()
    for i in range(4):
        writer.append(helpers.sample_event(host="h%d" % i), "r1")
    writer.sync()
    digest.write_digest(writer, str(tmp_path / "t.jsonl.digest"), "r1", model.utc_now(), 4, 1, 4, key)
    writer.close()
    return tmp_path


def test_valid_trail_reports_ok(capsys, signed_trail):
    out = run_module(capsys, path=str(signed_trail / "t.jsonl"), key_file=str(signed_trail / "k"))
    assert out["valid"] and not out.get("failed") and out["records"] == 4 and out["signed_digests"] == 1
    assert out["changed"] is False


def test_tampered_trail_fails_with_problems(capsys, signed_trail):
    path = signed_trail / "t.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:1] + lines[2:]))
    out = run_module(capsys, path=str(path), key_file=str(signed_trail / "k"))
    assert out["failed"] and not out["valid"] and "failed verification" in out["msg"]
    assert {"gap", "broken_link"} <= {p["kind"] for p in out["problems"]}


def test_missing_trail_and_bad_key_fail_clearly(capsys, signed_trail):
    out = run_module(capsys, path=str(signed_trail / "nope.jsonl"))
    assert out["failed"] and "does not exist" in out["msg"]
    (signed_trail / "short").write_text("x")
    out = run_module(capsys, path=str(signed_trail / "t.jsonl"), key_file=str(signed_trail / "short"))
    assert out["failed"] and "too short" in out["msg"] and "Traceback" not in json.dumps(out)
