"""The libvirt event loop, run in a daemon thread (one per process, as libvirt requires).

It must be registered before the first connection is opened for that connection to deliver
domain lifecycle events.
"""
from __future__ import annotations

import logging
import threading

import libvirt

log = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None


def _run() -> None:
    while True:
        try:
            libvirt.virEventRunDefaultImpl()
        except libvirt.libvirtError as exc:  # keep the loop alive; a dead loop means stale states
            log.warning("libvirt event loop: %s", exc)


def ensure_event_loop() -> None:
    global _thread
    with _lock:
        if _thread is not None:
            return
        # libvirt prints every error to stderr by default; errors reach us as exceptions.
        libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
        libvirt.virEventRegisterDefaultImpl()
        _thread = threading.Thread(target=_run, name="libvirt-events", daemon=True)
        _thread.start()


# Lifecycle event -> CIMI machine state; a stopped domain's detail says why it stopped.
EVENT_STATES = {
    libvirt.VIR_DOMAIN_EVENT_STARTED: "STARTED",
    libvirt.VIR_DOMAIN_EVENT_RESUMED: "STARTED",
    libvirt.VIR_DOMAIN_EVENT_SUSPENDED: "PAUSED",
    libvirt.VIR_DOMAIN_EVENT_PMSUSPENDED: "SUSPENDED",
    libvirt.VIR_DOMAIN_EVENT_UNDEFINED: "UNDEFINED",
}
STOPPED_DETAIL_STATES = {
    libvirt.VIR_DOMAIN_EVENT_STOPPED_SAVED: "SUSPENDED",
    libvirt.VIR_DOMAIN_EVENT_STOPPED_CRASHED: "ERROR",
    libvirt.VIR_DOMAIN_EVENT_STOPPED_FAILED: "ERROR",
}


def lifecycle_state(event: int, detail: int) -> str | None:
    """The CIMI state a lifecycle event announces (None: not a state change worth reporting)."""
    if event == libvirt.VIR_DOMAIN_EVENT_STOPPED:
        return STOPPED_DETAIL_STATES.get(detail, "STOPPED")
    return EVENT_STATES.get(event)
