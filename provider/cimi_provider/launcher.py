"""The ``cimi-provider`` command's entry point: checks the provider's one dependency that pip
cannot install, the cloudmgmt.dmtf collection, before the application is loaded.

The provider imports the collection's ``plugins/module_utils`` (CADF audit, libvirt helpers, the
XML declaration guard) as the package ``ansible_collections.cloudmgmt.dmtf``. ``make setup``
links this checkout into the virtualenv's site-packages; the ``cimi_provider`` role copies the
libraries into the provider's virtualenv. Without it the command says so in one line.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys

COLLECTION = "ansible_collections.cloudmgmt.dmtf.plugins.module_utils"


def collection_installed() -> bool:
    try:
        return importlib.util.find_spec(COLLECTION) is not None
    except ImportError:
        return False


def main(argv=None) -> int:
    if not collection_installed():
        print("cimi-provider: the cloudmgmt.dmtf collection is not installed in this Python "
              f"environment ({sys.prefix}): install it into site-packages "
              "(ansible-galaxy collection install -p <site-packages> cloudmgmt.dmtf) or name its "
              "collections directory in PYTHONPATH", file=sys.stderr)
        return 2
    return importlib.import_module("cimi_provider.cli").main(argv)


if __name__ == "__main__":
    sys.exit(main())
