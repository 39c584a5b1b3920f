"""The host monitor's periodic path (no close callback: a daemon that never answered, a link
that hung), with fake hosts; the real daemons' path is in tests/system/multihost."""
from __future__ import annotations

import asyncio
import time

from cimi_provider.backends.libvirt.health import HostMonitor
from cimi_provider.backends.libvirt.host import HostError
from cimi_provider.backends.libvirt.names import Names


class FakeDomain:
    def state(self):
        return (1, 1)  # running


class FakeHost:
    def __init__(self, label):
        self.label = label
        self.failure = None  # HostError to raise, or seconds to hang
        self.domains = {}

    def check(self):
        if isinstance(self.failure, HostError):
            raise self.failure
        if self.failure:
            time.sleep(self.failure)

    def lookup_domain(self, name):
        return self.domains.get(name)


class FakeBackend:
    def __init__(self, hosts, placed):
        self.hosts, self.placed = hosts, placed
        self.names = Names("t-")
        self.loop = None
        self.reports = []

    def machines_on(self, host):
        return [rid for rid, h in self.placed.items() if h is host]

    def report(self, rid, state, message=None):
        self.reports.append((rid, state, message))


def test_a_host_that_stops_answering_and_comes_back():
    a, b = FakeHost("kvm1"), FakeHost("kvm2")
    backend = FakeBackend([a, b], {"machines/m1": a, "machines/m2": b, "machines/m3": b})
    b.domains = {"t-m-m2": FakeDomain()}  # m3's domain went away while kvm2 was down
    monitor = HostMonitor(backend, interval=0.05)

    async def scenario():
        await monitor.check_all()
        assert backend.reports == []
        b.failure = HostError("kvm2: Connection refused")
        await monitor.check_all()
        assert not monitor.reachable(b) and monitor.reachable(a)
        assert backend.reports == [
            ("machines/m2", "ERROR", "libvirt host kvm2 is unreachable: kvm2: Connection refused"),
            ("machines/m3", "ERROR", "libvirt host kvm2 is unreachable: kvm2: Connection refused")]
        backend.reports.clear()
        await monitor.check_all()
        assert backend.reports == []  # reported once, not at every check
        b.failure = None
        await monitor.check_all()
        assert monitor.reachable(b)
        assert backend.reports == [
            ("machines/m2", "STARTED", None),
            ("machines/m3", "ERROR", "its libvirt domain t-m-m3 is gone from host kvm2")]
        backend.reports.clear()
        a.failure = 1.0  # hangs: a verdict after twice the interval, not after the hang
        started = time.monotonic()
        await monitor.check_all()
        assert time.monotonic() - started < 0.5
        assert backend.reports == [("machines/m1", "ERROR",
                                    "libvirt host kvm1 is unreachable: it did not answer in time")]
    asyncio.run(scenario())
