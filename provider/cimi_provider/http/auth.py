"""HTTP Basic and Bearer authentication, failed-login limits, and the roles of principals.

Users file (YAML or JSON)::

    users:
      alice: {password_hash: "pbkdf2_sha256$200000$<salt hex>$<hash hex>", role: user}
      bob:   {password_hash: "...", role: reader}     # reader: GET/HEAD only (else 403)

Roles: ``admin`` (the default, as before roles had tenancy meaning), ``user``, ``reader``; what
each may see is in ``tenancy.py``. Make a hash with ``cimi-provider hash-password``.

Tokens (``--token-file``): one per line, ``name:token [role]`` or the older ``token [role]``
(named ``token-<first 6 hex digits of its sha256>``); ``#`` starts a comment only at the start
of a line or after whitespace, so a token may contain ``#``. A ``.yml``/``.yaml``/``.json``
token file is a mapping ``tokens: {name: {token: ..., role: ...}}``. ``CIMI_PROVIDER_TOKENS``:
comma-separated ``name:token`` or ``token`` entries, role admin. A token's name is its
principal (owner, audit initiator); the token itself is never logged or recorded.

Password hashing (PBKDF2) runs on a small dedicated thread pool, never on the event loop; an
unknown user costs the same hash as a known one; failed logins are limited per client address
and per user name (429 with Retry-After once the limit is reached within the window).
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import math
import os
import re
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import Forbidden, TooManyRequests, Unauthorized
from ..tenancy import Access

ROLES = ("admin", "user", "reader")
DEFAULT_ROLE = "admin"
PBKDF2_ITERATIONS = 200_000
CHALLENGE = {"WWW-Authenticate": 'Basic realm="cimi", charset="UTF-8", Bearer realm="cimi"'}
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
COMMENT_RE = re.compile(r"(^|\s)#.*$")
SUCCESS_CACHE_ENTRIES = 1024
DEFAULT_MAX_FAILURES = 10
DEFAULT_FAILURE_WINDOW = 60.0
TRACKED_KEYS = 4096


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


def iterations_of(encoded: str) -> int:
    try:
        return int(encoded.split("$")[1])
    except (IndexError, ValueError):
        return PBKDF2_ITERATIONS


def dummy_hash(iterations: int) -> str:
    """A hash no password matches, verified at full cost for names that are no user's."""
    return f"pbkdf2_sha256${iterations}${os.urandom(16).hex()}${os.urandom(32).hex()}"


@dataclass
class Principal:
    name: str
    role: str


class ConfigError(Exception):
    pass


class FailureLimiter:
    """Failed attempts per key (client address, user name) in a fixed window; bounded memory."""

    def __init__(self, max_failures: int, window: float, max_keys: int = TRACKED_KEYS):
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self.entries: OrderedDict = OrderedDict()  # key -> [window start, failures]

    def _entry(self, key, now: float):
        entry = self.entries.get(key)
        if entry is not None and now - entry[0] >= self.window:
            del self.entries[key]
            entry = None
        return entry

    def retry_after(self, key, now: float) -> float | None:
        """Seconds until ``key`` may try again, or None if it may now."""
        entry = self._entry(key, now)
        if entry is None or entry[1] < self.max_failures:
            return None
        return self.window - (now - entry[0])

    def add(self, key, now: float, count: int = 1) -> None:
        entry = self._entry(key, now)
        if entry is None:
            entry = self.entries[key] = [now, 0]
            while len(self.entries) > self.max_keys:
                self.entries.popitem(last=False)  # the oldest window goes first
        entry[1] = max(0, entry[1] + count)


def _role(role, where: str) -> str:
    if role not in ROLES:
        raise ConfigError(f"{where}: role must be one of {', '.join(ROLES)}")
    return role


def default_token_name(token: str) -> str:
    return "token-" + hashlib.sha256(token.encode()).hexdigest()[:6]


def _add_token(tokens: dict, name: str, token: str, role: str, where: str) -> None:
    if not NAME_RE.fullmatch(name):
        raise ConfigError(f"{where}: token name {name!r} must be letters, digits, '_.@-'")
    if not token:
        raise ConfigError(f"{where}: token {name!r} is empty")
    if any(n == name for n, _r in tokens.values()):
        raise ConfigError(f"{where}: token name {name!r} is used twice")
    if token in tokens:
        raise ConfigError(f"{where}: token {name!r} is the same as token {tokens[token][0]!r}")
    tokens[token] = (name, _role(role, f"{where}: token {name!r}"))


def _split_token(entry: str) -> tuple[str, str]:
    """``name:token`` or a bare token (named from its hash)."""
    name, sep, token = entry.partition(":")
    if sep and NAME_RE.fullmatch(name):
        return name, token
    return default_token_name(entry), entry


