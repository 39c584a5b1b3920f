"""The backend interface: what the CIMI layer asks of a hypervisor.

The CIMI layer (catalogue, store, jobs, HTTP) owns the resource model and its durability; a backend
only does the infrastructure work and reports what it observed. Writing a backend (e.g. libvirt):

* Subclass ``Backend`` and implement every ``async`` operation. Each receives plain specs (the
  resolved template: sizes, image location, network ids) and a ``progress`` callback; report
  progress as ``progress(percent, message)`` (0-100) while working. Return the observed result
  (``MachineResult``, ``VolumeResult``, a state string). Raise ``BackendError(message)`` on
  failure: the message becomes the Job's ``statusMessage`` and must be safe to show a consumer
  (no secrets, no stack text). Operations may be cancelled (``asyncio.CancelledError``) when a
  consumer stops the Job; clean up what you can and re-raise.
* ``synchronous`` tells the HTTP layer whether operations finish without observable delay; if so
  it awaits them and answers 201/200, otherwise it answers 202 and the Job tracks the work.
* ``adopt`` is called at start-up for each resource the database knows about, with the state the
  database holds. Return the state actually observed (e.g. libvirt domain state mapped to CIMI),
  or ``None`` when the backend has no trace of it. Transitional states interrupted by a restart
  are reconciled by the CIMI layer before ``adopt`` is called. When the observed state differs,
  ``adoption_message(resource_id)`` may say why (shown to consumers as the resource's
  ``statusMessage``). Once every known resource was adopted the CIMI layer calls ``adopted()``
  (e.g. to remove backend objects no resource owns).
* Out-of-band changes (a guest powering itself off) are reported through ``events.state_changed``
  (kind, resource id, new state, optional message safe to show a consumer); the CIMI layer
  persists them, the message as the resource's ``statusMessage``.
* ``machine_stats`` reads a running machine's counters (CPU time, memory, block and interface
  bytes) for its Meters; it must be cheap, it runs at every Meter's ``sampleInterval``.
* Resource ids are the provider's relative ids (``machines/ab12``); name backend objects after
  them (plus a prefix) so they can be found again after a restart.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Protocol

from ..imports import ImportPolicy

Progress = Callable[[int, str], None]


class BackendError(Exception):
    """An infrastructure operation failed; the message is shown to the consumer."""


class MigrationRefused(Exception):
    """A migrate request that cannot be carried out; ``bad_request``: the parameter itself is
    wrong (400), else the situation forbids it (409)."""

    def __init__(self, message: str, bad_request: bool = False):
        super().__init__(message)
        self.bad_request = bad_request


class Events(Protocol):
    def state_changed(self, kind: str, resource_id: str, state: str,
                      message: str | None = None) -> None: ...


class Context(Protocol):
    """Services the CIMI layer offers a backend."""

    def next_serial(self, name: str) -> int:
        """A durable, monotonically increasing counter (from 1) under ``name``."""


@dataclass
class DiskSpec:
    capacity_kb: int
    format: str | None = None
    initial_location: str | None = None


@dataclass
class InterfaceSpec:
    network_id: str | None = None
    mtu: int | None = None


@dataclass
class MachineSpec:
    id: str
    name: str
    cpu: int
    memory_kib: int
    cpu_arch: str | None = None
    cpu_speed_mhz: int | None = None
    disks: list = field(default_factory=list)  # DiskSpec
    image_location: str | None = None
    user_data: str | None = None  # base64, as given by the consumer
    interfaces: list = field(default_factory=list)  # InterfaceSpec
    volumes: list = field(default_factory=list)  # (volume id, initial location)
    credential: dict | None = None  # {userName, key, passwordHash}; never log it
    properties: dict = field(default_factory=dict)
    initial_state: str = "STOPPED"
    # ovf-env.xml (DSP8027) of a machine imported from an OVF package: delivered on an ISO
    ovf_environment: bytes | None = None


@dataclass
class EndpointResult:
    address: str
    protocol: str = "IPv4"
    origin: str = "DYNAMIC"
    port: int | None = None  # a TCP port forwarded to the guest (its SSH) on ``address``


@dataclass
class InterfaceResult:
    mac_address: str
    network_id: str | None = None
    mtu: int | None = None
    endpoints: list = field(default_factory=list)  # EndpointResult


@dataclass
class MachineResult:
    state: str
    interfaces: list = field(default_factory=list)  # InterfaceResult, same order as the spec
    host: str | None = None  # where it runs, for backends with several hosts (shown as ``host``)


@dataclass
class MachineStats:
    """One reading of a running machine's counters (cumulative since it started, except
    ``memory_kib``, the memory the guest uses now)."""
    cpu_time_ns: int = 0
    memory_kib: int = 0
    disk_read_bytes: int = 0
    disk_write_bytes: int = 0
    net_rx_bytes: int = 0
    net_tx_bytes: int = 0


@dataclass
class VolumeSpec:
    id: str
    name: str
    capacity_kb: int
    type: str | None = None
    format: str | None = None
    image_location: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass
class OvfDisk:
    """One disk of an opened, checked OVF package (``service/ovf_import.py``) to become a
    Volume: ``job`` is the OVF engine's inspected ``diskplan.DiskJob``."""
    volume_id: str
    name: str
    job: object
    capacity_kb: int


