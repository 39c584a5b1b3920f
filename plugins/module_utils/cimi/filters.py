# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build CIMI ``$filter`` expressions (DSP0263 4.1.6.1) without injection.

Values are always quoted by this module, never pasted: strings go in single quotes with ``\\``
and ``'`` backslash-escaped (the escaping of the StratusLab reference grammar; the spec's EBNF
only says ``'...'``). Attribute and property names are validated, not quoted. Because quoting
rules differ between providers, callers that match names re-check the results client-side.
"""

from __future__ import annotations

import datetime
import re

ATTRIBUTE_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
OPERATORS = frozenset(['=', '!=', '<', '<=', '>', '>='])
STRING_OPERATORS = frozenset(['=', '!='])


def quote(value):
    """A CIMI filter literal for a Python value."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        if value < 0:
            raise ValueError('CIMI filter integers are non-negative, got %r' % value)
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError('cannot use a %s in a CIMI filter' % type(value).__name__)
    escaped = value.replace('\\', '\\\\').replace("'", "\\'")
    return "'%s'" % escaped


def _attribute(name):
    if not isinstance(name, str) or not ATTRIBUTE_RE.match(name):
        raise ValueError('invalid CIMI attribute name for a filter: %r' % (name,))
    return name


def compare(attribute, value, op='='):
    """attribute <op> value; strings and booleans allow only = and !=."""
    if op not in OPERATORS:
        raise ValueError('invalid CIMI filter operator %r' % (op,))
    if isinstance(value, (str, bool)) and op not in STRING_OPERATORS:
        raise ValueError('operator %s is not allowed with a string or boolean value' % op)
    return '%s%s%s' % (_attribute(attribute), op, quote(value))


def eq(attribute, value):
    return compare(attribute, value, '=')


def ne(attribute, value):
    return compare(attribute, value, '!=')


def prop(key, value, op='='):
    """property['key']=value (PropExpr)."""
    if op not in STRING_OPERATORS:
        raise ValueError('property filters allow only = and !=')
    if not isinstance(key, str) or not isinstance(value, str):
        raise ValueError('property keys and values must be strings')
    return 'property[%s]%s%s' % (quote(key), op, quote(value))


def all_of(*expressions):
    parts = [e for e in expressions if e]
    if len(parts) == 1:
        return parts[0]
    return ' and '.join('(%s)' % e for e in parts)


def any_of(*expressions):
    parts = [e for e in expressions if e]
    if len(parts) == 1:
        return parts[0]
    return ' or '.join('(%s)' % e for e in parts)


def from_mapping(mapping):
    """AND of equalities from {'state': 'STARTED', 'property[role]': 'web'} (inventory style)."""
    clauses = []
    for key in sorted(mapping):
        value = mapping[key]
        match = re.match(r'^property\[(.+)\]$', key)
        values = value if isinstance(value, list) else [value]
        try:
            if match:
                clauses.append(any_of(*[prop(match.group(1), str(v)) for v in values]))
            else:
                clauses.append(any_of(*[eq(key, v) for v in values]))
        except ValueError as exc:  # name the filter: the bare reason does not say which one
            raise ValueError('filters[%r]: %s' % (key, exc))
    return all_of(*clauses)
