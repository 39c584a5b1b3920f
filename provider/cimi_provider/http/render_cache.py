"""A cache of rendered GET answers: the exact bytes the provider would render again.

Keyed by what decides a representation: what the principal may see (its ``tenancy.Access``: one
principal never gets a page rendered for another), the request URL with its query (scheme, host
and path make the base URI every href is built from) and the Accept header (with ``$format`` in
the query, it decides the negotiated format). Every entry belongs to one store generation
(bumped by every committed write, ``Store.generation``): a lookup under a newer generation drops
all entries, so a write is visible to the next read. An answer is stored only if no write
committed while it was rendered. Authentication and authorization run before every lookup; only
200 answers are kept, and the size is bounded (entries and bytes).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    headers: tuple = ()


class RenderCache:
    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.generation = -1
        self.entries: dict = {}
        self.size = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def _align(self, generation: int) -> None:
        if generation != self.generation:
            self.entries.clear()
            self.size = 0
            self.generation = generation

    def get(self, key, generation: int) -> Rendered | None:
        self._align(generation)
        return self.entries.get(key)

    def put(self, key, generation: int, rendered: Rendered) -> None:
        """Keep ``rendered`` if it was rendered under ``generation`` and that is still current."""
        if generation != self.generation or not self.enabled:
            return  # a write committed meanwhile (or the cache was aligned to a newer one)
        if len(rendered.body) > self.max_bytes // 4:
            return
        while self.entries and (len(self.entries) >= self.max_entries
                                or self.size + len(rendered.body) > self.max_bytes):
            oldest = next(iter(self.entries))  # insertion order: evict the oldest
            self.size -= len(self.entries.pop(oldest).body)
        self.entries[key] = rendered
        self.size += len(rendered.body)
