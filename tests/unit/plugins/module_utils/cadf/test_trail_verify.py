# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
import json
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import digest, model, signing, trail, verify
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import canonical_json

import helpers
import strict_validator


@pytest.fixture
def hmac_key(tmp_path):
    path = tmp_path / "audit.key"
    path.write_bytes(b"0123456789abcdef0123456789abcdef\n")
    return signing.load_key(str(path))


def write_run(path, n, key, run="r1"):
    writer = trail.TrailWriter(str(path)).open()
    seqs = [json.loads(writer.append(helpers.sample_event(host="h%d" % i), run))["attachments"][-1]["content"]["seq"]
            for i in range(n)]
    writer.sync()
    d = digest.write_digest(writer, str(path) + ".digest", run, model.utc_now(), n, seqs[0], seqs[-1], key)
    writer.close()
    return d


def check(path, key=None, **kw):
    return verify.verify_trail(str(path), str(path) + ".digest", key=key, **kw)


def kinds(report):
    return {p["kind"] for p in report["problems"]}


def test_chain_survives_runs_and_records_are_strictly_valid(tmp_path, hmac_key):
    path = tmp_path / "t.jsonl"
    write_run(path, 3, hmac_key, "r1")
    d2 = write_run(path, 2, hmac_key, "r2")
    assert (d2["first_seq"], d2["last_seq"], d2["count"]) == (4, 5, 2)
    report = check(path, hmac_key)
    assert report["valid"] and report["records"] == 5 and report["runs"] == 2 and report["signed_digests"] == 2
    assert len(strict_validator.validate_trail(str(path))) == 5


def test_threads_and_two_writers_keep_one_linear_chain(tmp_path):
    path = str(tmp_path / "t.jsonl")
    writers = [trail.TrailWriter(path).open(), trail.TrailWriter(path).open()]  # like two processes

    def work(writer):
        for _ in range(100):
            writer.append(helpers.sample_event(), "r")

    threads = [threading.Thread(target=work, args=(writers[i % 2],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = verify.verify_trail(path)
    assert report["valid"] and report["records"] == 600 and report["last_seq"] == 600


@pytest.mark.parametrize("tamper, expected", [
    ("edit", {"broken_link", "edited"}),
    ("delete", {"gap", "broken_link", "truncated"}),
    ("reorder", {"reordered", "broken_link", "edited"}),
    ("truncate", {"truncated"}),
    ("head", {"truncated"}),
    ("torn", {"truncated"}),
])
def test_tampering_with_records_is_detected(tmp_path, hmac_key, tamper, expected):
    path = tmp_path / "t.jsonl"
    write_run(path, 5, hmac_key)
    lines = path.read_bytes().splitlines(keepends=True)
    if tamper == "edit":
        doc = json.loads(lines[2])
        doc["outcome"] = "failure"
        lines[2] = canonical_json(doc) + b"\n"
    elif tamper == "delete":
        del lines[2]
    elif tamper == "reorder":
        lines[1], lines[2] = lines[2], lines[1]
    elif tamper == "truncate":
        lines = lines[:-1]
    elif tamper == "head":
        lines = lines[1:]
    elif tamper == "torn":
        lines[-1] = lines[-1][:-10]
    path.write_bytes(b"".join(lines))
    report = check(path, hmac_key)
    assert not report["valid"]
    assert expected <= kinds(report), report["problems"]


def test_forged_and_edited_digests_are_detected(tmp_path, hmac_key):
    path = tmp_path / "t.jsonl"
    write_run(path, 3, hmac_key)
    dpath = tmp_path / "t.jsonl.digest"
    original = dpath.read_bytes()
    forged = json.loads(original)
    forged["count"] = 99
    dpath.write_bytes(canonical_json(forged) + b"\n")
    assert "bad_signature" in kinds(check(path, hmac_key))
    other = tmp_path / "other.key"
    other.write_bytes(b"another-secret-of-enough-length")
    forged["sig"] = signing.load_key(str(other)).sign(digest.signed_payload(forged))
    dpath.write_bytes(canonical_json(forged) + b"\n")
    assert "bad_signature" in kinds(check(path, hmac_key))
    dpath.write_bytes(b"")
    assert check(path, hmac_key)["valid"] is False  # digests removed while a key is expected


def test_ed25519_signing_and_public_key_verification(tmp_path):
    private = ed25519.Ed25519PrivateKey.generate()
    (tmp_path / "k.pem").write_bytes(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "k.pub").write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    path = tmp_path / "t.jsonl"
    d = write_run(path, 2, signing.load_key(str(tmp_path / "k.pem")))
    assert d["alg"] == "ed25519"
    public = signing.load_key(str(tmp_path / "k.pub"))
    assert not public.can_sign
    assert check(path, public)["valid"]
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    (tmp_path / "o.pub").write_bytes(other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert "bad_signature" in kinds(check(path, signing.load_key(str(tmp_path / "o.pub"))))


def test_bad_keys_fail_clearly(tmp_path):
    (tmp_path / "short").write_bytes(b"tiny")
    with pytest.raises(signing.SigningKeyError, match="too short"):
        signing.load_key(str(tmp_path / "short"))
    with pytest.raises(signing.SigningKeyError, match="cannot read"):
        signing.load_key(str(tmp_path / "missing"))


def test_unsealed_records_warn_or_fail(tmp_path, hmac_key):
    path = tmp_path / "t.jsonl"
    write_run(path, 2, hmac_key)
    writer = trail.TrailWriter(str(path)).open()
    writer.append(helpers.sample_event(), "r2")
    writer.close()
    report = check(path, hmac_key)
    assert report["valid"] and report["unsealed_records"] == 1 and report["warnings"]
    assert not check(path, hmac_key, require_sealed=True)["valid"]


def test_resume_after_torn_write_continues_from_last_record(tmp_path):
    path = tmp_path / "t.jsonl"
    writer = trail.TrailWriter(str(path)).open()
    writer.append(helpers.sample_event(), "r")
    writer.close()
    with open(path, "ab") as handle:
        handle.write(b'{"partial":')
    writer = trail.TrailWriter(str(path)).open()
    line = writer.append(helpers.sample_event(), "r")
    assert json.loads(line)["attachments"][-1]["content"]["seq"] == 2
    report = verify.verify_trail(str(path))
    assert "unparseable" in kinds(report)  # the torn fragment stays visible to the auditor


def test_unwritable_trail_raises_trail_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(trail.TrailError, match="cannot open"):
        trail.TrailWriter(str(tmp_path / "file" / "t.jsonl")).open()