def _read(path: str, what: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith((".yml", ".yaml")):
        try:
            import yaml
        except ImportError:
            raise ConfigError(f"PyYAML is needed to read a YAML {what} file; use JSON") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            raise ConfigError(f"{path}: not valid YAML") from None
    else:
        try:
            data = json.loads(text)
        except ValueError:
            raise ConfigError(f"{path}: not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get(what), dict):
        raise ConfigError(f"{path}: expected a mapping with a '{what}' mapping")
    return data[what]


def load_users(path: str) -> dict:
    users = {}
    for name, entry in _read(path, "users").items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password_hash"), str):
            raise ConfigError(f"user {name!r}: password_hash is required")
        users[str(name)] = (entry["password_hash"],
                            _role(entry.get("role", DEFAULT_ROLE), f"user {name!r}"))
    return users


def load_tokens(path: str, tokens: dict) -> None:
    if path.endswith((".yml", ".yaml", ".json")):
        for name, entry in _read(path, "tokens").items():
            if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
                raise ConfigError(f"{path}: token {str(name)!r} needs a 'token' string")
            _add_token(tokens, str(name), entry["token"], entry.get("role", DEFAULT_ROLE), path)
        return
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            parts = COMMENT_RE.sub("", line).split()
            if not parts:
                continue
            if len(parts) > 2:
                raise ConfigError(f"{path} line {number}: expected 'name:token [role]'")
            name, token = _split_token(parts[0])
            _add_token(tokens, name, token, parts[1] if len(parts) > 1 else DEFAULT_ROLE,
                       f"{path} line {number}")


class Authenticator:
    def __init__(self, users: dict | None = None, tokens: dict | None = None,
                 max_failures: int = DEFAULT_MAX_FAILURES,
                 failure_window: float = DEFAULT_FAILURE_WINDOW, hash_threads: int | None = None):
        self.users = users or {}     # name -> (password hash, role)
        self.tokens = tokens or {}   # token -> (name, role)
        self._cache: OrderedDict = OrderedDict()  # sha256(client\0name\0password) -> hash
        self.by_client = FailureLimiter(max_failures, failure_window)
        self.by_user = FailureLimiter(max_failures, failure_window)
        # Unknown names are verified against this, at the cost of the dearest real hash.
        self._dummy = dummy_hash(max((iterations_of(h) for h, _r in self.users.values()),
                                     default=PBKDF2_ITERATIONS))
        # Own threads, so a flood of bad logins never starves the loop's default executor.
        self._hashing = ThreadPoolExecutor(hash_threads or max(1, (os.cpu_count() or 2) // 2),
                                           thread_name_prefix="cimi-pbkdf2")
        self.admins = frozenset([n for n, (_h, r) in self.users.items() if r == "admin"]
                                + [n for n, r in self.tokens.values() if r == "admin"])

    @classmethod
    def from_files(cls, users_file: str | None, token_file: str | None,
                   env_tokens: str | None, **limits) -> "Authenticator":
        users = load_users(users_file) if users_file else {}
        tokens: dict = {}
        if token_file:
            load_tokens(token_file, tokens)
        for entry in (env_tokens or "").split(","):
            if entry.strip():
                name, token = _split_token(entry.strip())
                _add_token(tokens, name, token, "admin", "CIMI_PROVIDER_TOKENS")
        return cls(users, tokens, **limits)

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.tokens)

    def access(self, principal: Principal | None) -> Access:
        """What ``principal`` may see and change (see tenancy.py)."""
        if principal is None or principal.role == "admin":
            return Access(principal.name if principal else None, admins=self.admins)
        return Access(principal.name, sees_all=principal.role == "reader", changes_all=False,
                      admins=self.admins)

    async def authenticate(self, header: str | None, client: str | None = None) -> Principal:
        """The principal for an Authorization header; raises Unauthorized when it is wrong and
        TooManyRequests when this client or user name failed too often lately."""
        if not header:
            raise Unauthorized("authentication required", headers=CHALLENGE)
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        value = value.strip()
        # A client over its limit is refused before any check, right or wrong: were a right
        # token or a cached password still accepted, 429 against 200 would tell a guesser which
        # guess was right, at no cost.
        self._check_limit(client)
        if scheme == "bearer" and value:
            for token, (name, role) in self.tokens.items():
                if hmac.compare_digest(token.encode(), value.encode()):
                    return Principal(name, role)
            self.by_client.add(client, time.monotonic())
        elif scheme == "basic" and value:
            try:
                name, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise Unauthorized("malformed Basic credentials", headers=CHALLENGE) from None
            entry = self.users.get(name)
            # Per client address: a name locked out by guessers elsewhere still lets in the
            # clients that logged in before, but a guess from another address is never a hit.
            key = hashlib.sha256(f"{client}\0{name}\0{password}".encode()).hexdigest()
            if entry and self._cache.get(key) == entry[0]:
                self._cache.move_to_end(key)
                return Principal(name, entry[1])  # verified before: no PBKDF2, never limited
            if await self._verify(name, password, entry, client):
                self._cache[key] = entry[0]
                while len(self._cache) > SUCCESS_CACHE_ENTRIES:
                    self._cache.popitem(last=False)
                return Principal(name, entry[1])
        raise Unauthorized("invalid credentials", headers=CHALLENGE)

    def _check_limit(self, client: str | None, name: str | None = None) -> None:
        now = time.monotonic()
        waits = [w for w in (self.by_client.retry_after(client, now),
                             None if name is None else self.by_user.retry_after(name, now)) if w]
        if waits:
            raise TooManyRequests("too many failed logins; try again later",
                                  headers={"Retry-After": str(math.ceil(max(waits)))})

    async def _verify(self, name: str, password: str, entry, client: str | None) -> bool:
        self._check_limit(client, name)
        # Counted before hashing, so parallel attempts cannot all slip under the limit.
        now = time.monotonic()
        self.by_client.add(client, now)
        self.by_user.add(name, now)
        encoded = entry[0] if entry else self._dummy
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(self._hashing, verify_password, password, encoded)
        ok = ok and entry is not None
        if ok:  # a right password is no failure
            now = time.monotonic()
            self.by_client.add(client, now, -1)
            self.by_user.add(name, now, -1)
        return ok

    @staticmethod
    def authorize(principal: Principal | None, method: str) -> None:
        if principal and principal.role == "reader" and method not in ("GET", "HEAD"):
            raise Forbidden(f"user {principal.name} may only read")

    def close(self) -> None:
        self._hashing.shutdown(wait=False, cancel_futures=True)
