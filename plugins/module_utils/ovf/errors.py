# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors raised while reading or deploying an OVF package.

Every error carries a short machine-readable ``code`` so callers (and tests)
can tell refusals apart without matching message text.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class OvfError(Exception):
    """Base class: a clear, secret-free message plus a stable code."""

    code = 'ovf_error'

    def __init__(self, message, code=None):
        super(OvfError, self).__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self):
        return '%s [%s]' % (self.message, self.code)


class PackageError(OvfError):
    """The OVA container or the files beside an .ovf are unsafe or broken."""

    code = 'package'


class DescriptorError(OvfError):
    """The .ovf descriptor is unsafe, malformed or uses something unsupported."""

    code = 'descriptor'


class ManifestError(OvfError):
    """The manifest is missing, malformed or does not match."""

    code = 'manifest'


class CertificateError(OvfError):
    """The certificate or its signature over the manifest is not acceptable."""

    code = 'certificate'


class DiskImageError(OvfError):
    """A disk image failed a safety check or could not be converted."""

    code = 'disk'


class PropertyValueError(OvfError):
    """A property value does not fit its declared type or qualifiers."""

    code = 'property'


class DeployError(OvfError):
    """The deployment request cannot be carried out on this host."""

    code = 'deploy'
