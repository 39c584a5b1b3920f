# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DSP0004 programmatic units for capacities and memory (``byte * 2^30``, ``MegaBytes``)."""

from __future__ import annotations

import re

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError

_NAMED = {
    'byte': 1, 'bytes': 1,
    'kilobyte': 1 << 10, 'kilobytes': 1 << 10, 'kb': 1 << 10, 'kib': 1 << 10,
    'megabyte': 1 << 20, 'megabytes': 1 << 20, 'mb': 1 << 20, 'mib': 1 << 20,
    'gigabyte': 1 << 30, 'gigabytes': 1 << 30, 'gb': 1 << 30, 'gib': 1 << 30,
    'terabyte': 1 << 40, 'terabytes': 1 << 40, 'tb': 1 << 40, 'tib': 1 << 40,
}
_FACTOR = re.compile(r'^(\d+)(?:\s*\^\s*(\d+))?$')


def unit_multiplier(units, default='byte'):
    """Bytes per unit for a programmatic unit string; raise DescriptorError when unknown."""
    text = (units or default).strip()
    named = _NAMED.get(text.lower().replace(' ', ''))
    if named:
        return named
    parts = [p.strip() for p in text.split('*')]
    if parts[0].lower() not in ('byte', 'bytes'):
        raise DescriptorError('unsupported allocation unit %r' % text, 'bad_units')
    multiplier = 1
    for part in parts[1:]:
        match = _FACTOR.match(part)
        if not match:
            raise DescriptorError('unsupported allocation unit %r' % text, 'bad_units')
        base, exponent = int(match.group(1)), match.group(2)
        if exponent is not None:
            if int(exponent) > 80:
                raise DescriptorError('allocation unit %r is out of range' % text, 'bad_units')
            multiplier *= base ** int(exponent)
        else:
            multiplier *= base
    return multiplier


def to_bytes(value, units, what):
    try:
        number = int(str(value).strip())
    except ValueError:
        raise DescriptorError('%s %r is not an integer' % (what, value), 'bad_number')
    if number < 0:
        raise DescriptorError('%s is negative' % what, 'bad_number')
    return number * unit_multiplier(units)
