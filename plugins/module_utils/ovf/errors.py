# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors raised while reading or deploying an OVF package.

Every error carries a short machine-readable ``code`` so callers (and tests)
can tell refusals apart without matching message text.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt.errors import HelperError, ImageError


# The OVF errors share their base with the libvirt helpers, so that a refusal of the shared
# qemu-img checks (an ImageError) is an OvfError, and a DiskImageError, to the OVF code.
OvfError = HelperError
DiskImageError = ImageError


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


class PropertyValueError(OvfError):
    """A property value does not fit its declared type or qualifiers."""

    code = 'property'


class DeployError(OvfError):
    """The deployment request cannot be carried out on this host."""

    code = 'deploy'
