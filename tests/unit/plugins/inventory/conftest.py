# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import ansible_collections.cloudmgmt.dmtf.plugins  # noqa: F401  (ansible-test layout)
except ImportError:
    # Plain pytest from the worktree: make setup links the checkout under .collections.
    sys.path.insert(0, os.path.join(HERE, *(['..'] * 4 + ['.collections'])))
