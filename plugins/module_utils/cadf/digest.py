# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-run digests (CloudTrail style) in a sidecar JSON Lines file.

Each digest covers the trail bytes written since the previous digest
(``range_start`` .. ``range_end``, so the digests tile the whole file), names the
last record at ``range_end`` and links to the previous digest's signature. The
signature is over the canonical JSON of the digest without its ``sig`` field.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import (
    GENESIS_HASH, canonical_json)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import utc_now
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.signing import NO_ALG
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.trail import (
    TrailError, read_last_line, write_all)

DIGEST_VERSION = 1
_CHUNK = 1 << 20


def default_digest_path(trail_path):
    return trail_path + ".digest"


def hash_range(fd, start, end):
    digest = hashlib.sha256()
    pos = start
    while pos < end:
        chunk = os.pread(fd, min(_CHUNK, end - pos), pos)
        if not chunk:
            break
        digest.update(chunk)
        pos += len(chunk)
    return digest.hexdigest(), pos - start


def signed_payload(digest):
    return canonical_json(dict((k, v) for k, v in digest.items() if k != "sig"))


def write_digest(writer, digest_path, run_id, start_time, count, first_seq, last_seq, key=None):
    """Append the digest of this run; returns it. Raises TrailError when it cannot be made durable."""
    with writer.locked_state() as (size, last_file_seq, last_hash):
        try:
            dfd = os.open(digest_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise TrailError("cannot open digest file %s: %s" % (digest_path, exc.strerror or exc))
        try:
            fcntl.flock(dfd, fcntl.LOCK_EX)
            prev_sig, range_start = GENESIS_HASH, 0
            line, _offset = read_last_line(dfd, os.fstat(dfd).st_size)
            if line:
                try:
                    prev = json.loads(line.decode("utf-8"))
                    prev_sig, range_start = prev["sig"] or GENESIS_HASH, int(prev["range_end"])
                except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                    raise TrailError("the last line of digest file %s is not a digest" % digest_path)
            if range_start > size:
                raise TrailError("audit trail %s is shorter than its last digest says" % writer.path)
            range_hash, _n = hash_range(writer._rfd, range_start, size)
            digest = {
                "version": DIGEST_VERSION, "run": run_id, "trail": os.path.basename(writer.path),
                "start_time": start_time, "end_time": utc_now(),
                "count": count, "first_seq": first_seq, "last_seq": last_seq,
                "range_start": range_start, "range_end": size, "range_sha256": range_hash,
                "last_record_seq": last_file_seq, "last_record_hash": last_hash,
                "prev_digest_sig": prev_sig,
                "alg": key.alg if key else NO_ALG, "key_id": key.key_id if key else None,
            }
            digest["sig"] = key.sign(signed_payload(digest)) if key else None
            write_all(dfd, canonical_json(digest) + b"\n")
            os.fsync(dfd)
            return digest
        except OSError as exc:
            raise TrailError("cannot write digest file %s: %s" % (digest_path, exc.strerror or exc))
        finally:
            os.close(dfd)
