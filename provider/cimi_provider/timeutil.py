"""Timestamps in the xs:dateTime form CIMI uses (UTC, explicit offset)."""
from __future__ import annotations

from datetime import datetime, timezone


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
