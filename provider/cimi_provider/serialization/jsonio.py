# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Strict JSON reading and compact JSON writing for CIMI documents."""
from __future__ import annotations

import json
import math
import re

from .errors import SerializationError

MAX_DEPTH = 64
# What a stored string must not hold: lone surrogates (no UTF-8 for them) and what XML 1.0
# cannot carry (controls other than tab, LF and CR; U+FFFE, U+FFFF). Every resource renders
# in both formats, so one such string would break each later read of its collection.
UNRENDERABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_json(doc: dict) -> bytes:
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate stored before the edge refused them: escape it
        return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("ascii")


def _no_duplicates(pairs: list) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise SerializationError(f"duplicate key '{key[:40]}' in JSON object")
        out[key] = value
    return out


def _no_constants(name: str):
    raise SerializationError(f"JSON value {name} is not allowed")


def _check_text(text: str) -> None:
    if UNRENDERABLE.search(text):
        raise SerializationError("JSON strings must not hold lone surrogates, U+FFFE, U+FFFF or "
                                 "control characters other than tab, newline and carriage return")


def _check(doc: object) -> None:
    """Depth limit, finite numbers and renderable strings (keys too), without recursion."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SerializationError(f"JSON is nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict):
            for key in value:
                _check_text(key)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise SerializationError("JSON numbers must be finite")


def parse_json(body: bytes) -> dict:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SerializationError("JSON body is not valid UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except SerializationError:
        raise
    except json.JSONDecodeError as exc:
        raise SerializationError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise SerializationError(f"JSON is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise SerializationError("malformed JSON: a number is too large") from None
    if not isinstance(doc, dict):
        raise SerializationError("the JSON body must be an object")
    _check(doc)
    return doc
