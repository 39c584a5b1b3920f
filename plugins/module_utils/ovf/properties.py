# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ProductSection properties: types, qualifiers, and the values a deployment gives them."""

from __future__ import annotations

import re

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import PropertyValueError

INT_RANGES = {
    'uint8': (0, 2 ** 8 - 1), 'sint8': (-2 ** 7, 2 ** 7 - 1),
    'uint16': (0, 2 ** 16 - 1), 'sint16': (-2 ** 15, 2 ** 15 - 1),
    'uint32': (0, 2 ** 32 - 1), 'sint32': (-2 ** 31, 2 ** 31 - 1),
    'uint64': (0, 2 ** 64 - 1), 'sint64': (-2 ** 63, 2 ** 63 - 1),
}
_SIMPLE_QUALIFIER = re.compile(r'(MinLen|MaxLen|MinValue|MaxValue)\s*\(\s*(-?[0-9.]+)\s*\)')


class Property:
    """One ``<Property>`` of a ProductSection."""

    def __init__(self, key, type_name, default='', qualifiers='', user_configurable=False,
                 password=False, label=None, description=None, klass=None, instance=None,
                 config_defaults=None):
        self.key = key
        self.type = type_name
        self.default = default
        self.qualifiers = qualifiers or ''
        self.user_configurable = user_configurable
        self.password = password
        self.label = label
        self.description = description
        self.klass = klass
        self.instance = instance
        self.config_defaults = config_defaults or {}
        self.category = None  # the ProductSection <Category> it is listed under

    @property
    def env_key(self):
        """The key the guest sees in ovf-env.xml: ``class.key.instance`` when set."""
        key = self.key
        if self.klass:
            key = '%s.%s' % (self.klass, key)
        if self.instance:
            key = '%s.%s' % (key, self.instance)
        return key

    def default_for(self, configuration):
        return self.config_defaults.get(configuration, self.default)

    def as_dict(self, configuration=None):
        default = self.default_for(configuration)
        return {
            'key': self.env_key,
            'type': self.type,
            'qualifiers': self.qualifiers,
            'default': None if self.password else default,
            'user_configurable': self.user_configurable,
            'password': self.password,
            'label': self.label,
            'description': self.description,
            'constraints': parse_qualifiers(self.qualifiers),
            'category': self.category,
        }


def _value_map(text):
    """Split a ``ValueMap{"a", "b\\"c"}`` body, honouring backslash escapes."""
    values, current, quoted, escaped, seen = [], [], False, False, False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == '\\':
            escaped = True
        elif char == '"':
            quoted = not quoted
            seen = True
        elif char == ',' and not quoted:
            values.append(''.join(current).strip() if not seen else ''.join(current))
            current, seen = [], False
        elif quoted or not char.isspace():
            current.append(char)
    if current or seen:
        values.append(''.join(current))
    return values


def parse_qualifiers(text):
    """``MinLen(1),MaxLen(6) ValueMap{...}`` -> dict of constraints."""
    result = {}
    if not text:
        return result
    start = text.find('ValueMap{')
    if start >= 0:
        depth_end = start + len('ValueMap{')
        quoted, escaped, end = False, False, None
        for index in range(depth_end, len(text)):
            char = text[index]
            if escaped:
                escaped = False
            elif char == '\\':
                escaped = True
            elif char == '"':
                quoted = not quoted
            elif char == '}' and not quoted:
                end = index
                break
        if end is not None:
            result['value_map'] = _value_map(text[depth_end:end])
            text = text[:start] + text[end + 1:]
    for name, number in _SIMPLE_QUALIFIER.findall(text):
        key = {'MinLen': 'min_len', 'MaxLen': 'max_len',
               'MinValue': 'min_value', 'MaxValue': 'max_value'}[name]
        result[key] = float(number) if '.' in number else int(number)
    return result


def _bool_text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    text = str(value).strip().lower()
    if text in ('true', 'yes', '1', 'on'):
        return 'true'
    if text in ('false', 'no', '0', 'off'):
        return 'false'
    return None


def normalise_value(prop, value):
    """Check ``value`` against the property's type and qualifiers; return its text form.

    Messages never include the value of a password property.
    """
    shown = '(hidden)' if prop.password else repr(value)
    what = 'property %s value %s' % (prop.env_key, shown)
    type_name = (prop.type or 'string').strip()
    constraints = parse_qualifiers(prop.qualifiers)
    if type_name == 'boolean':
        text = _bool_text(value)
        if text is None:
            raise PropertyValueError('%s is not a boolean' % what, 'bad_property_type')
        return text
    if type_name in INT_RANGES:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise PropertyValueError('%s is not an integer' % what, 'bad_property_type')
        low, high = INT_RANGES[type_name]
        if not low <= number <= high:
            raise PropertyValueError('%s is out of range for %s' % (what, type_name),
                                     'bad_property_range')
        _check_range(number, constraints, what)
        return str(number)
    if type_name in ('real32', 'real64'):
        try:
            number = float(str(value).strip())
        except ValueError:
            raise PropertyValueError('%s is not a number' % what, 'bad_property_type')
        _check_range(number, constraints, what)
        return str(value).strip()
    text = value if isinstance(value, str) else str(value)
    if 'min_len' in constraints and len(text) < constraints['min_len']:
        raise PropertyValueError('%s is shorter than %d characters' % (what, constraints['min_len']),
                                 'bad_property_length')
    if 'max_len' in constraints and len(text) > constraints['max_len']:
        raise PropertyValueError('%s is longer than %d characters' % (what, constraints['max_len']),
                                 'bad_property_length')
    if 'value_map' in constraints and text not in constraints['value_map']:
        raise PropertyValueError('%s is not one of the allowed values' % what, 'bad_property_choice')
    return text


def _check_range(number, constraints, what):
    if 'min_value' in constraints and number < constraints['min_value']:
        raise PropertyValueError('%s is below %s' % (what, constraints['min_value']),
                                 'bad_property_range')
    if 'max_value' in constraints and number > constraints['max_value']:
        raise PropertyValueError('%s is above %s' % (what, constraints['max_value']),
                                 'bad_property_range')


def resolve_values(properties, given, configuration, allow_hidden=False):
    """Merge user values over defaults. Returns an ordered list of (Property, text)."""
    given = dict(given or {})
    by_key = {}
    for prop in properties:
        by_key.setdefault(prop.env_key, prop)
        by_key.setdefault(prop.key, prop)
    unknown = sorted(k for k in given if k not in by_key)
    if unknown:
        raise PropertyValueError('unknown properties: %s (known: %s)'
                                 % (', '.join(unknown), ', '.join(sorted(p.env_key for p in properties))),
                                 'unknown_property')
    chosen = {}
    for key, value in given.items():
        prop = by_key[key]
        if not prop.user_configurable and not allow_hidden:
            raise PropertyValueError('property %s is not user-configurable' % prop.env_key,
                                     'not_configurable')
        chosen[id(prop)] = normalise_value(prop, value)
    result = []
    for prop in properties:
        if id(prop) in chosen:
            result.append((prop, chosen[id(prop)]))
        else:
            result.append((prop, prop.default_for(configuration)))
    return result
