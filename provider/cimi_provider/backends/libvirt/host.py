"""One libvirt host: its connection, the domain type qemu can really use there, and its pool."""
from __future__ import annotations

import logging
import os
import re
import threading
from urllib.parse import urlsplit

import libvirt
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import kvm, pools

from .names import Names
from .xmldefs import pool_xml

log = logging.getLogger(__name__)


class HostError(Exception):
    """A host-level failure; the message is safe to show a consumer."""


CLOSE_REASONS = {
    libvirt.VIR_CONNECT_CLOSE_REASON_ERROR: "connection error",
    libvirt.VIR_CONNECT_CLOSE_REASON_EOF: "the daemon closed the connection",
    libvirt.VIR_CONNECT_CLOSE_REASON_KEEPALIVE: "keepalive timeout",
}

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


_LABELLED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,62})=(.+)$")


def split_label(value: str) -> tuple:
    """``LABEL=URI`` or a bare URI -> (label, uri). A bare URI is labelled by its host name,
    else by the URI without user and query (which may hold key file paths)."""
    match = _LABELLED.match(value)
    if match:
        return match.group(1), match.group(2)
    parts = urlsplit(value)
    return parts.hostname or f"{parts.scheme}://{parts.path}", value


class Host:
    def __init__(self, uri: str, names: Names, pool_path: str, domain_type: str = "auto"):
        self.label, uri = split_label(uri)
        self.uri = uri
        self.names = names
        self.pool_path = pool_path
        self.requested_type = domain_type
        self.domain_type = None  # decided on connect
        self._conn: libvirt.virConnect | None = None
        self._lock = threading.Lock()
        self.on_event = None  # callable(host, domain name, event, detail)
        self.on_close = None  # callable(host, reason): the connection broke (daemon gone?)
        self.reserved = (0, 0)  # memory KiB, vCPUs of machines placed here, not yet defined
        self._reserve_lock = threading.Lock()  # not _lock: a slow connect must not hold it
        self._callback_ids: list = []
        self._pool_lock = threading.Lock()
        self._pool: libvirt.virStoragePool | None = None
        self._pool_conn: libvirt.virConnect | None = None

    @property
    def local(self) -> bool:
        """This machine's own system daemon: its pool directory is ours to write directly. A
        daemon behind an explicit socket may see another filesystem (another namespace, say)."""
        parts = urlsplit(self.uri)
        return not parts.netloc and "socket=" not in parts.query

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
        if self.on_close is not None:
            # The first sign of a dead daemon, long before any keepalive or request notices.
            conn.registerCloseCallback(self._closed, None)
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

    def _closed(self, _conn, reason, _opaque):
        try:
            self.on_close(self, CLOSE_REASONS.get(reason, "connection closed"))
        except Exception:  # never kill the libvirt event loop
            log.exception("libvirt close callback failed")

    def check(self) -> None:
        """Raise HostError unless the daemon answers now (reconnects when the link broke)."""
        try:
            self.conn.getLibVersion()
        except libvirt.libvirtError as exc:
            raise HostError(f"{self.label}: {exc.get_error_message() or exc}") from None

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.unregisterCloseCallback()
            except libvirt.libvirtError:
                pass
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
        """The placement score (lower = emptier): the larger of committed memory over the
        host's memory and committed vCPUs over its CPUs. Committed: every running domain
        (whoever owns it) and this provider's stopped ones, which claim their share when started.
        """
        conn = self.conn
        _model, memory_mib, cpus = conn.getInfo()[:3]
        memory_kib, vcpus = self.reserved
        for dom in conn.listAllDomains(0):
            try:
                if dom.isActive() or self.names.owns(dom.name()):
                    info = dom.info()  # state, max memory KiB, memory, vCPUs, CPU time
                    memory_kib, vcpus = memory_kib + info[1], vcpus + info[3]
            except libvirt.libvirtError:
                pass  # it went away since the listing: it commits nothing now
        return max(memory_kib / max(1, memory_mib * 1024), vcpus / max(1, cpus))

    def reserve(self, memory_kib: int, vcpus: int) -> None:
        """Count (or, negative, stop counting) a machine being created here in ``load``."""
        with self._reserve_lock:
            self.reserved = (self.reserved[0] + memory_kib, self.reserved[1] + vcpus)

    def free_memory_kib(self) -> int:
        """Memory the host has free right now (what a new running guest can still get)."""
        return self.conn.getFreeMemory() // 1024

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
