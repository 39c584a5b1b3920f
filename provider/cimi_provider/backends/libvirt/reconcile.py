"""Start-up reconciliation between the provider's database and what libvirt really holds.

``adopt`` reports the observed state of every resource the database knows; ``sweep`` then removes
the prefixed libvirt objects nobody knows (leftovers of a crash mid-creation). A resource whose
libvirt object disappeared behind the provider's back becomes ERROR, never silently forgotten.
"""
from __future__ import annotations

import logging
import threading

import libvirt

from . import machines, networks, storage
from .host import HostError, domain_state
from .xmldefs import parse_domain

log = logging.getLogger(__name__)


def _key(rid: str) -> str:
    return rid.rstrip("/").rsplit("/", 1)[-1]


class Reconciler:
    def __init__(self, backend):
        self.b = backend
        self.messages: dict = {}  # resource id -> why it is in ERROR (for the log and the core)
        self.swept = False
        self._sweep_lock = threading.Lock()

    @property
    def names(self):
        return self.b.names

    def locate(self, kind: str, rid: str):
        """The host holding the libvirt object of a resource, or None."""
        key = _key(rid)
        error = None
        for host in self.b.hosts:
            try:
                if self._holds(host, kind, key):
                    return host
            except (HostError, libvirt.libvirtError) as exc:
                error = error or exc  # another host may still hold it
        if error is not None:
            raise error  # not found, and a host could not be asked: unknown, not gone
        return None

    def _holds(self, host, kind: str, key: str) -> bool:
        if kind == "Machine":
            return host.lookup_domain(self.names.domain(key)) is not None
        if kind == "Volume":
            return host.lookup_volume(self.names.volume(key)) is not None
        if kind == "MachineImage":
            return host.lookup_volume(self.names.image(key)) is not None
        if kind == "Network":
            return host.lookup_network(self.names.network(key)) is not None
        return False

    def adopt(self, kind, rid, doc, state):
        if kind not in self.b.known:
            return state
        recorded = next((h for h in self.b.hosts if h.label == doc.get("host")), None)
        if recorded is not None and not self.b.monitor.reachable(recorded):
            # Its host is down at start-up: say so now; the monitor reconciles it on return.
            with self.b.lock:
                self.b.known[kind][rid] = recorded
            self.messages[rid] = (f"libvirt host {recorded.label} is unreachable: "
                                  f"{self.b.monitor.down[recorded]}")
            return "ERROR"
        try:
            host = self.locate(kind, rid)
        except (HostError, libvirt.libvirtError) as exc:
            log.warning("cannot reconcile %s with libvirt: %s", rid, exc)
            with self.b.lock:
                self.b.known[kind][rid] = None
            return state
        with self.b.lock:
            self.b.known[kind][rid] = host
            if kind == "MachineImage" and doc.get("imageLocation"):
                self.b.image_locations[rid] = doc["imageLocation"]
        if host is None:
            if state in ("ERROR", "FAILED", "CREATING", "DELETING") or (
                    kind == "MachineImage" and state != "AVAILABLE"):
                return state  # nothing was (or is any longer) expected in libvirt
            self.messages[rid] = f"its libvirt object was removed outside the provider (was {state})"
            log.warning("%s %s: %s", kind, rid, self.messages[rid])
            return "ERROR"
        if kind == "Machine":
            return domain_state(host.lookup_domain(self.names.domain(_key(rid))))
        if kind == "Network":
            return networks.state(host.lookup_network(self.names.network(_key(rid))))
        return "AVAILABLE" if state in ("AVAILABLE", "ERROR", None) else state

    def known_keys(self, kind: str) -> set:
        with self.b.lock:
            return {_key(r) for r in self.b.known[kind]}

    def sweep(self) -> None:
        """Remove this prefix's domains, networks and volumes that no resource owns.

        Runs once, after every known resource was adopted; operations wait for it to finish.
        """
        with self._sweep_lock:
            if not self.swept:
                self._sweep()
                self.swept = True

    def _sweep(self) -> None:
        machine_keys = self.known_keys("Machine")
        network_keys = self.known_keys("Network")
        for host in self.b.hosts:
            try:
                for dom in host.conn.listAllDomains(0):
                    key = self.names.domain_key(dom.name())
                    if key is not None and key not in machine_keys:
                        log.warning("removing orphan domain %s", dom.name())
                        machines.delete(host, key)
                for net in host.conn.listAllNetworks(0):
                    key = self.names.network_key(net.name())
                    if key is not None and key not in network_keys:
                        log.warning("removing orphan network %s", net.name())
                        networks.delete(host, key)
                self._sweep_volumes(host, machine_keys)
            except (HostError, libvirt.libvirtError) as exc:
                log.warning("orphan sweep on %s incomplete: %s", host.uri, exc)

    def _sweep_volumes(self, host, machine_keys) -> None:
        volume_keys = self.known_keys("Volume")
        in_use = self.paths_in_use(host)
        for vol in host.pool().listAllVolumes(0):
            owner = self.names.volume_owner(vol.name())
            if owner is None:
                continue
            kind, key = owner
            if kind == "Machine" and key not in machine_keys:
                log.warning("removing orphan disk %s", vol.name())
                storage.delete(vol)
            elif kind == "Volume" and key not in volume_keys and vol.path() not in in_use:
                log.warning("removing orphan volume %s", vol.name())
                storage.delete(vol)
        self.drop_unused_images(host)

    def paths_in_use(self, host) -> set:
        """Paths of every disk, and every backing file, used by this prefix's domains and disks."""
        used = set()
        for dom in host.conn.listAllDomains(0):
            if not self.names.owns(dom.name()):
                continue
            parsed = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            used.update(d.path for d in parsed.disks)
        for vol in host.pool().listAllVolumes(0):
            if self.names.owns(vol.name()):
                backing = storage.volume_info(vol)["backing"]
                if backing:
                    used.add(backing)
        return used

    def drop_unused_images(self, host) -> None:
        """Delete image base volumes whose MachineImage is gone once no disk is backed by them."""
        image_keys = self.known_keys("MachineImage")
        in_use = None
        for vol in host.pool().listAllVolumes(0):
            owner = self.names.volume_owner(vol.name())
            if owner is None or owner[0] != "MachineImage" or owner[1] in image_keys:
                continue
            if in_use is None:
                in_use = self.paths_in_use(host)
            if vol.path() not in in_use:
                log.info("removing image volume %s (its image was deleted)", vol.name())
                storage.delete(vol)
