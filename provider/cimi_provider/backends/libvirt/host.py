"""One libvirt host: its connection, the domain type qemu can really use there, and its pool."""
from __future__ import annotations

import logging
import os
import threading

import libvirt
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import kvm, pools

from .names import Names
from .xmldefs import pool_xml

log = logging.getLogger(__name__)


class HostError(Exception):
    """A host-level failure; the message is safe to show a consumer."""


DOMAIN_STATES = {
    libvirt.VIR_DOMAIN_RUNNING: "STARTED",
    libvirt.VIR_DOMAIN_BLOCKED: "STARTED",
    libvirt.VIR_DOMAIN_PAUSED: "PAUSED",
    libvirt.VIR_DOMAIN_PMSUSPENDED: "SUSPENDED",
    libvirt.VIR_DOMAIN_SHUTDOWN: "STOPPING",
    libvirt.VIR_DOMAIN_CRASHED: "ERROR",
}


def domain_state(dom: libvirt.virDomain) -> str:
    """The CIMI machine state of a libvirt domain; a shut-off domain with a managed save image
    is SUSPENDED."""
    state, _reason = dom.state()
    if state in DOMAIN_STATES:
        return DOMAIN_STATES[state]
    return "SUSPENDED" if dom.hasManagedSaveImage(0) else "STOPPED"


class Host:
    def __init__(self, uri: str, names: Names, pool_path: str, domain_type: str = "auto"):
        self.uri = uri
        self.names = names
        self.pool_path = pool_path
        self.requested_type = domain_type
        self.domain_type = None  # decided on connect
        self._conn: libvirt.virConnect | None = None
        self._lock = threading.Lock()
        self.on_event = None  # callable(host, domain name, event, detail)
        self._callback_ids: list = []
        self._pool_lock = threading.Lock()
        self._pool: libvirt.virStoragePool | None = None
        self._pool_conn: libvirt.virConnect | None = None

    # -- connection ---------------------------------------------------------------------------
    @property
    def conn(self) -> libvirt.virConnect:
        with self._lock:
            if self._conn is None or not self._alive():
                self._connect()
            return self._conn

    def _alive(self) -> bool:
        try:
            return self._conn.isAlive() == 1
        except libvirt.libvirtError:
            return False

    def _connect(self) -> None:
        try:
            conn = libvirt.open(self.uri)
        except libvirt.libvirtError as exc:
            raise HostError(f"cannot connect to {self.uri}: {exc.get_error_message()}") from None
        self._conn = conn
        if self.on_event is not None:
            self._callback_ids = [conn.domainEventRegisterAny(
                None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self._lifecycle, None)]
        if self.domain_type is None:
            self.domain_type = self._pick_domain_type(conn)
            log.info("libvirt host %s: domain type %s", self.uri, self.domain_type)

    def _lifecycle(self, _conn, dom, event, detail, _opaque):
        try:
            self.on_event(self, dom.name(), event, detail)
        except Exception:  # an event handler must never kill the event loop
            log.exception("libvirt lifecycle event handler failed")

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            for cid in self._callback_ids:
                try:
                    self._conn.domainEventDeregisterAny(cid)
                except libvirt.libvirtError:
                    pass
            try:
                self._conn.close()
            except libvirt.libvirtError:
                pass
            self._conn = None

    def _pick_domain_type(self, conn) -> str:
        """kvm when qemu can really use it here (the collection's shared probe), else qemu."""
        if self.requested_type in ("kvm", "qemu"):
            return self.requested_type
        return kvm.domain_type(conn, f"{self.names.prefix}kvm-probe-{os.getpid()}")

    # -- storage pool --------------------------------------------------------------------------
    def pool(self) -> libvirt.virStoragePool:
        """This provider's directory pool (``<prefix>pool`` at ``pool_path``), opened once.

        Found by name, never by scanning the host's pools, so other programs' pools (stale or
        not) are never read or touched. The handle is kept until the connection changes or the
        pool stops answering.
        """
        conn = self.conn
        with self._pool_lock:
            if self._pool is not None and self._pool_conn is conn:
                try:
                    if self._pool.isActive():
                        return self._pool
                except libvirt.libvirtError:
                    pass
            self._pool = _open_pool(conn, self.names.pool(), os.path.realpath(self.pool_path))
            self._pool_conn = conn
            return self._pool

    def load(self) -> float:
        """Committed memory of running domains relative to the host's memory (lower = emptier)."""
        conn = self.conn
        total_kib = max(1, conn.getInfo()[1] * 1024)
        used = 0
        for dom in conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE):
            try:
                used += dom.maxMemory()
            except libvirt.libvirtError:
                pass  # it stopped or went away since the listing: it uses no memory now
        return used / total_kib

    def lookup_domain(self, name: str):
        try:
            return self.conn.lookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise

    def lookup_network(self, name: str):
        try:
            return self.conn.networkLookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_NETWORK:
                return None
            raise

    def lookup_volume(self, name: str):
        try:
            return self.pool().storageVolLookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_VOL:
                return None
            raise


def _open_pool(conn: libvirt.virConnect, name: str, path: str) -> libvirt.virStoragePool:
    """Look up pool ``name``; (re)define it at ``path`` when missing or elsewhere; start it."""
    try:
        try:
            pool = conn.storagePoolLookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_POOL:
                raise
            pool = None
        if pool is not None:
            target = pools.target_path(pool)
            if os.path.realpath(target) != path:
                # Our own pool from a run with another --pool: move it (the old files stay).
                log.info("storage pool %s moves from %s to %s", name, target, path)
                if pool.isActive():
                    pool.destroy()
                pool.undefine()
                pool = None
        if pool is None:
            pool = conn.storagePoolDefineXML(pool_xml(name, path), 0)
        if not pool.isActive():
            pool.build(0)  # creates the directory when it is gone; harmless when it exists
            pool.create(0)
        return pool
    except libvirt.libvirtError as exc:
        raise HostError(f"cannot set up the storage pool {name} at {path}: "
                        f"{exc.get_error_message()}") from None
