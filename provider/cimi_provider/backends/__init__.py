"""Backends: the infrastructure behind the CIMI model (see ``base.py`` for the interface)."""
from __future__ import annotations

from .base import Backend, BackendError
from .failures import injector_from_options


def create_backend(name: str, **options) -> Backend:
    """Instantiate the backend called ``name`` (``memory``; ``libvirt`` when installed)."""
    if name == "memory":
        from .memory import MemoryBackend
        return MemoryBackend(options.get("latency", 0.0), injector_from_options(options))
    if name == "libvirt":
        try:
            from .libvirt import LibvirtBackend  # written against base.Backend
        except ImportError as exc:
            raise BackendError(f"the libvirt backend is not available: {exc}") from None
        return LibvirtBackend(failures=injector_from_options(options), **options)
    raise BackendError(f"unknown backend {name!r} (known: memory, libvirt)")


__all__ = ["Backend", "BackendError", "create_backend"]
