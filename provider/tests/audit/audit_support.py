"""Shared by the API audit tests: canaries, trail readers, the strict pycadf validator on sys.path."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The strict pycadf validator the callback's tests use (one copy, shared).
sys.path.insert(0, str(ROOT / "tests" / "unit" / "plugins" / "module_utils" / "cadf"))

CANARIES = {
    "password": "canary-pass-7f3a1c",        # alice's password (Basic)
    "wrong": "canary-wrong-3c1d9e",          # a wrong password sent with a 401
    "token": "canary-token-91bd4e6a",        # a bearer token
    "credential": "canary-cred-55e0b2",      # a Credential's password in a request body
    "key": "canary-hmac-key-0123456789abcdef",  # the HMAC digest key itself
}


def records(path) -> list:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def integrity(record) -> dict:
    return [a for a in record["attachments"] if a["name"] == "integrity"][0]["content"]


def cimi_facts(record) -> dict:
    return [a for a in record["attachments"] if a["name"] == "cimi"][0]["content"]
