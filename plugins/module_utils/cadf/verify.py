# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline verification of a CADF trail and its digests.

Detects: edited records (hash link or digest range mismatch), deleted records
(sequence gap), reordered or duplicated records, truncation (head, tail or a
torn last line), records that are not canonical or not valid CADF, forged or
edited digests (signature, digest chain, tiling of the file).
"""

from __future__ import annotations

import json
import os

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.anchor import (
    RESET_REASON_CODE, RESET_REASON_TYPE, rotated_siblings, signature_problem)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import (
    GENESIS_HASH, canonical_json, sha256_hex)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.digest import (
    hash_range, signed_payload)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import (
    integrity_of, validate_event)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.signing import NO_ALG

MAX_LISTED_PROBLEMS = 200
_DIGEST_KEYS = ("run", "count", "range_start", "range_end", "range_sha256", "last_record_seq",
                "last_record_hash", "prev_digest_sig", "alg", "sig")


class _Report:
    def __init__(self):
        self.problems = []
        self.problem_count = 0
        self.warnings = []
        self.file = None  # set while one file of a directory of rotated trails is checked
        self.resets_seen = set()  # (seq, hash) of the anchors named by reset records in the trail

    def add(self, kind, message, line=None, seq=None):
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            item = {"kind": kind, "message": message}
            if self.file is not None:
                item["file"] = self.file
            if line is not None:
                item["line"] = line
            if seq is not None:
                item["seq"] = seq
            self.problems.append(item)


def _is_reset(doc):
    reason = doc.get("reason") if isinstance(doc, dict) else None
    return isinstance(reason, dict) and reason.get("reasonType") == RESET_REASON_TYPE \
        and reason.get("reasonCode") == RESET_REASON_CODE


def _check_records(handle, report, follows=None, where=""):
    """Walk the chain; returns {end_offset: (seq, hash)} for every complete line, plus stats.

    ``follows`` (seq, hash) is the record a continued file (a later one of rotated trails) must follow."""
    boundaries = {}
    runs = []
    prev_seq, prev_hash, offset, count, first_seq = 0, GENESIS_HASH, 0, 0, None
    last_hash = None
    for number, raw in enumerate(handle, 1):
        start, offset = offset, offset + len(raw)
        if not raw.endswith(b"\n"):
            report.add("truncated", "the last line is incomplete (torn or truncated write)", number)
            break
        line = raw[:-1]
        line_hash = last_hash = sha256_hex(line)
        boundaries[offset] = (None, line_hash)
        try:
            doc = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            report.add("unparseable", "line is not JSON", number)
            prev_hash = line_hash
            continue
        if canonical_json(doc) != line:
            report.add("not_canonical", "record is not in canonical form (edited)", number)
        for error in validate_event(doc):
            report.add("invalid_record", "not a valid CADF event: %s" % error, number)
        chain = integrity_of(doc)
        seq = chain.get("seq") if chain else None
        if not isinstance(seq, int) or isinstance(seq, bool):
            report.add("unsealed_record", "record has no integrity sequence", number)
            prev_hash = line_hash
            continue
        count += 1
        first_seq = seq if first_seq is None else first_seq
        if chain.get("run") not in runs:
            runs.append(chain.get("run"))
        if _is_reset(doc):
            lost = (doc.get("attachments") or [{}])[0].get("content") or {}
            report.resets_seen.add((lost.get("seq"), lost.get("hash")))
            report.add("trail_reset", "%sthe trail was reset: it did not hold the anchored record (sequence %s) "
                       "when run %s started; the records before were erased or replaced"
                       % (where, lost.get("seq", "?"), chain.get("run")), number, seq)
        if number == 1 and follows is not None:
            if seq != follows[0] + 1 or chain.get("prev") != follows[1]:
                report.add("broken_link", "%sthe first record (sequence %s) does not continue the previous file "
                           "(which ends at sequence %s)" % (where, seq, follows[0]), number, seq)
        elif number == 1 and (seq != 1 or chain.get("prev") != GENESIS_HASH):
            report.add("truncated", "%sthe trail does not start at sequence 1 (head removed)" % where, number, seq)
        elif seq > prev_seq + 1:
            report.add("gap", "records %d..%d are missing" % (prev_seq + 1, seq - 1), number, seq)
        elif seq <= prev_seq:
            report.add("reordered", "sequence %d follows %d (reordered or duplicated)" % (seq, prev_seq),
                       number, seq)
        if number > 1 and chain.get("prev") != prev_hash:
            report.add("broken_link", "hash of the previous record does not match "
                       "(a record was edited, removed or moved)", number, seq)
        boundaries[offset] = (seq, line_hash)
        prev_seq, prev_hash = max(prev_seq, seq), line_hash
    return boundaries, {"records": count, "first_seq": first_seq, "last_seq": prev_seq or None,
                        "runs": runs, "size": offset, "last_hash": last_hash}


def _load_digests(path, report):
    digests = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                digest = json.loads(raw.decode("utf-8"))
                missing = [k for k in _DIGEST_KEYS if k not in digest]
            except (ValueError, UnicodeDecodeError, TypeError):
                digest, missing = None, ["(unparseable)"]
            if not isinstance(digest, dict) or missing or not raw.endswith(b"\n"):
                report.add("bad_digest", "digest line %d is malformed" % number)
                continue
            digest["_line"] = number
            digests.append(digest)
    return digests


def _check_digests(digests, trail_fd, boundaries, size, key, require_signed, report):
    prev_sig, prev_end, signed = GENESIS_HASH, 0, 0
    for digest in digests:
        where = "digest %d (run %s)" % (digest["_line"], digest.get("run"))
        if digest["alg"] == NO_ALG:
            if require_signed:
                report.add("unsigned_digest", "%s is not signed" % where)
        elif key is None:
            pass  # cannot check without a key; reported as a warning by the caller
        elif digest["alg"] != key.alg or digest.get("key_id") != key.key_id:
            report.add("bad_signature", "%s was signed with another key (%s)" % (where, digest.get("key_id")))
        elif not key.verify(signed_payload(digest_without_line(digest)), digest["sig"]):
            report.add("bad_signature", "%s has an invalid signature (forged or edited)" % where)
        else:
            signed += 1
        if digest["prev_digest_sig"] != prev_sig:
            report.add("digest_chain", "%s does not link to the previous digest" % where)
        if digest["range_start"] != prev_end:
            report.add("digest_chain", "%s starts at byte %s, expected %d" % (where, digest["range_start"], prev_end))
        end = digest["range_end"]
        if not isinstance(end, int) or end > size:
            report.add("truncated", "%s covers %s bytes but the trail has %d" % (where, end, size))
        else:
            actual, _n = hash_range(trail_fd, min(digest["range_start"], end), end) \
                if isinstance(digest["range_start"], int) else (None, 0)
            if actual != digest["range_sha256"]:
                report.add("edited", "bytes %s..%s of the trail changed since %s"
                           % (digest["range_start"], end, where))
            seq_hash = boundaries.get(end)
            if end and (seq_hash is None or seq_hash[1] != digest["last_record_hash"]
                        or seq_hash[0] != digest["last_record_seq"]):
                report.add("edited", "the record ending at byte %d is not the one %s sealed" % (end, where))
        prev_sig = digest["sig"] or GENESIS_HASH
        prev_end = end if isinstance(end, int) else prev_end
    return signed, prev_end


def digest_without_line(digest):
    return dict((k, v) for k, v in digest.items() if k != "_line")


def _check_file(path, digest_path, key, require_signed, require_sealed, report, follows=None, where=""):
    """Check one trail file and its digests into ``report``; returns its stats and boundaries."""
    with open(path, "rb") as handle:
        boundaries, stats = _check_records(handle, report, follows, where)
    digests, signed, sealed_end = [], 0, 0
    if digest_path and os.path.exists(digest_path):
        digests = _load_digests(digest_path, report)
        fd = os.open(path, os.O_RDONLY)
        try:
            signed, sealed_end = _check_digests(digests, fd, boundaries, stats["size"], key,
                                                require_signed or key is not None, report)
        finally:
            os.close(fd)
    if not digests and (key is not None or require_signed):
        report.add("missing_digests", "no digests in %s although a signing key is expected" % digest_path)
    unsealed = sum(1 for end, (seq, _h) in boundaries.items() if end > sealed_end and seq is not None)
    if unsealed:
        message = "%s%d record(s) after the last digest are not sealed (run in progress or interrupted)" \
            % (where, unsealed)
        if require_sealed:
            report.add("unsealed_records", message)
        else:
            report.warnings.append(message)
    if digests and key is None and any(d["alg"] != NO_ALG for d in digests):
        report.warnings.append("%sdigest signatures were not checked: no key given" % where)
    if digests and all(d["alg"] == NO_ALG for d in digests):
        report.warnings.append("%sdigests are unsigned: only a signing key makes them unforgeable" % where)
    if not digests and not report.problem_count:
        report.warnings.append("%sno digests: only the hash chain was checked" % where)
    stats.update({"digests": len(digests), "signed_digests": signed, "unsealed_records": unsealed})
    return stats, boundaries


def _check_anchor(anchor, key, files, report):
    """The anchored record must still be in the trail (in one of its files, where the anchor says it
    ends); every reset the anchor remembers is a loss."""
    report.file = None
    problem = signature_problem(anchor, key)
    if problem:
        report.add("bad_anchor", problem)
        return
    if key is None and anchor.get("alg") != NO_ALG:
        report.warnings.append("the anchor's signature was not checked: no key given")
    found = any(boundaries.get(anchor["size"]) == (anchor["seq"], anchor["hash"]) for boundaries in files)
    if not found:
        last = max([seq for boundaries in files for seq, _h in boundaries.values() if seq is not None] or [0])
        report.add("anchor_lost", "the trail no longer holds the record its anchor names (sequence %d of run %s, "
                   "%s): the trail ends at sequence %d; it was erased, truncated or replaced"
                   % (anchor["seq"], anchor.get("run"), anchor.get("time"), last))
    for reset in anchor.get("resets") or []:
        if isinstance(reset, dict) and (reset.get("seq"), reset.get("hash")) not in report.resets_seen:
            message = "the anchor records a reset noticed at %s: the trail no longer held sequence %s of run %s " \
                "and then ended at sequence %s (its reset record is no longer in the trail)" \
                % (reset.get("noticed_at"), reset.get("seq"), reset.get("run"), reset.get("found_seq"))
            report.add("trail_reset", message)


def _result(report, stats):
    result = dict(stats)
    result.update({"valid": report.problem_count == 0, "problem_count": report.problem_count,
                   "problems": report.problems, "warnings": report.warnings})
    return result


def verify_trail(path, digest_path=None, key=None, require_signed=False, require_sealed=False, anchor=None):
    """Verify a trail; returns a report dict whose ``valid`` is False when anything is wrong.

    ``anchor`` (a dict from anchor.read_anchor) also checks that the trail still holds the anchored
    record. Raises IOError/OSError when the trail itself cannot be read.
    """
    report = _Report()
    stats, boundaries = _check_file(path, digest_path, key, require_signed, require_sealed, report)
    if anchor is not None:
        _check_anchor(anchor, key, [boundaries], report)
    stats["runs"] = len(stats["runs"])
    stats.pop("last_hash", None)
    return _result(report, stats)


def trail_files(folder):
    """The trail files of a directory of rotated trails: regular files whose first line is a sealed
    record, oldest chain first (by the first record's sequence, then name). Digests are not trails."""
    found = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if ".digest" in name or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as handle:
                first = handle.readline(1 << 20)
            seq = integrity_of(json.loads(first.decode("utf-8"))).get("seq")
        except (OSError, ValueError, UnicodeDecodeError, AttributeError):
            continue
        if isinstance(seq, int):
            found.append((seq, name, path))
    return [path for _seq, _name, path in sorted(found)]


def digest_of(path):
    """The digest file of a trail file in a directory of rotated trails: ``<name>.digest``, or the
    one whose name without its ``.digest`` is the trail's (logrotate turns ``t.digest`` into
    ``t.digest.1`` next to ``t.1``). None when there is none."""
    if os.path.exists(path + ".digest"):
        return path + ".digest"
    folder, name = os.path.split(path)
    for other in sorted(os.listdir(folder)):
        if ".digest" in other and other.replace(".digest", "", 1) == name:
            return os.path.join(folder, other)
    return None


def verify_directory(folder, key=None, require_signed=False, require_sealed=False, anchor=None):
    """Verify every trail file of a directory of rotated trails, and the links between them: each
    file must continue the chain where the one before ends. Returns one report for all of them."""
    report = _Report()
    files = trail_files(folder)
    totals = {"records": 0, "first_seq": None, "last_seq": None, "runs": [], "digests": 0, "signed_digests": 0,
              "unsealed_records": 0, "files": []}
    if not files:
        report.add("missing_trail", "no trail files in %s" % folder)
    all_boundaries, previous = [], None
    for path in files:
        name = os.path.basename(path)
        report.file = name
        stats, boundaries = _check_file(
            path, digest_of(path), key, require_signed, require_sealed, report,
            follows=(previous["last_seq"] or 0, previous["last_hash"]) if previous else None,
            where="%s: " % name)
        all_boundaries.append(boundaries)
        totals["records"] += stats["records"]
        totals["first_seq"] = stats["first_seq"] if totals["first_seq"] is None else totals["first_seq"]
        totals["last_seq"] = stats["last_seq"] or totals["last_seq"]
        totals["runs"].extend(r for r in stats["runs"] if r not in totals["runs"])
        for key_name in ("digests", "signed_digests", "unsealed_records"):
            totals[key_name] += stats[key_name]
        totals["files"].append({"file": name, "records": stats["records"], "first_seq": stats["first_seq"],
                                "last_seq": stats["last_seq"]})
        previous = stats
    if anchor is not None:
        _check_anchor(anchor, key, all_boundaries, report)
    report.file = None
    totals["runs"] = len(totals["runs"])
    return _result(report, totals)


def rotated_files(trail_path):
    """The trail and its rotated copies next to it, for callers that name the live file."""
    return rotated_siblings(trail_path) + [trail_path]
