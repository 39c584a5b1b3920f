# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVF descriptor -> model: files, disks, networks, systems, hardware, products, EULAs.

OVF 0.9 (VMware), 1.x and 2.x envelopes are read, including VirtualBox's
``...Data.xsd`` CIM namespace variants: elements are matched by local name
within the envelope namespace, and 0.9's ``xsi:type`` sections by type name.

This is the entry point (:func:`parse_envelope`); the work is done in reader.py (the
namespace-tolerant reader), sections.py (one parser per section), content.py (systems and
collections) and model.py (what they produce). The names callers import from here stay
importable from here.
"""

from __future__ import annotations

import re

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.content import check_references, parse_content
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.model import (
    Collection, Disk, Envelope, FileRef, HardwareSection, Product, VirtualSystem,
    disk_capacity_bytes)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.reader import (
    ADVISORY_SECTIONS, ENVELOPE_NAMESPACES, KNOWN_SECTIONS, VBOX, VMW, XSI, Reader)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.sections import (
    STARTUP_ACTIONS, parse_references)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.xmlsafe import local_name

# What callers import from here, wherever it is defined now (moved code is imported back).
__all__ = [
    'ADVISORY_SECTIONS', 'ENVELOPE_NAMESPACES', 'KNOWN_SECTIONS', 'STARTUP_ACTIONS', 'VBOX', 'VMW',
    'XSI', 'Collection', 'Disk', 'Envelope', 'FileRef', 'HardwareSection', 'Product',
    'VirtualSystem', 'disk_capacity_bytes', 'parse_envelope',
]

_DECLARED_ENCODING = re.compile(br'^<\?xml[^>]*?encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\']')
_UTF16_BOMS = (b'\xff\xfe', b'\xfe\xff')


def _declared_encoding_fix(data, env):
    """Citrix XenCenter declares ``encoding="utf-16"`` on UTF-8 bytes: read them as UTF-8."""
    match = _DECLARED_ENCODING.match(data)
    if not match or data.startswith(_UTF16_BOMS):
        return data
    declared = match.group(1).decode('ascii').lower()
    if not declared.startswith(('utf-16', 'utf16', 'ucs-2', 'ucs2')):
        return data
    try:
        data.decode('utf-8')
    except UnicodeDecodeError:
        raise DescriptorError('the descriptor declares encoding %r, but its bytes are neither '
                              'UTF-16 (no byte order mark) nor UTF-8' % declared, 'bad_encoding')
    env.warnings.append('the descriptor declares encoding %r but is UTF-8 (a XenCenter export); '
                        'read as UTF-8' % declared)
    return data[:match.start(1)] + b'UTF-8' + data[match.end(1):]


def parse_envelope(data):
    """Parse descriptor bytes into an :class:`Envelope`."""
    warnings = Envelope(None, None)
    data = _declared_encoding_fix(data, warnings)
    root = xmlsafe.parse(data, 'the OVF descriptor')
    reader = Reader(root)
    if local_name(root) != 'Envelope':
        raise DescriptorError('the descriptor root is <%s>, not <Envelope>' % local_name(root),
                              'not_an_envelope')
    if reader.version is None:
        raise DescriptorError('unknown OVF envelope namespace %r (supported: OVF 0.9, 1.x, 2.x)'
                              % reader.ns, 'unknown_version')
    env = Envelope(reader.version, reader.ns)
    env.warnings.extend(warnings.warnings)
    reader.env = env
    if reader.unqualified:
        reader.warn('the descriptor\'s elements carry no namespace (a 2008-era VMware export); '
                    'read as OVF %s' % reader.version)
    parse_references(reader, root, env)
    parse_content(reader, root, env)
    check_references(env)
    return env
