"""The in-memory simulated hypervisor: the reference backend.

Every operation takes ``latency`` seconds (0 = instantaneous, which makes the HTTP layer answer
synchronously) and reports progress while it runs. Failures can be injected:

* ``fail_patterns``: regular expressions; an operation in ``fail_operations`` (default create and
  start) on a resource whose name, or any ``key=value`` of its properties, matches one
  (``re.search``) fails with "injected failure: ...".
* ``fail_rate``: probability (0..1) that any such operation fails, from a seeded random generator.

MAC addresses (52:54:00:xx:xx:xx) and IPv4 addresses are deterministic: the n-th interface ever
created gets the n-th MAC and the n-th address, taken first from 192.0.2.10-254 (TEST-NET-1,
RFC 5737) and then from 198.18.0.0/15 (the benchmarking range, RFC 2544) for large inventories.
Addresses are data only; nothing is ever sent to them.
"""
from __future__ import annotations

import asyncio
import ipaddress
import os
import time

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import qemuimg
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt.errors import HelperError

from .base import (Backend, BackendError, EndpointResult, InterfaceResult, MachineResult,
                   MachineSpec, MachineStats, Progress, VolumeResult, VolumeSpec)
from ..imports import ImportRefused
from .failures import FailureInjector

TEST_NET_1 = [str(ipaddress.IPv4Address("192.0.2.0") + i) for i in range(10, 255)]
BENCH_NET = ipaddress.IPv4Network("198.18.0.0/15")

ACTION_RESULT = {"start": "STARTED", "stop": "STOPPED", "restart": "STARTED", "pause": "PAUSED",
                 "suspend": "SUSPENDED"}


def address_for(serial: int) -> str:
    """The ``serial``-th (from 1) simulated IPv4 address."""
    if serial <= len(TEST_NET_1):
        return TEST_NET_1[serial - 1]
    offset = serial - len(TEST_NET_1)
    host = BENCH_NET.network_address + offset
    if host >= BENCH_NET.broadcast_address:
        raise BackendError("simulated address pool exhausted")
    return str(host)


def mac_for(serial: int) -> str:
    return "52:54:00:%02x:%02x:%02x" % ((serial >> 16) & 0xFF, (serial >> 8) & 0xFF, serial & 0xFF)


