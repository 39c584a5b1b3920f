"""HTTP Basic and Bearer authentication.

Users file (YAML or JSON)::

    users:
      alice: {password_hash: "pbkdf2_sha256$200000$<salt hex>$<hash hex>"}
      bob:   {password_hash: "...", role: reader}     # reader: GET/HEAD only (else 403)

Make a hash with ``cimi-provider hash-password`` (reads the password from stdin or a prompt).
Tokens: one per line in ``--token-file`` (``#`` comments allowed; ``token`` or ``token reader``),
and/or comma-separated in the ``CIMI_PROVIDER_TOKENS`` environment variable. Secrets are
compared in constant time and never logged.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from ..errors import Forbidden, Unauthorized

ROLES = ("admin", "reader")
PBKDF2_ITERATIONS = 200_000
CHALLENGE = {"WWW-Authenticate": 'Basic realm="cimi", charset="UTF-8", Bearer realm="cimi"'}


def hash_password(password: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, iterations, salt, digest = encoded.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        computed = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt),
                                       int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed.hex(), digest)


@dataclass
class Principal:
    name: str
    role: str


class ConfigError(Exception):
    pass


def _load_mapping(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith((".yml", ".yaml")):
        try:
            import yaml
        except ImportError:
            raise ConfigError("PyYAML is needed to read a YAML users file; use JSON") from None
        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        raise ConfigError(f"{path}: expected a mapping with a 'users' mapping")
    return data["users"]


class Authenticator:
    def __init__(self, users: dict | None = None, tokens: dict | None = None):
        self.users = users or {}
        self.tokens = tokens or {}
        self._cache: dict = {}

    @classmethod
    def from_files(cls, users_file: str | None, token_file: str | None,
                   env_tokens: str | None) -> "Authenticator":
        users = {}
        if users_file:
            for name, entry in _load_mapping(users_file).items():
                if not isinstance(entry, dict) or not isinstance(entry.get("password_hash"), str):
                    raise ConfigError(f"user {name!r}: password_hash is required")
                role = entry.get("role", "admin")
                if role not in ROLES:
                    raise ConfigError(f"user {name!r}: role must be one of {', '.join(ROLES)}")
                users[str(name)] = (entry["password_hash"], role)
        tokens = {}
        if token_file:
            with open(token_file, encoding="utf-8") as handle:
                for line in handle:
                    parts = line.split("#", 1)[0].split()
                    if parts:
                        role = parts[1] if len(parts) > 1 else "admin"
                        if role not in ROLES:
                            raise ConfigError(f"{token_file}: unknown role {role!r}")
                        tokens[parts[0]] = role
        for token in (env_tokens or "").split(","):
            if token.strip():
                tokens[token.strip()] = "admin"
        return cls(users, tokens)

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.tokens)

    def authenticate(self, header: str | None) -> Principal | None:
        """The principal for an Authorization header; raises Unauthorized when it is wrong."""
        if not header:
            raise Unauthorized("authentication required", headers=CHALLENGE)
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        value = value.strip()
        if scheme == "bearer" and value:
            for token, role in self.tokens.items():
                if hmac.compare_digest(token.encode(), value.encode()):
                    return Principal("token", role)
        elif scheme == "basic" and value:
            try:
                name, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise Unauthorized("malformed Basic credentials", headers=CHALLENGE) from None
            entry = self.users.get(name)
            key = hashlib.sha256(f"{name}\0{password}".encode()).hexdigest()
            if entry and (self._cache.get(key) == entry[0] or verify_password(password, entry[0])):
                self._cache[key] = entry[0]  # avoid re-running PBKDF2 on every request
                return Principal(name, entry[1])
        raise Unauthorized("invalid credentials", headers=CHALLENGE)

    @staticmethod
    def authorize(principal: Principal | None, method: str) -> None:
        if principal and principal.role == "reader" and method not in ("GET", "HEAD"):
            raise Forbidden(f"user {principal.name} may only read")
