"""Backends: the infrastructure behind the CIMI model (see ``base.py`` for the interface)."""
from __future__ import annotations

from .base import Backend, BackendError


def create_backend(name: str, **options) -> Backend:
    """Instantiate the backend called ``name`` (``memory``; ``libvirt`` when installed)."""
    if name == "memory":
        from .memory import FailureInjector, MemoryBackend
        failures = FailureInjector(options.get("fail_patterns", ()), options.get("fail_rate", 0.0),
                                   options.get("fail_operations") or ("create", "start"),
                                   options.get("fail_seed", 0))
        return MemoryBackend(options.get("latency", 0.0), failures)
    if name == "libvirt":
        try:
            from .libvirt import LibvirtBackend  # written against base.Backend
        except ImportError as exc:
            raise BackendError(f"the libvirt backend is not available: {exc}") from None
        return LibvirtBackend(**options)
    raise BackendError(f"unknown backend {name!r} (known: memory, libvirt)")


__all__ = ["Backend", "BackendError", "create_backend"]
