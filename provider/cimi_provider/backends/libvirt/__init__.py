"""libvirt/KVM backend of the reference CIMI provider (see ``backend.py``)."""
from __future__ import annotations

from .backend import LibvirtBackend
from .options import add_arguments, options_from_args

__all__ = ["LibvirtBackend", "add_arguments", "options_from_args"]
