"""The libvirt backend: CIMI machines, volumes, images and networks as real libvirt objects.

Machine = domain (``kvm`` when qemu can use it, ``qemu`` emulation otherwise), its disks qcow2
overlays on (or full copies of) the image's base volume; MachineImage = base volume in the pool;
Volume = pool volume; Network = isolated libvirt network. With forwarded ports (``forwarding.py``)
every machine is also reachable on 127.0.0.1, its first interface. Every object is named
``<prefix><kind>-<resource key>`` so it is found again after a restart (see ``names.py``).
All libvirt calls block, so they run in worker threads; lifecycle events arrive on the libvirt
event-loop thread and are handed to the asyncio loop.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time

import libvirt
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import pools
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import qemuimg as qemu_tool
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import diskplan
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import OvfError

from ..base import (Backend, BackendError, EndpointResult, InterfaceResult, MachineResult,
                    MachineSpec, MigrationRefused, Progress, VolumeResult, VolumeSpec)
from ...imports import ImportRefused
from ..failures import FailureInjector
from . import forwarding, machines, migrate, networks, qemuimg, stats, storage, userdata
from .events import ensure_event_loop, lifecycle_state
from .health import HostMonitor
from .host import Host, HostError, domain_state
from .names import Names
from .xmldefs import parse_domain
from .options import env_defaults
from .reconcile import Reconciler

log = logging.getLogger(__name__)
KB = 1000


def key_of(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


class LibvirtBackend(Backend):
    name = "libvirt"

    def __init__(self, libvirt_uris=None, pool_path: str | None = None, prefix: str | None = None,
                 domain_type: str | None = None, disk_mode: str | None = None,
                 stop_timeout: float | None = None, uri: str | None = None,
                 failures: FailureInjector | None = None, health_interval: float | None = None,
                 migration_uris=None, forward_ports: str | None = None, **_ignored):
        super().__init__()
        env = env_defaults()
        libvirt_uris = libvirt_uris or ([uri] if uri else None) or env["libvirt_uris"]
        if isinstance(libvirt_uris, str):
            libvirt_uris = [libvirt_uris]
        pool_path = pool_path or env["pool_path"]
        prefix = prefix or env["prefix"]
        domain_type = domain_type or env["domain_type"]
        disk_mode = disk_mode or env["disk_mode"]
        stop_timeout = env["stop_timeout"] if stop_timeout is None else stop_timeout
        health_interval = env["health_interval"] if health_interval is None else health_interval
        forward_ports = forward_ports or env["forward_ports"]
        if not libvirt_uris:
            raise BackendError("at least one --libvirt-uri is required")
        if not pool_path:
            raise BackendError("the libvirt backend needs a storage pool directory "
                               "(--pool PATH or CIMI_LIBVIRT_POOL)")
        if domain_type not in ("auto", "kvm", "qemu"):
            raise BackendError("domain type must be auto, kvm or qemu")
        if disk_mode not in ("overlay", "copy"):
            raise BackendError("disk mode must be overlay or copy")
        try:
            self.names = Names(prefix)
        except ValueError as exc:
            raise BackendError(str(exc)) from None
        self.hosts = [Host(uri, self.names, pool_path, domain_type) for uri in libvirt_uris]
        self.migration_uris = {h.label: h.uri for h in self.hosts}
        for value in migration_uris or ():
            label, _, uri = value.partition("=")
            if label not in self.migration_uris or not uri:
                raise BackendError(f"--libvirt-migration-uri {value}: expected LABEL=URI with "
                                   "the label of a --libvirt-uri")
            self.migration_uris[label] = uri
        try:
            self.forwarder = (forwarding.Forwarder(forwarding.parse_range(forward_ports))
                              if forward_ports else None)
        except ValueError as exc:
            raise BackendError(str(exc)) from None
        self.disk_mode = disk_mode
        self.stop_timeout = float(stop_timeout)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.known = {"Machine": {}, "Volume": {}, "Network": {}, "MachineImage": {}}  # id -> Host
        self.image_locations: dict = {}  # image id -> imageLocation
        self.busy: set = set()  # machine ids with an operation in flight (their events are ours)
        self.lock = threading.Lock()
        self.placement_lock = threading.Lock()
        self.reconciler = Reconciler(self)
        self.monitor = HostMonitor(self, float(health_interval))
        self.failures = failures or FailureInjector()

    @property
    def synchronous(self) -> bool:
        return False

    # -- set-up -------------------------------------------------------------------------------
    async def open(self, context, events) -> None:
        await super().open(context, events)
        self.loop = asyncio.get_running_loop()
        ensure_event_loop()
        for host in self.hosts:
            host.on_event = self._on_event
        down = await self._run(self._connect_all, sweep=False)
        for host, error in down.items():
            self.monitor.down[host] = error
        # Only now: a first connection (the KVM probe) may take longer than a check may wait.
        self.monitor.start()

    def _connect_all(self) -> dict:
        """Connect every host; serve as long as one answers (the others are watched)."""
        down = {}
        for host in self.hosts:
            try:
                host.conn  # noqa: B018 - connects, probes kvm, registers events
                host.pool()
            except (HostError, libvirt.libvirtError) as exc:
                down[host] = str(exc)
        if len(down) == len(self.hosts):
            raise HostError(next(iter(down.values())))  # the one start-up error line
        for host, error in down.items():
            log.warning("libvirt host %s unavailable at start-up: %s", host.label, error)
        return down

    async def close(self) -> None:
        await self.monitor.stop()
        for host in self.hosts:
            await asyncio.to_thread(host.close)

    async def _run(self, func, *args, sweep=True):
        if sweep and not self.reconciler.swept:
            # Adoption happens at start-up before any request: the first operation may sweep.
            await asyncio.to_thread(self.reconciler.sweep)
        try:
            return await asyncio.to_thread(func, *args)
        except (HostError, qemuimg.ImageError, ImportRefused) as exc:
            raise BackendError(str(exc)) from None
        except libvirt.libvirtError as exc:
            raise BackendError(f"libvirt: {exc.get_error_message() or exc}") from None

    def adopt(self, kind, resource_id, doc, state):
        return self.reconciler.adopt(kind, resource_id, doc, state)

    def adoption_message(self, resource_id):
        return self.reconciler.messages.get(resource_id)

    def adopted(self) -> None:
        """All known resources were adopted: remove the objects nobody knows (crash leftovers).

        The core calls this once at start-up, before serving; should a core not call it, the
        first operation sweeps instead (see ``_run``).
        """
        self.reconciler.sweep()

    # -- events -------------------------------------------------------------------------------
    def _on_event(self, host: Host, name: str, event: int, detail: int) -> None:
        key = self.names.domain_key(name)
        if key is None or self.events is None or self.loop is None:
            return
        with self.lock:
            rid = next((r for r in self.known["Machine"] if key_of(r) == key), None)
            if rid is None or rid in self.busy:
                return
            if self.known["Machine"][rid] not in (None, host):
                return  # a late event of the host a migrate took it from
        if lifecycle_state(event, detail) is None:
            return
        # Read the domain again rather than trusting the event: late events then report the truth.
        dom = host.lookup_domain(name)
        message = None
        if dom is None:
            state = "ERROR"
            message = f"its libvirt domain {name} was removed outside the provider"
            log.warning("machine %s: %s", rid, message)
        else:
            state = domain_state(dom)
        self.loop.call_soon_threadsafe(self._report, rid, state, message)

    def machines_on(self, host: Host) -> list:
        with self.lock:
            return [rid for rid, h in self.known["Machine"].items() if h is host]

    def report(self, rid: str, state: str, message: str | None = None) -> None:
        """A machine's observed state, from the event loop (the host monitor)."""
        self._report(rid, state, message)

    def _report(self, rid: str, state: str, message: str | None = None) -> None:
        if rid in self.busy or rid not in self.known["Machine"]:
            return
        self.events.state_changed("Machine", rid, state, message)

    # -- placement ----------------------------------------------------------------------------
    def _host_of(self, kind: str, rid: str) -> Host:
        host = self.known[kind].get(rid)
        if host is None:
            host = self.reconciler.locate(kind, rid)
        if host is None:
            raise HostError(f"{rid} is unknown to libvirt (its libvirt object does not exist)")
        return host

    def _place(self, candidates: list, memory_kib: int = 0) -> Host:
        """The least loaded reachable candidate (``Host.load``: committed memory and vCPUs),
        among those with ``memory_kib`` free; a tie goes to the host listed first."""
        if not candidates:
            raise HostError("no libvirt host has every image and volume this machine needs")
        # Hosts known to be down are not even asked (a dead remote host may take long to refuse).
        candidates = [h for h in candidates if self.monitor.reachable(h)] or candidates
        loads, full = [], []
        for host in candidates:
            try:
                if memory_kib and host.free_memory_kib() < memory_kib:
                    full.append(host.label)
                    continue
                loads.append((host.load(), self.hosts.index(host), host))
            except (HostError, libvirt.libvirtError) as exc:
                log.warning("libvirt host %s unavailable: %s", host.label, exc)
        if not loads:
            if full:
                raise HostError(f"no libvirt host has {memory_kib} KiB of memory free "
                                f"({', '.join(full)})")
            raise HostError("no libvirt host is reachable")
        return min(loads, key=lambda entry: entry[:2])[2]

    def _image_volume(self, host: Host, location: str):
        """The base volume on ``host`` for an image location (registered or captured)."""
        for image_id, loc in list(self.image_locations.items()):
            if loc == location:
                vol = host.lookup_volume(self.names.image(key_of(image_id)))
                if vol is not None:
                    return vol
        return None

    def _open_source(self, location: str):
        """The checked, opened source file of an import (``imports.ImportPolicy.open``); no
        storage pool of any host, this provider's or another's, is ever a source."""
        pools = [path for host in self.hosts for path in storage.pool_paths(host)]
        return self.import_policy.open(location, pools)

    # -- machines -----------------------------------------------------------------------------
    async def create_machine(self, spec: MachineSpec, progress: Progress) -> MachineResult:
        with self.lock:
            self.busy.add(spec.id)
        try:
            progress(5, f"placing machine {spec.name}")
            self.failures.check("create", spec.name, spec.properties)
            if spec.initial_state == "STARTED":
                self.failures.check("start", spec.name, spec.properties)
            state, parsed, host = await self._run(self._create_machine, spec, progress)
            with self.lock:
                self.known["Machine"][spec.id] = host
            by_network = {self.names.network(key_of(i.network_id)): i.network_id
                          for i in spec.interfaces if i.network_id}
            return MachineResult(state, self._forwarded_interfaces(parsed) + [
                InterfaceResult(i.mac, by_network.get(i.network), i.mtu or 1500,
                                [EndpointResult(a) for a in parsed.addresses.get(i.mac, [])])
                for i in parsed.interfaces], host=host.label)
        finally:
            with self.lock:
                self.busy.discard(spec.id)

    @staticmethod
    def _forwarded_interfaces(parsed) -> list:
        """The loopback-forwarded NIC as the machine's first interface: 127.0.0.1 and the port."""
        nic = parsed.forwarded_nic
        if nic is None:
            return []
        return [InterfaceResult(nic.mac, None, 1500, [
            EndpointResult(nic.host_address, origin="STATIC", port=port)
            for port, guest in nic.forwards if guest == forwarding.SSH_PORT])]

    def _create_machine(self, spec: MachineSpec, progress: Progress):
        if self.forwarder is None:
            return self._create_on_host(spec, progress, None)
        with self.forwarder.nic(self.hosts) as nic:
            return self._create_on_host(spec, progress, nic)

    def _create_on_host(self, spec: MachineSpec, progress: Progress, nic):
        user_data = machines.decode_user_data(spec.user_data)
        candidates, has_image, unreachable = [], False, []
        # Hosts known to be down are not asked (a dead host may take long to refuse), unless
        # all are: the monitor may lag behind a host that came back.
        reachable = [h for h in self.hosts if self.monitor.reachable(h)] or self.hosts
        unreachable = [h for h in self.hosts if h not in reachable]
        for host in reachable:
            try:
                if spec.image_location and self._image_volume(host, spec.image_location) is None:
                    continue
                has_image = True
                if all(host.lookup_volume(self.names.volume(key_of(v))) is not None
                       for v, _ in spec.volumes):
                    candidates.append(host)
            except (HostError, libvirt.libvirtError) as exc:
                log.warning("libvirt host %s unavailable: %s", host.label, exc)
                unreachable.append(host)
        if spec.image_location and not has_image and not unreachable:
            raise HostError("the machine image has no base volume in the pool; register it again")
        if not candidates and unreachable:
            raise HostError("no reachable libvirt host has every image and volume this machine "
                            f"needs (unreachable: {', '.join(h.label for h in unreachable)})")
        # Choosing and reserving are one step: concurrent creates see each other's choice
        # before any of their domains exists (else they all pick the same emptiest host).
        with self.placement_lock:
            host = self._place(candidates,
                               spec.memory_kib if spec.initial_state == "STARTED" else 0)
            host.reserve(spec.memory_kib, spec.cpu)
        try:
            return self._create_on(host, spec, user_data, progress, nic)
        finally:
            host.reserve(-spec.memory_kib, -spec.cpu)

    def _create_on(self, host: Host, spec: MachineSpec, user_data, progress, nic):
        progress(20, f"creating disks on {host.label}")
        plan = {
            "key": key_of(spec.id), "resource_id": spec.id, "name": spec.name,
            "vcpus": spec.cpu, "memory_kib": spec.memory_kib,
            "disks": [d.capacity_kb * KB for d in spec.disks],
            "image": self._image_volume(host, spec.image_location) if spec.image_location else None,
            "copy": self.disk_mode == "copy", "user_data": user_data,
            "volumes": [(host.lookup_volume(self.names.volume(key_of(v))), loc)
                        for v, loc in spec.volumes],
            # An interface template without a network gets no NIC: nothing to connect it to.
            "interfaces": [(self.names.network(key_of(i.network_id)), i.mtu)
                           for i in spec.interfaces if i.network_id],
            "start": spec.initial_state == "STARTED",
            "ovf_environment": spec.ovf_environment,
            "forwarded_nic": nic,
            "seed": self._seed(spec, nic),
        }
        for net_name, _ in plan["interfaces"]:
            if host.lookup_network(net_name) is None:
                raise HostError(f"network {net_name} does not exist on {host.label}")
        state, parsed = machines.create(host, plan)
        progress(90, f"machine {spec.name} {state.lower()}")
        dom = host.lookup_domain(self.names.domain(key_of(spec.id)))
        parsed.addresses = machines.interface_addresses(dom) if dom is not None else {}
        return state, parsed, host

    @staticmethod
    def _seed(spec: MachineSpec, nic):
        """The NoCloud seed: a cloud image's cloud-init takes its SSH key and host name from it.

        Only a credential's userName and SSH key go in (never its password hash). None when
        there is nothing to say (no user data, credential or forwarded NIC), and for a machine
        imported from OVF: its ovf-env.xml is what cloud-init's OVF datasource reads, and a
        NoCloud seed would take precedence over it.
        """
        credential = spec.credential or {}
        if spec.ovf_environment is not None or not (spec.user_data or credential or nic):
            return None
        return userdata.Seed(instance_id=key_of(spec.id), hostname=spec.name,
                             user_name=credential.get("userName"),
                             ssh_key=userdata.ssh_public_key(credential.get("key")),
                             dhcp_mac=nic.mac if nic is not None else None)

    async def machine_action(self, machine_id, name, action, *, force, current_state, progress):
        with self.lock:
            self.busy.add(machine_id)
        try:
            progress(10, f"{action} machine {name}" + (" (forced)" if force else ""))
            self.failures.check(action, name)
            return await self._run(lambda: machines.action(
                self._host_of("Machine", machine_id), key_of(machine_id), action, force,
                self.stop_timeout))
        finally:
            with self.lock:
                self.busy.discard(machine_id)

    # -- migrate (provider-defined action) -----------------------------------------------------
    def migration_target(self, machine_id, host):
        labels = [h.label for h in self.hosts]
        if len(self.hosts) < 2:
            raise MigrationRefused("only one libvirt host is configured: there is nowhere to "
                                   "migrate to")
        current = self.known["Machine"].get(machine_id)
        if current is None:
            raise MigrationRefused(f"the host of {machine_id} is not known")
        if not self.monitor.reachable(current):
            raise MigrationRefused(f"the machine's host {current.label} is down")
        if host is None:
            if not any(self.monitor.reachable(h) for h in self.hosts if h is not current):
                raise MigrationRefused("no other libvirt host is reachable")
            return None
        if host not in labels:
            raise MigrationRefused(f"unknown host {host!r} (hosts: {', '.join(labels)})",
                                   bad_request=True)
        if host == current.label:
            raise MigrationRefused(f"the machine is already on {host}")
        if not self.monitor.reachable(self.hosts[labels.index(host)]):
            raise MigrationRefused(f"host {host} is down")
        return host

    async def migrate_machine(self, machine_id, target, progress, name=""):
        with self.lock:
            self.busy.add(machine_id)
        try:
            progress(5, f"migrating {machine_id}")
            self.failures.check("migrate", name or key_of(machine_id))
            host, note = await self._run(self._migrate, machine_id, target, progress,
                                         name or key_of(machine_id))
            with self.lock:
                self.known["Machine"][machine_id] = host
            return host.label, note
        finally:
            with self.lock:
                self.busy.discard(machine_id)

    def _migrate(self, machine_id, target, progress, name):
        source = self._host_of("Machine", machine_id)
        key = key_of(machine_id)
        dom = source.lookup_domain(self.names.domain(key))
        if dom is None:
            raise HostError(f"domain {self.names.domain(key)} does not exist on {source.label}")
        running = bool(dom.isActive())
        memory_kib, vcpus = dom.info()[1], dom.info()[3]
        with self.placement_lock:
            if target is None:
                others = [h for h in self.hosts if h is not source]
                host = self._place(others, memory_kib if running else 0)
            else:
                host = next(h for h in self.hosts if h.label == target)
                if running and host.free_memory_kib() < memory_kib:
                    raise HostError(f"{host.label} has not {memory_kib} KiB of memory free")
            host.reserve(memory_kib, vcpus)
        try:
            started = time.monotonic()
            downtime = migrate.migrate(
                source, host, key, self.migration_uris[host.label], progress,
                # Injected failures of "migrate-copied" strike after the copy: the undo path.
                lambda: self.failures.check("migrate-copied", name))
            log.info("machine %s moved from %s to %s in %.1f s%s", machine_id, source.label,
                     host.label, time.monotonic() - started, downtime)
            self.reconciler.drop_unused_images(source)
            return host, downtime
        finally:
            host.reserve(-memory_kib, -vcpus)

    async def machine_stats(self, machine_id):
        """The running domain's counters (virConnectGetAllDomainStats), off the event loop."""
        def read():
            host = self._host_of("Machine", machine_id)
            dom = host.lookup_domain(self.names.domain(key_of(machine_id)))
            return stats.domain_stats(host.conn, dom) if dom is not None else None
        try:
            return await asyncio.to_thread(read)
        except (HostError, libvirt.libvirtError):
            return None  # gone or stopped since: no sample this time

    async def delete_machine(self, machine_id, progress):
        with self.lock:
            self.busy.add(machine_id)
        try:
            progress(10, f"deleting machine {machine_id}")
            await self._run(self._delete_machine, machine_id)
        finally:
            with self.lock:
                self.busy.discard(machine_id)
                self.known["Machine"].pop(machine_id, None)

    def _delete_machine(self, machine_id):
        hosts = [self.known["Machine"].get(machine_id)] if self.known["Machine"].get(machine_id) \
            else self.hosts
        for host in hosts:
            machines.delete(host, key_of(machine_id))
            self.reconciler.drop_unused_images(host)

    async def capture_machine(self, machine_id, image_id, progress):
        with self.lock:
            self.busy.add(machine_id)
        try:
            progress(10, f"capturing {machine_id}")

            def capture():
                host = self._host_of("Machine", machine_id)
                vol = machines.capture(host, key_of(machine_id), self.names.image(key_of(image_id)))
                return host, "file://" + vol.path()
            host, location = await self._run(capture)
            with self.lock:
                self.known["MachineImage"][image_id] = host
                self.image_locations[image_id] = location
            return location
        finally:
            with self.lock:
                self.busy.discard(machine_id)

    async def attach_volume(self, machine_id, volume_id, location, progress):
        def attach():
            host = self._host_of("Machine", machine_id)
            vol = host.lookup_volume(self.names.volume(key_of(volume_id)))
            if vol is None:
                raise HostError(f"volume {volume_id} is not on the machine's host {host.label}")
            return machines.attach(host, key_of(machine_id), vol, location)
        progress(10, f"attaching {volume_id}")
        await self._run(attach)

    async def detach_volume(self, machine_id, volume_id, progress):
        def detach():
            host = self._host_of("Machine", machine_id)
            vol = host.lookup_volume(self.names.volume(key_of(volume_id)))
            if vol is not None:
                machines.detach(host, key_of(machine_id), vol)
        progress(10, f"detaching {volume_id}")
        await self._run(detach)

    # -- volumes ------------------------------------------------------------------------------
    async def create_volume(self, spec: VolumeSpec, progress: Progress) -> VolumeResult:
        self.failures.check("create", spec.name, spec.properties)
        def create():
            host = self._place(list(self.hosts))
            name = self.names.volume(key_of(spec.id))
            storage.delete_named(host, name)  # leftover of an interrupted attempt
            if spec.image_location:
                with self._open_source(spec.image_location) as source:
                    vol = storage.import_file(host, name, source, qemuimg.inspect(
                        source.fd, source.location))
            else:
                fmt = "raw" if (spec.format or "").lower() == "raw" else "qcow2"
                vol = storage.create_blank(host, name, spec.capacity_kb * KB, fmt)
            return host, storage.volume_info(vol)
        progress(10, f"creating volume {spec.name}")
        host, info = await self._run(create)
        with self.lock:
            self.known["Volume"][spec.id] = host
        return VolumeResult("AVAILABLE", info["capacity"] // KB, bootable=bool(spec.image_location))

    async def delete_volume(self, volume_id, progress):
        def delete():
            for host in self.hosts:
                storage.delete_named(host, self.names.volume(key_of(volume_id)))
        progress(10, f"deleting volume {volume_id}")
        await self._run(delete)
        with self.lock:
            self.known["Volume"].pop(volume_id, None)

    # -- networks -----------------------------------------------------------------------------
    async def create_network(self, network_id, name, initial_state, progress, host_address=None):
        self.failures.check("create", name)
        def create():
            done = []
            try:
                for host in self.hosts:  # a CIMI network exists on every host
                    state = networks.create(host, key_of(network_id), initial_state == "STARTED",
                                            host_address)
                    done.append(host)
            except HostError:
                for host in done:
                    networks.delete(host, key_of(network_id))
                raise
            return state
        progress(10, f"creating network {name}")
        state = await self._run(create)
        with self.lock:
            self.known["Network"][network_id] = self.hosts[0]
        return state

    async def network_action(self, network_id, action, progress):
        def act():
            return [networks.action(h, key_of(network_id), action) for h in self.hosts][0]
        progress(10, f"{action} network {network_id}")
        return await self._run(act)

    async def delete_network(self, network_id, progress):
        def delete():
            for host in self.hosts:
                users = networks.users(host, key_of(network_id))
                if users:
                    raise HostError(f"the network is still used by {', '.join(users)}")
            for host in self.hosts:
                networks.delete(host, key_of(network_id))
        progress(10, f"deleting network {network_id}")
        await self._run(delete)
        with self.lock:
            self.known["Network"].pop(network_id, None)

    # -- OVF packages (System import) ---------------------------------------------------------
    def open_import(self, location: str):
        return self._open_source(location)

    async def import_ovf_disks(self, appliance, disks, progress):
        """Convert each disk straight out of the package into the pool with qemu-img (the OVF
        engine's ``diskplan``: limits, explicit formats, the manifest digest of the very bytes
        converted); all or nothing. The pool of a local libvirt host is written directly."""
        names = [self.names.volume(key_of(d.volume_id)) for d in disks]

        def convert():
            local = [h for h in self.hosts if h.local]
            if not local:
                raise HostError("OVF disks are converted into the pool of a local libvirt host; "
                                "this provider has none")
            host = self._place(local)
            directory = os.path.realpath(host.pool_path)
            for name in names:  # leftovers of an interrupted attempt with the same ids
                storage.delete_named(host, name)
            jobs = []
            for disk, name in zip(disks, names):
                disk.job.volume, disk.job.out_format = name, "qcow2"
                jobs.append(disk.job)
            try:
                diskplan.check_space(jobs, directory)
                diskplan.write_all_or_nothing(appliance, jobs, directory, appliance.manifest)
            except OvfError as exc:
                raise HostError(f"{exc.message} [{exc.code}]") from None
            try:
                pools.refresh(host.pool())
                infos = [storage.volume_info(host.pool().storageVolLookupByName(n))
                         for n in names]
            except BaseException:
                for name in names:
                    storage.delete_named(host, name)
                raise
            return host, infos

        progress(10, f"converting {len(disks)} OVF disk(s)")
        host, infos = await self._run(convert)
        with self.lock:
            for disk in disks:
                self.known["Volume"][disk.volume_id] = host
        return [VolumeResult("AVAILABLE", max(1, info["capacity"] // KB), bootable=True)
                for info in infos]

    async def export_disks(self, machine_id, capacities_kb, directory, progress):
        """Each disk of the stopped domain, its backing chain flattened, converted by qemu-img
        (under the shared limits) into a streamOptimized VMDK in ``directory``."""
        def export():
            host = self._host_of("Machine", machine_id)
            if not host.local:
                raise HostError("disks are exported from a local libvirt host only")
            dom = host.lookup_domain(self.names.domain(key_of(machine_id)))
            if dom is None:
                raise HostError(f"the libvirt domain of {machine_id} no longer exists")
            if dom.isActive():
                raise HostError(f"{machine_id} is running; stop it before an export")
            parsed = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            out = []
            for index, disk in enumerate(d for d in parsed.disks if d.device == "disk"):
                dest = os.path.join(directory, f"disk{index}.vmdk")
                fmt = disk.format if disk.format in ("qcow2", "raw") else "raw"
                try:
                    size = int(qemu_tool.info(["-f", fmt, "-U", disk.path])["virtual-size"])
                    qemu_tool.finish(qemu_tool.spawn(
                        ["convert", "-q", "-f", fmt, "-O", "vmdk", "-o",
                         "subformat=streamOptimized", disk.path, dest],
                        qemu_tool.CONVERT_LIMITS), f"exporting {disk.target}", "convert_failed")
                except OvfError as exc:
                    raise HostError(exc.message) from None
                out.append((dest, size))
            return out
        progress(10, f"exporting the disks of {machine_id}")
        return await self._run(export)

    # -- images -------------------------------------------------------------------------------
    async def register_image(self, image_id, location, progress):
        def register():
            name = self.names.image(key_of(image_id))
            done = []
            with self._open_source(location) as source:
                info = qemuimg.inspect(source.fd, location)  # refuse before touching any pool
                try:
                    for host in self.hosts:
                        storage.delete_named(host, name)
                        storage.import_file(host, name, source, info)
                        done.append(host)
                except BaseException:
                    for host in done:
                        storage.delete_named(host, name)
                    raise
        progress(10, f"importing {location}")
        await self._run(register)
        with self.lock:
            self.known["MachineImage"][image_id] = self.hosts[0]
            self.image_locations[image_id] = location
        return "AVAILABLE"

    async def delete_image(self, image_id, progress):
        with self.lock:
            self.known["MachineImage"].pop(image_id, None)
            self.image_locations.pop(image_id, None)

        def delete():
            for host in self.hosts:
                self.reconciler.drop_unused_images(host)
        await self._run(delete)