class MemoryBackend(Backend):
    name = "memory"
    image_schemes = ("memory",)

    def __init__(self, latency: float = 0.0, failures: FailureInjector | None = None):
        super().__init__()
        self.latency = max(0.0, float(latency))
        self.failures = failures or FailureInjector()
        self.machines: dict[str, dict] = {}
        self.volumes: dict[str, dict] = {}
        self.networks: dict[str, str] = {}
        self.images: dict[str, str] = {}

    @property
    def synchronous(self) -> bool:
        return self.latency == 0

    async def _simulate(self, progress: Progress, label: str, steps: int = 4) -> None:
        progress(5, f"{label}: started")
        if not self.latency:
            return
        for step in range(1, steps + 1):
            await asyncio.sleep(self.latency / steps)
            progress(min(95, 5 + step * 90 // steps), f"{label}: {step * 100 // steps}%")

    def adopt(self, kind, resource_id, doc, state):
        # The simulator keeps no state of its own across restarts: rebuild it from the database.
        if kind == "Machine":
            self.machines[resource_id] = {"name": doc.get("name", ""), "state": state,
                                          "properties": doc.get("properties", {}),
                                          "memory": doc.get("memory", 65536)}
        elif kind == "Volume":
            self.volumes[resource_id] = {"capacity": doc.get("capacity", 0)}
        elif kind == "Network":
            self.networks[resource_id] = state
        elif kind == "MachineImage":
            self.images[resource_id] = doc.get("imageLocation", "")
        return state

    def _machine(self, machine_id: str) -> dict:
        try:
            return self.machines[machine_id]
        except KeyError:
            raise BackendError(f"machine {machine_id} is unknown to the hypervisor") from None

    async def create_machine(self, spec: MachineSpec, progress: Progress) -> MachineResult:
        await self._simulate(progress, f"creating machine {spec.name}")
        self.failures.check("create", spec.name, spec.properties)
        for volume_id, _ in spec.volumes:
            if volume_id not in self.volumes:
                raise BackendError(f"volume {volume_id} is unknown to the hypervisor")
        interfaces = []
        for iface in spec.interfaces:
            mac = mac_for(self.context.next_serial("mac"))
            address = address_for(self.context.next_serial("ipv4"))
            interfaces.append(InterfaceResult(mac, iface.network_id, iface.mtu or 1500,
                                              [EndpointResult(address)]))
        state = "STOPPED"
        if spec.initial_state == "STARTED":
            progress(90, f"starting machine {spec.name}")
            self.failures.check("start", spec.name, spec.properties)
            state = "STARTED"
        self.machines[spec.id] = {"name": spec.name, "state": state, "properties": spec.properties,
                                  "memory": spec.memory_kib,
                                  "ovf_environment": spec.ovf_environment}  # recorded only
        return MachineResult(state, interfaces)

    async def machine_action(self, machine_id, name, action, *, force, current_state, progress):
        machine = self._machine(machine_id)
        await self._simulate(progress, f"{action} machine {name}" + (" (forced)" if force else ""))
        if action in ("start", "restart"):
            self.failures.check("start", name, machine.get("properties"))
        if action not in ACTION_RESULT:
            raise BackendError(f"unsupported machine action {action}")
        machine["state"] = ACTION_RESULT[action]
        return machine["state"]

    async def machine_stats(self, machine_id):
        """Simulated counters: a busy guest using a tenth of a CPU and some I/O per second
        since it started (the simulator's clock starts at its first reading)."""
        machine = self.machines.get(machine_id)
        if machine is None:
            return None
        if machine.get("state") != "STARTED":
            machine.pop("_since", None)
            return None
        now = time.monotonic()
        up = now - machine.setdefault("_since", now - 0.001)
        return MachineStats(cpu_time_ns=int(up * 1e8) + 1, memory_kib=machine.get("memory", 65536),
                            disk_read_bytes=int(up * 4096), disk_write_bytes=int(up * 2048),
                            net_rx_bytes=int(up * 1500), net_tx_bytes=int(up * 600))

    async def delete_machine(self, machine_id, progress):
        await self._simulate(progress, f"deleting machine {machine_id}")
        self.failures.check("delete", self.machines.get(machine_id, {}).get("name", ""))
        self.machines.pop(machine_id, None)

    async def capture_machine(self, machine_id, image_id, progress):
        machine = self._machine(machine_id)
        await self._simulate(progress, f"capturing machine {machine['name']}")
        self.failures.check("capture", machine["name"], machine.get("properties"))
        location = f"memory://images/{image_id.rsplit('/', 1)[-1]}"
        self.images[image_id] = location
        return location

    async def attach_volume(self, machine_id, volume_id, location, progress):
        self._machine(machine_id)
        if volume_id not in self.volumes:
            raise BackendError(f"volume {volume_id} is unknown to the hypervisor")
        await self._simulate(progress, f"attaching {volume_id}", steps=2)

    async def detach_volume(self, machine_id, volume_id, progress):
        await self._simulate(progress, f"detaching {volume_id}", steps=2)

    def _check_location(self, location: str) -> None:
        """Nothing is read, but the same locations as on a real backend are refused."""
        try:
            self.import_policy.check(location)
        except ImportRefused as exc:
            raise BackendError(str(exc)) from None

    async def create_volume(self, spec: VolumeSpec, progress: Progress) -> VolumeResult:
        if spec.image_location:
            self._check_location(spec.image_location)
        await self._simulate(progress, f"creating volume {spec.name}")
        self.failures.check("create", spec.name, spec.properties)
        self.volumes[spec.id] = {"capacity": spec.capacity_kb}
        return VolumeResult("AVAILABLE", spec.capacity_kb, bootable=bool(spec.image_location))

    async def import_ovf_disks(self, appliance, disks, progress):
        """Simulated: the OVF engine inspected every disk already; nothing is converted."""
        results = []
        for disk in disks:
            await self._simulate(progress, f"importing disk {disk.name}", steps=2)
            self.failures.check("create", disk.name)
            results.append(VolumeResult("AVAILABLE", disk.capacity_kb, bootable=True))
        for disk in disks:
            self.volumes[disk.volume_id] = {"capacity": disk.capacity_kb}
        return results

    async def export_disks(self, machine_id, capacities_kb, directory, progress):
        """Simulated disks hold no data: each is written as an empty VMDK of its capacity."""
        machine = self._machine(machine_id)
        await self._simulate(progress, f"exporting the disks of {machine['name']}", steps=2)
        out = []
        for index, capacity_kb in enumerate(capacities_kb):
            path = os.path.join(directory, f"disk{index}.vmdk")
            size = -(-capacity_kb * 1000 // 512) * 512
            try:
                await asyncio.to_thread(qemuimg.run, ["create", "-q", "-f", "vmdk", "-o",
                                                      "subformat=streamOptimized", path, str(size)])
            except HelperError as exc:
                raise BackendError(exc.message) from None
            out.append((path, size))
        return out

    async def delete_volume(self, volume_id, progress):
        await self._simulate(progress, f"deleting volume {volume_id}", steps=2)
        self.volumes.pop(volume_id, None)

    async def create_network(self, network_id, name, initial_state, progress, host_address=None):
        await self._simulate(progress, f"creating network {name}")
        self.failures.check("create", name)
        self.networks[network_id] = initial_state
        return initial_state

    async def network_action(self, network_id, action, progress):
        await self._simulate(progress, f"{action} network {network_id}", steps=2)
        state = {"start": "STARTED", "stop": "STOPPED"}[action]
        self.networks[network_id] = state
        return state

    async def delete_network(self, network_id, progress):
        await self._simulate(progress, f"deleting network {network_id}", steps=2)
        self.networks.pop(network_id, None)

    async def register_image(self, image_id, location, progress):
        self._check_location(location)
        await self._simulate(progress, f"registering image {location}", steps=2)
        self.images[image_id] = location
        return "AVAILABLE"

    async def delete_image(self, image_id, progress):
        self.images.pop(image_id, None)
