"""Connection limits for uvicorn's h11 protocol: a request-head deadline and a connection cap.

h11 has no timeout of its own, and uvicorn only times out a connection idle *after* a response:
a client that connects and sends half a request head (slowloris) or nothing at all keeps its
file descriptor forever, and a few hundred of them exhaust the provider's descriptors.

- Each request head must arrive whole within ``header_timeout`` seconds of the connection (or of
  the first byte after a kept-alive answer); otherwise the connection is closed.
- At most ``max_connections`` connections are open. One more evicts the connection that has
  waited longest for its request head (a stalled client, or one kept alive idle); when every
  connection is busy with a request, the newcomer is closed instead. A valid client thus gets through even while stalled
  ones fill the cap.

With TLS, asyncio hands a connection over once its handshake is done: a stalled handshake is
bounded by asyncio's own handshake timeout (60 s), not by these limits.
"""
from __future__ import annotations

import logging
import resource

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("cimi_provider.http")
# asyncio accepts up to its server's backlog connections per loop iteration before any of them
# reaches connection_made (where the cap applies): a small batch bounds that overshoot. The
# kernel's listen queue is set back to LISTEN_QUEUE once serving (see cli.serve).
ACCEPT_BATCH = 8
LISTEN_QUEUE = 512
# descriptors kept for the database, logs, the backend, the listening socket and the overshoot
FD_RESERVE = 64 + 4 * ACCEPT_BATCH


def fit_connections_to_fd_limit(max_connections: int) -> int:
    """Raise the soft RLIMIT_NOFILE towards the hard one when it cannot hold ``max_connections``
    (plus a reserve), and return the connection cap the final limit can hold."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max_connections + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if raised > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
    if soft != resource.RLIM_INFINITY and soft < wanted:
        fitted = max(soft - FD_RESERVE, 1)
        log.warning("open file limit %d holds only %d connections (--max-connections %d)",
                    soft, fitted, max_connections)
        return fitted
    return max_connections


class LimitedH11Protocol(H11Protocol):
    """H11Protocol with a request-head deadline and a connection cap (see the module doc)."""

    header_timeout = 10.0
    max_connections = 200

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.head_timer = None
        self.head_waiting_since: float | None = None  # None while a request is being served

    @classmethod
    def configured(cls, header_timeout: float, max_connections: int) -> type:
        """A subclass with these limits, for ``uvicorn.Config(http=...)``."""
        return type(cls.__name__, (cls,), {"header_timeout": header_timeout,
                                           "max_connections": max_connections})

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.max_connections and not self.evict_stalled():
            log.warning("connection limit (%d) reached: closing a new connection", self.max_connections)
            self.transport.abort()
            return
        self.wait_for_head()

    def evict_stalled(self) -> bool:
        stalled = [c for c in self.connections
                   if c is not self and getattr(c, "head_waiting_since", None) is not None]
        if not stalled:
            return False
        oldest = min(stalled, key=lambda c: c.head_waiting_since)
        oldest.close_waiting()
        return True

    def wait_for_head(self) -> None:
        self.head_waiting_since = self.loop.time()
        self.head_timer = self.loop.call_later(self.header_timeout, self.close_waiting)

    def head_arrived(self) -> None:
        self.head_waiting_since = None
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def close_waiting(self) -> None:
        self.head_arrived()
        if not self.transport.is_closing():
            self.transport.abort()

    def between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def data_received(self, data: bytes) -> None:
        if self.head_timer is None and self.between_requests():
            self.wait_for_head()  # the first byte after a kept-alive answer
        super().data_received(data)
        if self.head_timer is not None and not self.between_requests():
            self.head_arrived()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.head_timer is None and self.between_requests():
            self.head_waiting_since = self.loop.time()  # kept alive idle: evictable too

    def connection_lost(self, exc) -> None:
        self.head_arrived()
        super().connection_lost(exc)
