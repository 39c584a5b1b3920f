# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Install Ansible's collection finder before any test imports ansible_collections.

Some tests load plugins by FQCN, which needs the finder; once it is installed, a collection
package imported earlier through the plain namespace path lacks its metadata. Installing it here,
in the first conftest pytest reads, makes every import go through it (ansible-test installs it
itself). `make setup` links this checkout under .collections.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # helpers shared by the unit tests

COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '.collections'))

if not any(type(finder).__name__ == '_AnsibleCollectionFinder' for finder in sys.meta_path):
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader([COLLECTIONS])


import pytest  # noqa: E402

from fake_cimi import ALL_CAPS, FakeCimi  # noqa: E402


@pytest.fixture
def fake():
    """The fake provider over HTTP, supporting every query parameter."""
    with FakeCimi() as server:
        yield server


@pytest.fixture
def store():
    """The fake provider, ignoring $filter as a provider without FilterParameter does (tests
    then see that modules re-check what they asked for)."""
    with FakeCimi(capabilities=[c for c in ALL_CAPS if c != 'FilterParameter']) as server:
        yield server
