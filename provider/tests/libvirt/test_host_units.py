"""Host bookkeeping against libvirt objects that change under it (faked: the races are rare)."""
from __future__ import annotations

import libvirt

from cimi_provider.backends.libvirt.host import Host
from cimi_provider.backends.libvirt.names import Names


class Domain:
    def __init__(self, kib: int, gone: bool = False, vcpus: int = 0, active: bool = True,
                 name: str = "other"):
        self.kib, self.gone, self.vcpus, self.active, self._name = kib, gone, vcpus, active, name

    def name(self):
        return self._name

    def isActive(self):
        return self.active

    def info(self):
        if self.gone:
            raise libvirt.libvirtError("Domain not found")
        return [1, self.kib, self.kib, self.vcpus, 0]


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


def test_load_is_memory_or_vcpus_committed_whichever_is_fuller():
    """Running domains of anyone count; stopped ones only when they are this provider's."""
    host = Host("test:///default", Names("t-"), "/nonexistent")
    host._conn = Conn([Domain(128 * 1024, vcpus=1),
                       Domain(128 * 1024, vcpus=1, active=False, name="t-m-a"),
                       Domain(512 * 1024, vcpus=4, active=False, name="someone-else")])
    host._alive = lambda: True
    assert host.load() == 1.0  # 2 vCPUs of 2 CPUs, though only a quarter of the memory
    host._conn.domains[1].vcpus = 0
    assert host.load() == 0.5


def test_machines_being_created_count_before_their_domain_exists():
    host = Host("test:///default", Names("t-"), "/nonexistent")
    host._conn = Conn([])
    host._alive = lambda: True
    host.reserve(128 * 1024, 1)
    assert host.load() == 0.5
    host.reserve(-128 * 1024, -1)
    assert host.load() == 0.0


def _backend(labels, down=(), known=None):
    from cimi_provider.backends.libvirt.backend import LibvirtBackend
    backend = LibvirtBackend([f"{label}=test:///default" for label in labels], "/nonexistent",
                             "t-")
    hosts = {h.label: h for h in backend.hosts}
    backend.monitor.down = {hosts[label]: "gone" for label in down}
    if known:
        backend.known["Machine"]["machines/m1"] = hosts[known]
    return backend


def test_migration_target_refusals():
    """Which migrate requests are refused before a Job, and whether as 400 or 409."""
    import pytest
    from cimi_provider.backends.base import MigrationRefused
    cases = [
        (_backend(["a"], known="a"), "a", False, "only one libvirt host"),
        (_backend(["a", "b"], known="a"), "c", True, "unknown host 'c'"),
        (_backend(["a", "b"], known="a"), "a", False, "already on a"),
        (_backend(["a", "b"], down=["b"], known="a"), "b", False, "host b is down"),
        (_backend(["a", "b"], down=["b"], known="a"), None, False, "no other libvirt host"),
        (_backend(["a", "b"], down=["a"], known="a"), "b", False, "host a is down"),
        (_backend(["a", "b"]), "b", False, "not known"),
    ]
    for backend, host, bad_request, text in cases:
        with pytest.raises(MigrationRefused) as info:
            backend.migration_target("machines/m1", host)
        assert text in str(info.value) and info.value.bad_request is bad_request, (host, text)
    assert _backend(["a", "b"], known="a").migration_target("machines/m1", "b") == "b"
    assert _backend(["a", "b", "c"], known="a").migration_target("machines/m1", None) is None


def test_migration_uri_needs_a_known_label():
    import pytest
    from cimi_provider.backends.base import BackendError
    from cimi_provider.backends.libvirt.backend import LibvirtBackend
    backend = LibvirtBackend(["a=test:///default", "b=test:///default"], "/nonexistent", "t-",
                             migration_uris=["a=qemu+unix:///system?socket=/x"])
    assert backend.migration_uris == {"a": "qemu+unix:///system?socket=/x", "b": "test:///default"}
    with pytest.raises(BackendError):
        LibvirtBackend(["a=test:///default"], "/nonexistent", "t-", migration_uris=["z=x"])
