"""What a service call answers: an HTTP status, a body and headers, all with relative ids.

The body is a ``Stored`` resource document (rendered, with absolute ids, by ``finish`` at the
edge), a wire document that needs no rendering, or None. ``Location`` and ``CIMI-Job-URI`` hold
relative ids until ``finish`` makes them absolute.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..catalogue import ResourceType
from . import render as rnd

ID_HEADERS = ("Location", "CIMI-Job-URI")


@dataclass(frozen=True)
class Stored:
    """A stored resource document to be rendered for the consumer."""
    doc: dict
    rtype: ResourceType | None = None
    hooks: rnd.Hooks = rnd.PLAIN

    def render(self, base: str) -> dict:
        return rnd.render(self.doc, base, self.rtype, self.hooks)


@dataclass
class Result:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)

    def finish(self, base: str) -> Result:
        """The answer as the consumer sees it: rendered body, absolute ids."""
        body = self.body.render(base) if isinstance(self.body, Stored) else self.body
        headers = {k: base + v if k in ID_HEADERS else v for k, v in self.headers.items()}
        return Result(self.status, body, headers)
