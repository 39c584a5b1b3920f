# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors of the libvirt helpers, and the base of the OVF errors (``ovf/errors.py``).

Every error carries a clear, secret-free message and a short machine-readable
``code``, so callers (and tests) tell refusals apart without matching text.
"""

from __future__ import annotations


class HelperError(Exception):
    """Base class: a clear, secret-free message plus a stable code."""

    code = 'error'

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def __str__(self):
        return '%s [%s]' % (self.message, self.code)


class ImageError(HelperError):
    """A disk image failed a safety check, or qemu-img could not run on it."""

    code = 'disk'
