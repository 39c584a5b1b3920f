# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage pool helpers shared by ``ovf_deploy`` and the provider's libvirt backend.

Both write volumes into a directory pool and then make libvirt see them; both read a pool's
target directory from libvirt's own XML (trusted output of the daemon, never user input).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

try:
    import libvirt
except ImportError:  # pragma: no cover - the callers report a missing libvirt-python
    libvirt = None

BUSY = 'asynchronous jobs'  # libvirt's words while another upload into the pool runs


def target_path(pool):
    """The directory a pool keeps its volumes in ('' when it names none)."""
    return ET.fromstring(pool.XMLDesc(0)).findtext('target/path') or ''


def pool_type(pool):
    return ET.fromstring(pool.XMLDesc(0)).get('type')


def refresh(pool, attempts=300, pause=0.1):
    """Refresh ``pool`` so libvirt lists volumes written beside it. libvirt refuses while another
    upload into the pool runs (concurrent imports or deployments), so wait for that one."""
    for attempt in range(attempts):
        try:
            pool.refresh(0)
            return
        except libvirt.libvirtError as exc:
            if BUSY not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(pause)
