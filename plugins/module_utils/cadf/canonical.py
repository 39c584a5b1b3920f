# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Canonical JSON for CADF records.

A record's canonical form is ``json.dumps(record, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8: keys sorted by
code point, no insignificant whitespace, non-ASCII characters written as UTF-8
rather than ``\\u`` escapes, and NaN/Infinity refused. A trail file holds one
canonical record per line (JSON Lines), so the bytes hashed into the chain are
exactly the bytes of the line without its newline.
"""

from __future__ import annotations

import hashlib
import json

# ``prev`` of the first record of a trail: 64 zero hex digits.
GENESIS_HASH = "0" * 64


def canonical_json(value):
    """Return the canonical UTF-8 bytes of a JSON-serialisable value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def record_hash(record):
    """SHA-256 (hex) of a record's canonical bytes: the link to the next record."""
    return sha256_hex(canonical_json(record))
