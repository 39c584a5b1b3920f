"""A cache of rendered GET answers: the exact bytes the provider would render again.

Keyed by what decides a representation: what the principal may see (its ``tenancy.Access``: one
principal never gets a page rendered for another), the request URL with its query (scheme, host
and path make the base URI every href is built from) and the Accept header (with ``$format`` in
the query, it decides the negotiated format). An answer that shows one stored row and nothing
else (a resource read as stored) stays valid while that row object is the current one: rows are
replaced on every write to them, so only a write to that resource invalidates it. Any other
answer belongs to one store generation (bumped by every committed write, ``Store.generation``)
and is valid for it alone, so a write is visible to the next read. An answer is stored only if
no write committed while it was rendered. Authentication and authorization run before every lookup; only
200 answers are kept, and the size is bounded (entries and bytes).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    headers: tuple = ()
    row: object = None  # the one stored row the answer shows (None: valid for its generation)


class RenderCache:
    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: dict = {}  # key -> (Rendered, generation), oldest first
        self.size = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def _drop(self, key) -> None:
        rendered, _ = self.entries.pop(key)
        self.size -= len(rendered.body)

    def get(self, key, generation: int, row_at=None) -> Rendered | None:
        """The answer stored under ``key`` if still valid: its row is current (``row_at(id)``
        gives the current row) or, without a row, it was rendered under ``generation``."""
        found = self.entries.get(key)
        if found is None:
            return None
        rendered, rendered_at = found
        row = rendered.row
        if (row_at(row.id) is row) if row is not None and row_at else rendered_at == generation:
            return rendered
        self._drop(key)
        return None

    def put(self, key, generation: int, rendered: Rendered) -> None:
        """Keep ``rendered``, made under ``generation`` (the caller checked that no write
        committed while it was made)."""
        if not self.enabled or len(rendered.body) > self.max_bytes // 4:
            return
        if key in self.entries:
            self._drop(key)
        while self.entries and (len(self.entries) >= self.max_entries
                                or self.size + len(rendered.body) > self.max_bytes):
            self._drop(next(iter(self.entries)))  # insertion order: evict the oldest
        self.entries[key] = (rendered, generation)
        self.size += len(rendered.body)
