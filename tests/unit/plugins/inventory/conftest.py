# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTIONS = os.path.abspath(os.path.join(HERE, *(['..'] * 4 + ['.collections'])))
sys.path.insert(0, HERE)


def _collection_finder_installed():
    return any(type(finder).__name__ == '_AnsibleCollectionFinder' for finder in sys.meta_path)


# The plugin tests load the plugin by its FQCN, which needs Ansible's collection finder. Under
# ansible-test it is installed already; with plain pytest from the worktree it is installed here,
# before anything imports ansible_collections (make setup links the checkout under .collections).
if not _collection_finder_installed():
    from ansible.plugins.loader import init_plugin_loader
    init_plugin_loader([COLLECTIONS])
