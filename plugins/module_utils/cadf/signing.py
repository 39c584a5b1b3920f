# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Digest signing keys: HMAC-SHA256 (shared secret file) or Ed25519 (PEM, needs ``cryptography``).

A key file that starts with ``-----BEGIN`` is a PEM Ed25519 key (private to sign,
private or public to verify); any other file is an HMAC secret (its bytes, with
surrounding whitespace removed; at least 16 bytes).
"""

from __future__ import annotations

import hashlib
import hmac

HMAC_ALG = "hmac-sha256"
ED25519_ALG = "ed25519"
NO_ALG = "none"
MIN_HMAC_KEY = 16


class SigningKeyError(Exception):
    """A key file is unreadable or unusable (message never contains key material)."""


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        raise SigningKeyError("cannot read key file %s: %s" % (path, exc.strerror or exc))


def _crypto():
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise SigningKeyError("Ed25519 keys need the Python library 'cryptography'")
    return serialization, ed25519


def _raw_public(public_key):
    serialization, _ed = _crypto()
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Key:
    """One loaded key: ``sign(data)`` (when private) and ``verify(data, sig_hex)``."""

    def __init__(self, alg, key_id, secret=None, private=None, public=None):
        self.alg, self.key_id = alg, key_id
        self._secret, self._private, self._public = secret, private, public

    @property
    def can_sign(self):
        return self._secret is not None or self._private is not None

    def sign(self, data):
        if self._secret is not None:
            return hmac.new(self._secret, data, hashlib.sha256).hexdigest()
        if self._private is not None:
            return self._private.sign(data).hex()
        raise SigningKeyError("a public key cannot sign")

    def verify(self, data, signature):
        if not isinstance(signature, str):
            return False
        if self._secret is not None:
            return hmac.compare_digest(self.sign(data), signature)
        try:
            self._public.verify(bytes.fromhex(signature), data)
        except Exception:  # InvalidSignature or malformed hex
            return False
        return True


def load_key(path):
    data = _read(path)
    if data.lstrip().startswith(b"-----BEGIN"):
        serialization, ed25519 = _crypto()
        try:
            if b"PRIVATE KEY" in data:
                private = serialization.load_pem_private_key(data, password=None)
                public = private.public_key() if isinstance(private, ed25519.Ed25519PrivateKey) else None
            else:
                private, public = None, serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError("key file %s is not a usable unencrypted PEM key: %s" % (path, exc))
        if not isinstance(public, ed25519.Ed25519PublicKey):
            raise SigningKeyError("key file %s holds a PEM key that is not Ed25519" % path)
        key_id = hashlib.sha256(_raw_public(public)).hexdigest()[:16]
        return Key(ED25519_ALG, key_id, private=private, public=public)
    secret = data.strip()
    if len(secret) < MIN_HMAC_KEY:
        raise SigningKeyError("HMAC key file %s is too short (need at least %d bytes)" % (path, MIN_HMAC_KEY))
    key_id = hashlib.sha256(b"cloudmgmt.dmtf.cadf key id:" + secret).hexdigest()[:16]
    return Key(HMAC_ALG, key_id, secret=secret)
