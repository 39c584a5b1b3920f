"""Watching the libvirt hosts: a host that stops answering turns its machines to ERROR, naming
the host; when it answers again its machines are reconciled with what its daemon really holds.

A broken connection is noticed at once (libvirt's close callback); a periodic check covers the
rest (a daemon that never answered, a hung link) and reconnects. Each host is checked in its
own thread with a deadline, so one hung host never delays the others' verdicts.
"""
from __future__ import annotations

import asyncio
import logging

import libvirt

from .host import Host, HostError, domain_state

log = logging.getLogger(__name__)


class HostMonitor:
    def __init__(self, backend, interval: float):
        self.b = backend
        self.interval = interval
        self.down: dict = {}  # Host -> why it is unreachable
        self._task: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None
        for host in backend.hosts:  # before the first connection, which registers it
            host.on_close = self._on_close

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def reachable(self, host: Host) -> bool:
        return host not in self.down

    def _on_close(self, host: Host, reason: str) -> None:
        # libvirt's event-loop thread: only wake the watcher, which decides on the loop.
        log.warning("libvirt host %s: %s", host.label, reason)
        if self.b.loop is not None and self._wake is not None:
            self.b.loop.call_soon_threadsafe(self._wake.set)

    async def _watch(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.check_all()
            except Exception:  # the watcher must outlive any one failure
                log.exception("libvirt host check failed")

    async def check_all(self) -> None:
        results = await asyncio.gather(*(self._check(h) for h in self.b.hosts))
        for host, error in zip(self.b.hosts, results):
            if error is not None and host not in self.down:
                await self._went_down(host, error)
            elif error is None and host in self.down:
                await self._came_back(host)

    async def _check(self, host: Host) -> str | None:
        try:
            await asyncio.wait_for(asyncio.to_thread(host.check), self.interval * 2)
            return None
        except asyncio.TimeoutError:
            return "it did not answer in time"
        except HostError as exc:
            return str(exc)

    async def _went_down(self, host: Host, error: str) -> None:
        self.down[host] = error
        message = f"libvirt host {host.label} is unreachable: {error}"
        rids = self.b.machines_on(host)
        log.warning("%s; %d machine(s) on it turn ERROR", message, len(rids))
        for rid in rids:
            self.b.report(rid, "ERROR", message)

    async def _came_back(self, host: Host) -> None:
        self.down.pop(host, None)
        rids = self.b.machines_on(host)
        log.warning("libvirt host %s answers again; reconciling %d machine(s)", host.label,
                    len(rids))
        observed = await asyncio.to_thread(self._observe, host, rids)
        for rid, (state, message) in observed.items():
            self.b.report(rid, state, message)

    def _observe(self, host: Host, rids: list) -> dict:
        """Each machine's real state on ``host`` now (a libvirt thread)."""
        out = {}
        for rid in rids:
            name = self.b.names.domain(rid.rstrip("/").rsplit("/", 1)[-1])
            try:
                dom = host.lookup_domain(name)
                if dom is None:
                    out[rid] = ("ERROR", f"its libvirt domain {name} is gone from host "
                                         f"{host.label}")
                else:
                    out[rid] = (domain_state(dom), None)
            except (HostError, libvirt.libvirtError) as exc:
                log.warning("cannot reconcile %s on %s: %s", rid, host.label, exc)
        return out
