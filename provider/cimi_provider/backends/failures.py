"""Failure injection shared by the backends (``--inject-failure``, ``--fail-rate``).

An operation in ``operations`` (default create and start) on a resource whose name, or any
``key=value`` of its properties, matches one of ``patterns`` (``re.search``) fails with
"injected failure: ...", before the backend touches anything, so a failed job leaves nothing behind.
"""
from __future__ import annotations

import random
import re

from .base import BackendError

DEFAULT_FAIL_OPERATIONS = ("create", "start")


class FailureInjector:
    def __init__(self, patterns=(), rate: float = 0.0, operations=DEFAULT_FAIL_OPERATIONS,
                 seed: int = 0):
        self.patterns = [re.compile(p) for p in patterns]
        self.rate = rate
        self.operations = set(operations)
        self._random = random.Random(seed)

    def check(self, operation: str, name: str, properties: dict | None = None) -> None:
        if operation not in self.operations:
            return
        subjects = [name or ""] + [f"{k}={v}" for k, v in (properties or {}).items()]
        for pattern in self.patterns:
            if any(pattern.search(s) for s in subjects):
                raise BackendError(
                    f"injected failure: {operation} of '{name}' matches '{pattern.pattern}'")
        if self.rate and self._random.random() < self.rate:
            raise BackendError(f"injected failure: {operation} of '{name}' (random, rate {self.rate})")


def injector_from_options(options: dict) -> FailureInjector:
    return FailureInjector(options.get("fail_patterns", ()), options.get("fail_rate", 0.0),
                           options.get("fail_operations") or DEFAULT_FAIL_OPERATIONS,
                           options.get("fail_seed", 0))
