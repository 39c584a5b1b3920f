"""Credential secrets: a consumer's password is kept only as a salted one-way hash."""
from __future__ import annotations

import hashlib
import os


def hash_password(password: str) -> str:
    """A salted one-way hash: the consumer's password is never stored or shown as given."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200_000)
    return f"pbkdf2_sha256$200000${salt.hex()}${digest.hex()}"


def hash_inline_password(credential) -> None:
    """An inline credential value's password becomes its salted hash, as a Credential's does."""
    if isinstance(credential, dict) and credential.get("password") is not None:
        credential["_passwordHash"] = hash_password(credential.pop("password"))
