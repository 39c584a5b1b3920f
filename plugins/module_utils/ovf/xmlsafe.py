# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hardened XML parsing: no DTDs, no entities, no network.

A document type declaration is refused outright before lxml sees the bytes
(``xml_declarations.py``), which covers XXE, billion laughs and quadratic
blow-up alike.
"""

from __future__ import annotations

import traceback
from xml.parsers import expat

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.xml_declarations import MESSAGES, dtd_declaration

LXML_IMPORT_ERROR = None
try:
    from lxml import etree
except ImportError:  # pragma: no cover - reported by the modules
    etree = None
    LXML_IMPORT_ERROR = traceback.format_exc()


def reject_dtd(data, what):
    """Raise DescriptorError when ``data`` declares a DOCTYPE or entity, or is not XML."""
    try:
        code = dtd_declaration(data)
    except (expat.ExpatError, ValueError) as exc:
        raise DescriptorError('%s is not well-formed XML: %s' % (what, exc), 'malformed_xml')
    if code is not None:
        raise DescriptorError('%s refused: %s' % (what, MESSAGES[code]), code)


def hardened_parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_pis=True)


def parse(data, what='XML document'):
    """Parse bytes into an lxml root element, refusing anything DTD-related."""
    if etree is None:
        raise DescriptorError('the lxml Python library is required', 'missing_lxml')
    reject_dtd(data, what)
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise DescriptorError('%s is not well-formed XML: %s' % (what, exc), 'malformed_xml')
    if root.getroottree().docinfo.doctype:
        raise DescriptorError('%s refused: a DOCTYPE declaration is not allowed' % what, 'doctype')
    return root


def local_name(element):
    tag = element.tag
    if not isinstance(tag, str):
        return None
    return tag.rsplit('}', 1)[-1]


def namespace(element):
    tag = element.tag
    if isinstance(tag, str) and tag.startswith('{'):
        return tag[1:].split('}', 1)[0]
    return None
