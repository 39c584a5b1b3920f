"""Multi-host placement of the libvirt backend (``--libvirt-uri`` repeated).

The unit tests put fake hosts (a load figure and the pool volumes/networks they hold) behind the
real placement code: they prove the choice, not anything about real remote hosts. The real run
gives the provider qemu:///system twice (the only host tests may use): both "hosts" are the same
libvirtd, so it proves that the multi-host paths (networks and images made on every host, ties,
deletes on every host) work against libvirt and leave nothing behind, not that load spreads.
"""
from __future__ import annotations

import pytest

from cimi_provider.backends.base import InterfaceSpec, MachineSpec
from cimi_provider.backends.libvirt import backend as backend_module
from cimi_provider.backends.libvirt.host import HostError, split_label
from cimi_provider.backends.libvirt.xmldefs import DomainDef
from libvirt_helpers import LIBVIRT_URI, NS, ProviderProcess, machine_body, owned_domains_of


class FakeHost:
    def __init__(self, backend, uri: str, load, volumes=(), networks=(), free_kib=1 << 30):
        self.uri = self.label = uri
        self.names = backend.names
        self._load = load
        self.free_kib = free_kib
        self.volumes = set(volumes)
        self.networks = set(networks)

    def load(self) -> float:
        if isinstance(self._load, Exception):
            raise self._load
        return self._load

    def free_memory_kib(self) -> int:
        return self.free_kib

    def reserve(self, memory_kib, vcpus):
        pass

    def lookup_volume(self, name):
        return f"{self.uri}:{name}" if name in self.volumes else None

    def lookup_network(self, name):
        return name if name in self.networks else None

    def lookup_domain(self, _name):
        return None


@pytest.fixture
def backend(tmp_path):
    # Hosts connect lazily: nothing here talks to libvirt.
    return backend_module.LibvirtBackend(libvirt_uris=["fake:///a", "fake:///b", "fake:///c"],
                                         pool_path=str(tmp_path), prefix="place-")


def test_place_picks_the_least_loaded_reachable_host(backend):
    a = FakeHost(backend, "a", 0.50)
    b = FakeHost(backend, "b", 0.20)
    c = FakeHost(backend, "c", 0.10)
    backend.hosts = [a, b, c]
    assert backend._place([a, b, c]) is c
    assert backend._place([a, b]) is b  # only among the candidates given
    c._load = HostError("connection refused")
    assert backend._place([a, b, c]) is b  # an unreachable host is skipped
    b._load = 0.50
    assert backend._place([b, a]) is a  # a tie goes to the host listed first on the command line


def test_place_needs_the_memory_free_and_skips_hosts_known_down(backend):
    a = FakeHost(backend, "a", 0.10, free_kib=100_000)
    b = FakeHost(backend, "b", 0.50, free_kib=4_000_000)
    backend.hosts = [a, b]
    assert backend._place([a, b]) is a
    assert backend._place([a, b], memory_kib=1_000_000) is b  # a lacks the memory free
    with pytest.raises(HostError, match="no libvirt host has 8000000 KiB of memory free"):
        backend._place([a, b], memory_kib=8_000_000)
    backend.monitor.down[a] = "connection refused"
    assert backend._place([a, b]) is b  # a known-down host is not asked
    backend.monitor.down[b] = "connection refused"
    assert backend._place([a, b]) is a  # all down: ask anyway (the monitor may lag)


def test_host_labels():
    assert split_label("kvm2=qemu+ssh://root@kvm2.example/system") == (
        "kvm2", "qemu+ssh://root@kvm2.example/system")
    assert split_label("qemu+tls://kvm3.example/system?pkipath=/etc/pki") == (
        "kvm3.example", "qemu+tls://kvm3.example/system?pkipath=/etc/pki")
    assert split_label("qemu:///system") == ("qemu:///system", "qemu:///system")


def test_place_fails_clearly_without_hosts(backend):
    a = FakeHost(backend, "a", HostError("down"))
    backend.hosts = [a]
    with pytest.raises(HostError, match="no libvirt host is reachable"):
        backend._place([a])
    with pytest.raises(HostError, match="every image and volume"):
        backend._place([])


def test_machines_go_where_their_image_and_volumes_are_then_least_loaded(backend, monkeypatch):
    image_id, volume_id, net_id = "machineImages/img", "volumes/vol", "networks/net"
    image_vol = backend.names.image("img")
    data_vol = backend.names.volume("vol")
    net = backend.names.network("net")
    backend.image_locations[image_id] = "file:///srv/img.qcow2"
    a = FakeHost(backend, "a", 0.05, volumes=[], networks=[net])  # emptiest, but no image
    b = FakeHost(backend, "b", 0.60, volumes=[image_vol, data_vol], networks=[net])
    c = FakeHost(backend, "c", 0.30, volumes=[image_vol], networks=[net])
    backend.hosts = [a, b, c]
    placed = []

    def fake_create(host, plan):
        placed.append((host.uri, plan["image"]))
        return "STOPPED", DomainDef(plan["name"], "qemu", 1, 65536, plan["resource_id"])
    monkeypatch.setattr(backend_module.machines, "create", fake_create)

    def spec(name, volumes=()):
        return MachineSpec(id=f"machines/{name}", name=name, cpu=1, memory_kib=65536,
                           image_location="file:///srv/img.qcow2", volumes=list(volumes),
                           interfaces=[InterfaceSpec(network_id=net_id)])

    backend._create_machine(spec("m1"), lambda *_: None)
    backend._create_machine(spec("m2", [(volume_id, "/dev/vdb")]), lambda *_: None)
    c.volumes.discard(image_vol)
    b.volumes.discard(image_vol)
    with pytest.raises(HostError, match="no base volume"):
        backend._create_machine(spec("m3"), lambda *_: None)
    assert placed == [("c", f"c:{image_vol}"), ("b", f"b:{image_vol}")]


def test_same_uri_twice_real_run(workdir, run_prefix, base_image, libvirt_conn):
    """Two --libvirt-uri (both qemu:///system): a full round trip, nothing left behind."""
    prefix = f"{run_prefix}twice-"
    proc = ProviderProcess(workdir, prefix, "twice", uris=(LIBVIRT_URI, LIBVIRT_URI))
    proc.start()
    try:
        client = proc.client
        image = client.create("machineImages", {"resourceURI": NS + "/MachineImage",
                                                "name": "blank", "type": "IMAGE",
                                                "imageLocation": f"file://{base_image}"})
        net = client.create("networks", {"resourceURI": NS + "/NetworkCreate", "name": "n",
                                         "networkTemplate": {"initialState": "STARTED"}})
        machines = [client.create("machines", machine_body(
            f"vm{i}", image=image, initialState="STARTED",
            interfaceTemplates=[{"network": {"href": net["id"]}}])) for i in (1, 2)]
        assert [m["state"] for m in machines] == ["STARTED", "STARTED"]
        assert len(owned_domains_of(libvirt_conn, prefix)) == 2
        for machine in machines:
            client.delete(client.action(machine, "stop", force=True))
        client.delete(net)
        client.delete(image)
    finally:
        proc.stop()
    assert owned_domains_of(libvirt_conn, prefix) == set()
    assert not [n for n in libvirt_conn.listAllNetworks(0) if n.name().startswith(prefix)]
