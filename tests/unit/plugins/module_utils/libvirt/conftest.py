# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, *(['..'] * 5)))
try:
    import ansible_collections.cloudmgmt.dmtf.plugins  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, '.collections'))
