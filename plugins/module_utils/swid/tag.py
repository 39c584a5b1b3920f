# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A software identity for an OVF appliance: an ISO/IEC 19770-2:2015 SWID tag.

No maintained Python library writes SWID tags (PyPI has none that fits), so this is a small
writer of the subset an appliance needs, following ISO/IEC 19770-2:2015 and NIST IR 8060:

- ``SoftwareIdentity`` with ``name`` and ``version`` from the (first) ProductSection
  (``Product``/``FullVersion`` or ``Version``; ``versionScheme`` ``unknown``, since OVF says
  nothing about the scheme) and a ``tagId`` derived from the appliance's digest, so the same
  package always gets the same identity and any change to it a new one;
- ``Entity`` elements: the vendor as ``softwareCreator`` (``regid`` from ``VendorUrl`` or
  ``ProductUrl``, else ISO's ``http://invalid.unavailable``) and the tag's creator
  (``tagCreator``, the party that wrote the tag: this collection);
- ``Meta`` with the OVF product class, instance and product URL;
- ``Payload`` listing the package's files with their size and SHA-256 (the manifest's digest,
  NIST IR 8060's ``http://www.w3.org/2001/04/xmlenc#sha256`` hash attribute).
"""

from __future__ import annotations

import uuid

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.xmlsafe import etree

SWID_NS = 'http://standards.iso.org/iso/19770/-2/2015/schema.xsd'
SHA256_NS = 'http://www.w3.org/2001/04/xmlenc#sha256'
UNAVAILABLE_REGID = 'http://invalid.unavailable'
TAG_CREATOR = ('cloudmgmt.dmtf', 'https://galaxy.ansible.com/cloudmgmt/dmtf')
# A fixed namespace for the tagIds of OVF appliances (uuid5 of the appliance digest).
TAG_ID_NAMESPACE = uuid.UUID('6b0a9f3e-5c1d-5e8a-9c57-0d3f4e2a7b11')


def _regid(url):
    """``regid`` of an Entity: the authority of a URL (ISO/IEC 19770-2 6.1.4), or unavailable."""
    if not url or '://' not in url:
        return UNAVAILABLE_REGID
    authority = url.split('://', 1)[1].split('/', 1)[0].split('@')[-1].split(':')[0].lower()
    return authority or UNAVAILABLE_REGID


def identity(product, digest, files=(), name=None):
    """The identity of an appliance as a dict of strings.

    ``product``: an OVF ProductSection as ``Product.as_dict()`` gives it (keys ``product``,
    ``vendor``, ``version``, ``full_version``, ``product_url``, ``vendor_url``, ``class``,
    ``instance``); ``digest``: the appliance's SHA-256 identity (descriptor + manifest + index);
    ``files``: ``(name, size, sha256 hex or None)`` of the package's files; ``name``: used
    when the ProductSection names no product.
    """
    product = product or {}
    title = product.get('product') or name or 'unnamed appliance'
    version = product.get('full_version') or product.get('version') or '0'
    vendor = product.get('vendor') or ''
    out = {
        'tagId': str(uuid.uuid5(TAG_ID_NAMESPACE, digest)),
        'name': title,
        'version': version,
        'versionScheme': 'unknown',
        'softwareCreator': vendor,
        'softwareCreatorRegid': _regid(product.get('vendor_url') or product.get('product_url')),
        'tagCreator': TAG_CREATOR[0],
        'applianceDigest': 'sha256:' + digest,
    }
    out['swidTag'] = to_xml(out, product, files).decode('utf-8')
    return out


def to_xml(ident, product=None, files=()):
    """The SWID tag (UTF-8 bytes) of an ``identity`` dict."""
    product = product or {}
    root = etree.Element('{%s}SoftwareIdentity' % SWID_NS, nsmap={None: SWID_NS})
    root.set('name', ident['name'])
    root.set('tagId', ident['tagId'])
    root.set('version', ident['version'])
    root.set('versionScheme', ident['versionScheme'])
    root.set('tagVersion', '0')
    if ident.get('softwareCreator'):
        creator = etree.SubElement(root, '{%s}Entity' % SWID_NS)
        creator.set('name', ident['softwareCreator'])
        creator.set('regid', ident['softwareCreatorRegid'])
        creator.set('role', 'softwareCreator')
    tagger = etree.SubElement(root, '{%s}Entity' % SWID_NS)
    tagger.set('name', TAG_CREATOR[0])
    tagger.set('regid', _regid(TAG_CREATOR[1]))
    tagger.set('role', 'tagCreator')
    meta = etree.SubElement(root, '{%s}Meta' % SWID_NS)
    meta.set('product', ident['name'])
    for attr, key in (('colloquialVersion', 'version'), ('edition', 'class'),
                      ('revision', 'instance')):
        if product.get(key):
            meta.set(attr, product[key])
    if product.get('product_url'):
        link = etree.SubElement(root, '{%s}Link' % SWID_NS)
        link.set('href', product['product_url'])
        link.set('rel', 'see-also')
    if files:
        payload = etree.SubElement(root, '{%s}Payload' % SWID_NS)
        for fname, size, sha256 in files:
            element = etree.SubElement(payload, '{%s}File' % SWID_NS,
                                       nsmap={'SHA256': SHA256_NS})
            element.set('name', fname)
            element.set('size', str(size))
            if sha256:
                element.set('{%s}hash' % SHA256_NS, sha256)
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8', pretty_print=True)


def for_appliance(appliance):
    """The identity of an opened ``ovf.appliance.Appliance`` (its ProductSection + manifest)."""
    manifest = appliance.manifest.manifest
    entries = manifest.entries if manifest is not None else {}
    files = []
    for member in appliance.package.index():
        entry = entries.get(member['name'])
        sha256 = entry[1] if entry and entry[0] == 'sha256' else None
        files.append((member['name'], member['size'], sha256))
    product = appliance.product()
    if not product and appliance.envelope.systems:
        first = appliance.envelope.systems[0]
        product = first.products[0].as_dict() if first.products else {}
    root = appliance.envelope.root
    return identity(product, appliance.digest, files, root.name or root.id if root else None)
