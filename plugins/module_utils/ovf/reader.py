# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The namespace-tolerant reader the descriptor parsers share.

OVF 0.9 (VMware), 1.x and 2.x envelopes differ in namespace, in whether attributes carry the
``ovf:`` prefix and, for 0.9, in naming sections by ``xsi:type``; :class:`Reader` hides that,
and decides what an element the parsers do not understand means (ignored, or refused).
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.xmlsafe import local_name

ENVELOPE_NAMESPACES = {
    'http://www.vmware.com/schema/ovf/1/envelope': '0.9',
    'http://schemas.dmtf.org/ovf/envelope/1': '1.x',
    'http://schemas.dmtf.org/ovf/envelope/2': '2.x',
}
XSI = 'http://www.w3.org/2001/XMLSchema-instance'
VMW = 'http://www.vmware.com/schema/ovf'
VBOX = 'http://www.virtualbox.org/ovf/machine'
# Sections that only advise: a bad value in them gives a warning, never a refusal.
ADVISORY_SECTIONS = frozenset(['OperatingSystemSection', 'AnnotationSection', 'InstallSection',
                               'StartupSection'])
KNOWN_SECTIONS = frozenset([
    'DiskSection', 'NetworkSection', 'DeploymentOptionSection', 'VirtualHardwareSection',
    'OperatingSystemSection', 'ProductSection', 'EulaSection', 'AnnotationSection',
    'InstallSection', 'StartupSection', 'ResourceAllocationSection', 'PropertySection',
    'EnvironmentFilesSection', 'BootDeviceSection', 'SharedDiskSection', 'ScaleOutSection',
    'PlacementGroupSection', 'PlacementSection', 'EncryptionSection', 'CompatibilitySection',
])


class Reader:
    def __init__(self, root, env=None):
        self.ns = xmlsafe.namespace(root)
        self.version = ENVELOPE_NAMESPACES.get(self.ns)
        self.env = env
        # 2008-era VMware exports: a prefixed ovf:Envelope whose children carry no prefix and no
        # default namespace, so they are in no namespace at all. Read them as the envelope's.
        self.unqualified = any(isinstance(c.tag, str) and xmlsafe.namespace(c) is None
                               and local_name(c) in ('References', 'VirtualSystem',
                                                     'VirtualSystemCollection', 'DiskSection')
                               for c in root)

    def warn(self, message):
        if self.env is not None and message not in self.env.warnings:
            self.env.warnings.append(message)

    def attr(self, element, name):
        for key in ('{%s}%s' % (self.ns, name), name):
            value = element.get(key)
            if value is not None:
                return value
        return None

    def kind(self, element):
        """Section kind: local name, or the ``xsi:type`` of a 0.9 ``Section``/``Content``."""
        name = local_name(element)
        if name in ('Section', 'Content'):
            xtype = element.get('{%s}type' % XSI)
            if xtype:
                return xtype.split(':')[-1].replace('_Type', '')
        return name

    def own(self, element):
        element_ns = xmlsafe.namespace(element)
        return element_ns == self.ns or (self.unqualified and element_ns is None)

    def children(self, element, kind):
        return [c for c in element if self.own(c) and self.kind(c) == kind]

    def child_text(self, element, name):
        for child in element:
            if local_name(child) == name and self.own(child):
                return (child.text or '').strip()
        return None

    def check_required(self, section, where):
        """Refuse what is not understood but marked (or, for OVF sections, defaulted) required."""
        kind = self.kind(section)
        if kind is None:
            return
        required = self.attr(section, 'required') if self.own(section) else section.get(
            '{%s}required' % self.ns)
        explicit = required is not None and required.strip().lower() == 'true'
        if self.own(section):
            if kind.endswith('Section') and kind not in KNOWN_SECTIONS:
                if (required or 'true').strip().lower() != 'false':
                    raise DescriptorError('%s has a required section %s that is not understood'
                                          % (where, kind), 'unsupported_required')
            elif explicit:
                raise DescriptorError('%s has a required element %s that is not understood'
                                      % (where, kind), 'unsupported_required')
            return
        if explicit or (required is not None and required.strip().lower() != 'false'
                        and kind.endswith('Section')):
            raise DescriptorError('%s has a required extension element %s (%s) that is not '
                                  'understood' % (where, kind, xmlsafe.namespace(section)),
                                  'unsupported_required')

    def advisory_int(self, element, name, what):
        """An integer of an advisory section: a bad value is a warning and None, never a refusal."""
        value = self.attr(element, name)
        if value in (None, ''):
            return None
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if number is None or number < 0:
            self.warn('%s %s=%r is not a non-negative integer; ignored (advisory)'
                      % (what, name, value))
            return None
        return number

    def int_attr(self, element, name, what):
        """An integer attribute that must be valid: a bad or negative value is refused."""
        value = self.attr(element, name)
        if value in (None, ''):
            return None
        try:
            number = int(value)
        except ValueError:
            raise DescriptorError('%s %s=%r is not an integer' % (what, name, value), 'bad_number')
        if number < 0:
            raise DescriptorError('%s %s is negative' % (what, name), 'bad_number')
        return number
