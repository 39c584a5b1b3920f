# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OVF environment (DSP8027 ``ovf-env.xml``) and the ISO 9660 image that carries it.

Built with lxml (values are escaped by the serializer, never formatted into
strings) and pycdlib (pure Python), so no external ISO tool is needed.
"""

from __future__ import annotations

import io
import traceback

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import OvfError

PYCDLIB_IMPORT_ERROR = None
try:
    import pycdlib
except ImportError:  # pragma: no cover - reported by the module
    pycdlib = None
    PYCDLIB_IMPORT_ERROR = traceback.format_exc()

ENV_NS = 'http://schemas.dmtf.org/ovf/environment/1'
VOLUME_ID = 'OVF-TRANSPORT'
FILE_NAME = 'ovf-env.xml'


def qname(tag):
    return '{%s}%s' % (ENV_NS, tag)


def environment_xml(system_id, values, platform=None):
    """``values``: ordered (key, text) pairs. Returns UTF-8 bytes of ``ovf-env.xml``."""
    etree = xmlsafe.etree
    root = etree.Element(qname('Environment'), nsmap={None: ENV_NS, 'oe': ENV_NS})
    root.set(qname('id'), system_id or '')
    section = etree.SubElement(root, qname('PlatformSection'))
    for tag, text in (('Kind', 'KVM'), ('Version', None), ('Vendor', 'libvirt'),
                      ('Locale', 'en_US')):
        value = (platform or {}).get(tag, text)
        if value:
            etree.SubElement(section, qname(tag)).text = value
    props = etree.SubElement(root, qname('PropertySection'))
    for key, value in values:
        etree.SubElement(props, qname('Property'), {qname('key'): key, qname('value'): value})
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8', pretty_print=True)


def _iso(xml_bytes, write):
    if pycdlib is None:
        raise OvfError('the pycdlib Python library is required for the OVF environment ISO',
                       'missing_pycdlib')
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, joliet=3, rock_ridge='1.09', vol_ident=VOLUME_ID)
    iso.add_fp(io.BytesIO(xml_bytes), len(xml_bytes), '/OVF_ENV.XML;1', rr_name=FILE_NAME,
               joliet_path='/' + FILE_NAME)
    try:
        write(iso)
    finally:
        iso.close()


def write_iso(xml_bytes, dest):
    """Write an ISO 9660 image (Joliet + Rock Ridge) with ``ovf-env.xml`` in its root."""
    _iso(xml_bytes, lambda iso: iso.write(dest))


def iso_bytes(xml_bytes):
    """The ISO image of :func:`write_iso` as bytes (the provider uploads it through libvirt)."""
    out = io.BytesIO()
    _iso(xml_bytes, lambda iso: iso.write_fp(out))
    return out.getvalue()


def read_iso_environment(path):
    """Read ``ovf-env.xml`` back from an ISO (used by tests and idempotency checks)."""
    iso = pycdlib.PyCdlib()
    iso.open(path)
    try:
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path='/' + FILE_NAME)
        return out.getvalue()
    finally:
        iso.close()
