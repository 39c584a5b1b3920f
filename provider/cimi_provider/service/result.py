"""What a service call answers: an HTTP status, a wire document (or None) and headers."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    status: int
    body: dict | None = None
    headers: dict = field(default_factory=dict)
