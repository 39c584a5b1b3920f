"""The collection's libvirt helpers (``plugins/module_utils/libvirt``), shared with ``ovf_deploy``.

Domain XML, qemu-img under resource limits with its image checks, and the KVM probe exist once,
in the collection; this backend imports them like the audit imports the CADF library, so it needs
the collection installed (``..collection`` says where it is looked for).
"""
from __future__ import annotations

from ...collection import import_libraries

_libraries = import_libraries("libvirt", ("domain", "errors", "kvm", "qemuimg"))
domain = _libraries["domain"]
errors = _libraries["errors"]
kvm = _libraries["kvm"]
qemuimg = _libraries["qemuimg"]
