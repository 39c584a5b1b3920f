"""libvirt/KVM backend of the reference CIMI provider (see ``backend.py``).

``add_arguments``/``options_from_args`` need no libvirt bindings, so the command line works (and
reports a clear error on use) where libvirt-python is not installed; ``LibvirtBackend`` is
imported on first use.
"""
from __future__ import annotations

from .options import add_arguments, options_from_args

__all__ = ["LibvirtBackend", "add_arguments", "options_from_args"]


def __getattr__(name):
    if name == "LibvirtBackend":
        from .backend import LibvirtBackend
        return LibvirtBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
