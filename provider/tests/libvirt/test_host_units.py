"""Host bookkeeping against libvirt objects that change under it (faked: the races are rare)."""
from __future__ import annotations

import libvirt

from cimi_provider.backends.libvirt.host import Host
from cimi_provider.backends.libvirt.names import Names


class Domain:
    def __init__(self, kib: int, gone: bool = False):
        self.kib, self.gone = kib, gone

    def maxMemory(self):
        if self.gone:
            raise libvirt.libvirtError("Domain not found")
        return self.kib


class Conn:
    def __init__(self, domains):
        self.domains = domains

    def getInfo(self):
        return ["x86_64", 1024, 2]  # MiB of host memory

    def listAllDomains(self, _flags):
        return self.domains


def test_load_skips_a_domain_that_went_away_after_the_listing():
    host = Host("test:///default", Names("t-"), "/nonexistent")
    host._conn = Conn([Domain(256 * 1024), Domain(512 * 1024, gone=True)])
    host._alive = lambda: True
    assert host.load() == 0.25
