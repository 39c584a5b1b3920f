"""The collection's shared libraries (``plugins/module_utils``), imported by the provider.

The provider reuses the collection's code rather than copying it (the CADF audit library, the
guarded ``qemu-img`` runner). The library is found as ``ansible_collections.cloudmgmt.dmtf`` on
``sys.path``, else under a collections path (``CIMI_PROVIDER_COLLECTIONS_PATH``,
``ANSIBLE_COLLECTIONS_PATH``, this source checkout's ``.collections``,
``~/.ansible/collections``, ``/usr/share/ansible/collections``).
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

MODULE_UTILS = "ansible_collections.cloudmgmt.dmtf.plugins.module_utils"


def collection_roots() -> list:
    roots = []
    for var in ("CIMI_PROVIDER_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
        roots.extend(p for p in os.environ.get(var, "").split(os.pathsep) if p)
    roots.append(str(Path(__file__).resolve().parents[2] / ".collections"))
    roots.extend([os.path.expanduser("~/.ansible/collections"), "/usr/share/ansible/collections"])
    return roots


def import_libraries(package: str, names) -> dict:
    """Import ``module_utils.<package>.<name>`` for each name; returns them by name.

    Raises ImportError when the collection is nowhere to be found.
    """
    dotted = f"{MODULE_UTILS}.{package}"
    try:
        return {n: importlib.import_module(f"{dotted}.{n}") for n in names}
    except ImportError:
        pass
    for root in collection_roots():
        if os.path.isdir(os.path.join(root, *dotted.split("."))):
            if root not in sys.path:
                sys.path.append(root)
            importlib.invalidate_caches()
            try:
                return {n: importlib.import_module(f"{dotted}.{n}") for n in names}
            except ImportError:
                continue
    raise ImportError(f"the cloudmgmt.dmtf collection ({dotted}) is not installed")
