# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep secrets out of audit records, warnings and logs."""

from __future__ import annotations

import re

REDACTED = "********"

# Key names that usually hold secrets (matched anywhere in the key, case-insensitive).
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential|"
    r"auth|cookie|session|signature|bearer|_key$|^key$|pin$|otp|salt|cert|user_?data",
    re.IGNORECASE)
# scheme://user:password@host -> scheme://host (also user-only userinfo).
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]*@")


def looks_secret(key):
    return isinstance(key, str) and bool(_SECRET_KEY.search(key))


def strip_url_credentials(text):
    """Remove the userinfo part of every URL in a string."""
    if not isinstance(text, str):
        return text
    return _URL_USERINFO.sub(lambda m: m.group("scheme"), text)


def redact(value, depth=0):
    """Deep copy of JSON-like data with secret-looking keys masked and URL credentials stripped."""
    if depth > 20:
        return REDACTED
    if isinstance(value, dict):
        return dict((str(k), REDACTED if looks_secret(str(k)) else redact(v, depth + 1))
                    for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [redact(v, depth + 1) for v in value]
    if isinstance(value, str):
        return strip_url_credentials(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return strip_url_credentials(str(value))


# "password=xyz", "token: xyz", '"api_key": "xyz"' inside free text (a module's failure message).
_SECRET_ASSIGNMENT = re.compile(
    r"""(?P<key>["']?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?\s*[=:]\s*)(?P<value>"[^"]*"|'[^']*'|[^\s,;&}\]]+)""")


def redact_text(text, limit=1024):
    """Free text with URL credentials stripped and the values of secret-looking ``key=value`` /
    ``key: value`` assignments masked, cut to ``limit`` characters."""
    if text is None:
        return None
    text = strip_url_credentials(str(text))

    def mask(match):
        return match.group("key") + REDACTED if looks_secret(match.group("name")) else match.group(0)
    return _SECRET_ASSIGNMENT.sub(mask, text)[:limit]
