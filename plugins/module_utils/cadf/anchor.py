# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The anchor: where a trail had got to, kept apart from the trail so that erasing it is noticed.

After each run the callback writes the trail's tail (last seq, SHA-256 of its last line, the
byte offset where that line ends) to a small JSON file, by default under
``~/.ansible/cadf/anchors/`` and named after the trail's real path; with a signing key the
anchor is signed like a digest. The next run checks that the trail still holds that record. A
trail that was emptied because it was rotated continues the chain from the rotated file (a
sibling ``<trail>.<suffix>`` that ends with the anchored record); anything else is a reset,
recorded as the run's first record and kept in the anchor's ``resets`` from then on.
"""

import hashlib
import json
import os

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import canonical_json, sha256_hex
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import integrity_of, utc_now
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.signing import NO_ALG
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.trail import read_last_line, write_all

ANCHOR_VERSION = 1
ANCHOR_TYPE_URI = "urn:cloudmgmt:dmtf:cadf:anchor"
# reasonType/reasonCode of the record a run writes when its trail does not continue the anchor.
RESET_REASON_TYPE = ANCHOR_TYPE_URI
RESET_REASON_CODE = "trail_reset"
MAX_RESETS = 50
_KEYS = ("version", "trail", "seq", "hash", "size", "run", "time", "resets", "alg", "key_id", "sig")
_MAX_ANCHOR_BYTES = 1 << 20


class AnchorError(Exception):
    """An anchor file that cannot be read, written or trusted."""


def default_anchor_path(trail_path):
    """``~/.ansible/cadf/anchors/<sha256 of the trail's real path>.json``."""
    real = os.path.realpath(os.path.expanduser(trail_path))
    name = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(os.path.expanduser("~"), ".ansible", "cadf", "anchors", name + ".json")


def _signed_payload(anchor):
    return canonical_json(dict((k, v) for k, v in anchor.items() if k != "sig"))


def make_anchor(trail_path, seq, last_hash, size, run_id, key=None, resets=()):
    anchor = {
        "version": ANCHOR_VERSION, "trail": os.path.realpath(trail_path), "seq": seq, "hash": last_hash,
        "size": size, "run": run_id, "time": utc_now(), "resets": list(resets)[-MAX_RESETS:],
        "alg": key.alg if key else NO_ALG, "key_id": key.key_id if key else None,
    }
    anchor["sig"] = key.sign(_signed_payload(anchor)) if key else None
    return anchor


def write_anchor(path, anchor):
    """Replace the anchor file atomically (mode 0600, its folder 0700)."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        if not os.path.isdir(folder):
            os.makedirs(folder, 0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            write_all(fd, canonical_json(anchor) + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise AnchorError("cannot write anchor %s: %s" % (path, exc.strerror or exc))


def read_anchor(path):
    """The anchor in ``path``, or None when there is none yet. Raises AnchorError when malformed."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_ANCHOR_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorError("cannot read anchor %s: %s" % (path, exc.strerror or exc))
    try:
        anchor = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise AnchorError("anchor %s is not JSON" % path)
    if not isinstance(anchor, dict) or any(k not in anchor for k in _KEYS) or len(data) > _MAX_ANCHOR_BYTES:
        raise AnchorError("anchor %s is not an anchor (a field is missing)" % path)
    if not isinstance(anchor["seq"], int) or not isinstance(anchor["size"], int) \
            or not isinstance(anchor["hash"], str) or not isinstance(anchor["resets"], list):
        raise AnchorError("anchor %s has fields of the wrong type" % path)
    return anchor


def signature_problem(anchor, key):
    """None when the anchor's signature is good (or nothing can be checked), else what is wrong."""
    if key is None:
        return None
    if anchor.get("alg") == NO_ALG:
        return "the anchor is not signed although a key is given"
    if anchor.get("alg") != key.alg or anchor.get("key_id") != key.key_id:
        return "the anchor was signed with another key (%s)" % anchor.get("key_id")
    if not key.verify(_signed_payload(anchor), anchor.get("sig")):
        return "the anchor's signature is invalid (forged or edited)"
    return None


def line_ends_at(fd, size, end):
    """SHA-256 of the line that ends (before its newline) at byte ``end``, or None."""
    if not isinstance(end, int) or end <= 0 or end > size:
        return None
    if os.pread(fd, 1, end - 1) != b"\n":
        return None
    line, _offset = read_last_line(fd, end)
    return sha256_hex(line) if line is not None else None


def holds(path, anchor):
    """Whether the file at ``path`` holds the anchored record where the anchor says it ends."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return line_ends_at(fd, os.fstat(fd).st_size, anchor["size"]) == anchor["hash"]
    finally:
        os.close(fd)


def rotated_siblings(trail_path):
    """Files next to the trail named ``<trail>.<suffix>`` or ``<trail>-<suffix>`` (rotated copies),
    digest files excluded."""
    folder = os.path.dirname(os.path.abspath(trail_path)) or "."
    base = os.path.basename(trail_path)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(os.path.join(folder, n) for n in names
                  if n != base and n[:len(base) + 1] in (base + ".", base + "-")
                  and ".digest" not in n and not n.endswith(".spool") and not n.endswith(".tmp")
                  and os.path.isfile(os.path.join(folder, n)))


def rotated_predecessor(trail_path, anchor):
    """The rotated copy of the trail that ends with the anchored record, or None."""
    for path in rotated_siblings(trail_path):
        try:
            size = os.path.getsize(path)
        except OSError:
            continue
        if size >= anchor["size"] and holds(path, anchor):
            return path
    return None


def tail_of(path):
    """(seq, SHA-256) of the last record of a trail file; raises AnchorError when it has none."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise AnchorError("cannot read %s: %s" % (path, exc.strerror or exc))
    try:
        line, _offset = read_last_line(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)
    try:
        seq = integrity_of(json.loads(line.decode("utf-8")))["seq"]
    except (AttributeError, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise AnchorError("the last line of %s is not a sealed record" % path)
    if not isinstance(seq, int):
        raise AnchorError("the last line of %s is not a sealed record" % path)
    return seq, sha256_hex(line)


def reset_entry(anchor, found_seq, found_size):
    """What the anchor said and what was found instead: kept in the reset record and the anchor."""
    return {"seq": anchor["seq"], "hash": anchor["hash"], "size": anchor["size"], "run": anchor.get("run"),
            "anchored_at": anchor.get("time"), "found_seq": found_seq, "found_size": found_size,
            "noticed_at": utc_now()}