@dataclass
class VolumeResult:
    state: str
    capacity_kb: int
    bootable: bool = False


class Backend(abc.ABC):
    name = "abstract"
    # Location schemes the backend simulates (nothing is read from them): accepted as they are.
    image_schemes: tuple = ()

    def __init__(self) -> None:
        self.events: Events | None = None
        self.context: Context | None = None
        # Where imported images may come from; the server sets the operator's (none: refuse all).
        self.import_policy = ImportPolicy(schemes=self.image_schemes)

    async def open(self, context: Context, events: Events) -> None:
        """Connect to the infrastructure. Called once before any other operation."""
        self.context = context
        self.events = events

    async def close(self) -> None:
        """Release connections; running operations have been cancelled already."""

    @property
    @abc.abstractmethod
    def synchronous(self) -> bool:
        """True when operations complete without observable delay."""

    def adopt(self, kind: str, resource_id: str, doc: dict, state: str | None) -> str | None:
        """Observed state of a known resource at start-up (default: trust the database)."""
        return state

    def adoption_message(self, resource_id: str) -> str | None:
        """Why ``adopt`` reported another state than the database held (None: no reason given)."""
        return None

    def adopted(self) -> None:
        """Every known resource was adopted (start-up reconciliation is complete)."""

    # Machines
    @abc.abstractmethod
    async def create_machine(self, spec: MachineSpec, progress: Progress) -> MachineResult: ...

    @abc.abstractmethod
    async def machine_action(self, machine_id: str, name: str, action: str, *, force: bool,
                             current_state: str, progress: Progress) -> str:
        """Run start/stop/restart/pause/suspend; return the resulting CIMI state."""

    @abc.abstractmethod
    async def delete_machine(self, machine_id: str, progress: Progress) -> None: ...

    @abc.abstractmethod
    async def capture_machine(self, machine_id: str, image_id: str, progress: Progress) -> str:
        """Copy a stopped machine's boot disk into a new image; return its location URI."""

    @abc.abstractmethod
    async def attach_volume(self, machine_id: str, volume_id: str, location: str | None,
                            progress: Progress) -> None: ...

    @abc.abstractmethod
    async def detach_volume(self, machine_id: str, volume_id: str, progress: Progress) -> None: ...

    def migration_target(self, machine_id: str, host: str | None) -> str | None:
        """Check a migrate request before its Job: the target host's label, or None for the
        placement policy's choice when the Job runs. Raise ``MigrationRefused``."""
        raise MigrationRefused(f"the {self.name} backend has one host: migrate is not offered")

    async def migrate_machine(self, machine_id: str, target: str | None,
                              progress: Progress, name: str = "") -> tuple:
        """Move the machine to host ``target`` (None: the best other host), in the state it
        has; return the label of its new host and a note for the Job ("" or, say, how long
        the guest was paused)."""
        raise BackendError(f"the {self.name} backend cannot migrate machines")

    async def machine_stats(self, machine_id: str) -> MachineStats | None:
        """A reading of a running machine's counters for its Meters; None when it is not
        running (or the backend cannot measure it)."""
        return None

    # Volumes
    @abc.abstractmethod
    async def create_volume(self, spec: VolumeSpec, progress: Progress) -> VolumeResult: ...

    @abc.abstractmethod
    async def delete_volume(self, volume_id: str, progress: Progress) -> None: ...

    # Networks
    @abc.abstractmethod
    async def create_network(self, network_id: str, name: str, initial_state: str,
                             progress: Progress, host_address: str | None = None) -> str:
        """``host_address`` ("169.254.10.1/24"): the host's own address on the network, which
        stays isolated (no forwarding, no NAT); None: the host has no address on it."""

    @abc.abstractmethod
    async def network_action(self, network_id: str, action: str, progress: Progress) -> str: ...

    @abc.abstractmethod
    async def delete_network(self, network_id: str, progress: Progress) -> None: ...

    # Images
    @abc.abstractmethod
    async def register_image(self, image_id: str, location: str, progress: Progress) -> str:
        """Make an image at ``location`` usable; return the image state (AVAILABLE)."""

    async def delete_image(self, image_id: str, progress: Progress) -> None:
        """Forget an image (default: nothing to do)."""

    # OVF packages (System import)
    def open_import(self, location: str):
        """The checked, opened file of an import location (``imports.ImportPolicy.open``);
        blocking. Raises ``ImportRefused``."""
        return self.import_policy.open(location)

    async def import_ovf_disks(self, appliance, disks: list, progress: Progress) -> list:
        """Make a Volume of each ``OvfDisk``, converted straight out of the package; all or
        nothing (on failure none of them is left). Returns ``VolumeResult`` in order."""
        raise BackendError(f"the {self.name} backend cannot import OVF disks")

    async def export_disks(self, machine_id: str, capacities_kb: list, directory: str,
                           progress: Progress) -> list:
        """Write every disk of a stopped machine (device order; ``capacities_kb``: what the CIMI
        layer knows of them) into the private ``directory`` as streamOptimized VMDK files;
        return ``[(path, capacity bytes)]``."""
        raise BackendError(f"the {self.name} backend cannot export disks")


BackendFactory = Callable[..., Backend]
Work = Callable[[Progress], Awaitable[object]]
