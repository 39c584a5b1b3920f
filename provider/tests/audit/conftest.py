"""Fixtures for the API audit tests."""
from __future__ import annotations

import json

import pytest
from audit_support import CANARIES


@pytest.fixture
def audit_files(tmp_path):
    from cimi_provider.http.auth import hash_password
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": {
        "alice": {"password_hash": hash_password(CANARIES["password"], iterations=1000)},
        "bob": {"password_hash": hash_password("bob-reader-pw", iterations=1000), "role": "reader"}}}))
    tokens = tmp_path / "tokens"
    tokens.write_text(CANARIES["token"] + "\n")
    key = tmp_path / "audit.key"
    key.write_text(CANARIES["key"] + "\n")
    key.chmod(0o600)
    return {"users": users, "tokens": tokens, "key": key, "trail": tmp_path / "audit" / "api.jsonl"}
