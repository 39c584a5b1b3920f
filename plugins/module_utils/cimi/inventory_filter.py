# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client-side evaluation of a CIMI ``$filter`` (DSP0263 4.1.6.1) for the inventory plugin.

Used when a provider does not advertise the FilterParameter capability (it would silently
ignore ``$filter``), and to re-check what a provider returned. Semantics follow the spec and
the reference provider: ``and`` binds tighter than ``or``; strings and booleans allow only
``=``/``!=``; a comparison on a missing attribute, or one holding another type, is false (also
for ``!=``); ``property['k']`` compares a value of the ``properties`` map. Strings are quoted
with ``'`` or ``"``; a doubled quote or a backslash escapes the next character.
"""

from __future__ import annotations

import datetime
import operator
import re

MAX_FILTER_LENGTH = 4096
MAX_DEPTH = 64

OPERATORS = {
    '<': operator.lt, '<=': operator.le, '=': operator.eq,
    '>=': operator.ge, '>': operator.gt, '!=': operator.ne,
}
FLIPPED = {'<': '>', '<=': '>=', '=': '=', '>=': '<=', '>': '<', '!=': '!='}
EQUALITY = frozenset(['=', '!='])
KEYWORDS = frozenset(['and', 'or', 'true', 'false'])

TOKEN_RE = re.compile(r'''
    (?P<space>\s+)
  | (?P<op><=|>=|!=|<|>|=)
  | (?P<punct>[()\[\]])
  | (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})?)?)
  | (?P<int>[0-9]+(?![A-Za-z_0-9]))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<quote>['"])
''', re.VERBOSE)


class FilterSyntaxError(ValueError):
    """The filter text is not a valid CIMI filter; the message says where."""


def parse_datetime(text):
    """An aware datetime from xs:dateTime or xs:date text, or None."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    if value.endswith('Z'):
        value = value[:-1] + '+00:00'
    try:
        if 'T' not in value:
            parsed = datetime.datetime.strptime(value, '%Y-%m-%d')
        else:
            # fromisoformat (3.8) takes at most 6 fractional digits.
            match = re.match(r'^(.*T[0-9:]+)(\.[0-9]+)?(.*)$', value)
            head, fraction, zone = match.groups() if match else (value, None, '')
            value = head + ((fraction[:7]).ljust(7, '0') if fraction else '') + zone
            parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def _tokens(text):
    tokens = []
    index, size = 0, len(text)
    while index < size:
        match = TOKEN_RE.match(text, index)
        if not match:
            raise FilterSyntaxError('unexpected character %r at position %d' % (text[index], index + 1))
        kind = match.lastgroup
        if kind == 'quote':
            value, index = _string(text, index)
            tokens.append(('string', value, index))
            continue
        index = match.end()
        if kind == 'space':
            continue
        word = match.group(kind)
        if kind == 'date':
            parsed = parse_datetime(word)
            if parsed is None:
                raise FilterSyntaxError('invalid dateTime %r at position %d' % (word, match.start() + 1))
            tokens.append(('date', parsed, match.start() + 1))
        elif kind == 'int':
            tokens.append(('int', int(word), match.start() + 1))
        else:
            tokens.append((kind if kind != 'punct' else word, word, match.start() + 1))
    tokens.append(('end', None, size + 1))
    return tokens


def _string(text, start):
    quote, index, chars = text[start], start + 1, []
    while index < len(text):
        char = text[index]
        if char == '\\' and index + 1 < len(text):
            chars.append(text[index + 1])
            index += 2
        elif char == quote:
            if text[index + 1:index + 2] == quote:
                chars.append(quote)
                index += 2
            else:
                return ''.join(chars), index + 1
        else:
            chars.append(char)
            index += 1
    raise FilterSyntaxError('unterminated string starting at position %d' % (start + 1))


def _attribute_predicate(attribute, op, kind, expected):
    compare = OPERATORS[op]
    if kind == 'int':
        def check(value):
            return isinstance(value, (int, float)) and not isinstance(value, bool) and compare(value, expected)
    elif kind == 'date':
        def check(value):
            parsed = parse_datetime(value)
            return parsed is not None and compare(parsed, expected)
    elif kind == 'bool':
        def check(value):
            return isinstance(value, bool) and compare(value, expected)
    else:
        def check(value):
            return isinstance(value, str) and compare(value, expected)
    return lambda resource: check(resource.get(attribute))


def _property_predicate(key, op, expected):
    compare = OPERATORS[op]

    def predicate(resource):
        props = resource.get('properties')
        value = props.get(key) if isinstance(props, dict) else None
        return isinstance(value, str) and compare(value, expected)
    return predicate


class _Parser:

    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.index]

    def take(self, kind=None, what=None):
        token = self.tokens[self.index]
        if kind is not None and token[0] != kind:
            raise FilterSyntaxError('expected %s at position %d' % (what or kind, token[2]))
        if token[0] != 'end':
            self.index += 1
        return token

    def is_word(self, word):
        token = self.peek()
        return token[0] == 'ident' and token[1] == word

    def parse(self):
        predicate = self.disjunction()
        token = self.peek()
        if token[0] != 'end':
            raise FilterSyntaxError("expected 'and', 'or' or the end at position %d" % token[2])
        return predicate

    def disjunction(self):
        parts = [self.conjunction()]
        while self.is_word('or'):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r, p=tuple(parts): any(x(r) for x in p))

    def conjunction(self):
        parts = [self.comparison()]
        while self.is_word('and'):
            self.take()
            parts.append(self.comparison())
        return parts[0] if len(parts) == 1 else (lambda r, p=tuple(parts): all(x(r) for x in p))

    def value(self):
        token = self.take()
        if token[0] in ('int', 'date', 'string'):
            return token[0], token[1]
        if token[0] == 'ident' and token[1] in ('true', 'false'):
            return 'bool', token[1] == 'true'
        raise FilterSyntaxError('expected a value at position %d' % token[2])

    def comparison(self):
        token = self.peek()
        if token[0] == '(':
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FilterSyntaxError('parentheses nested too deep at position %d' % token[2])
            self.take()
            inner = self.disjunction()
            self.take(')', "')'")
            self.depth -= 1
            return inner
        if token[0] == 'ident' and token[1] == 'property' and self.tokens[self.index + 1][0] == '[':
            self.take()
            self.take('[', "'['")
            key = self.take('string', 'a quoted property name')[1]
            self.take(']', "']'")
            op = self.take('op', 'an operator')[1]
            if op not in EQUALITY:
                raise FilterSyntaxError('property comparisons allow only = and != (position %d)' % token[2])
            return _property_predicate(key, op, self.take('string', 'a quoted string')[1])
        if token[0] == 'ident' and token[1] not in KEYWORDS:
            attribute = self.take()[1]
            op = self.take('op', 'an operator')[1]
            kind, expected = self.value()
        else:
            kind, expected = self.value()
            op = FLIPPED[self.take('op', 'an operator')[1]]
            name = self.take('ident', 'an attribute name')[1]
            if name in KEYWORDS:
                raise FilterSyntaxError('expected an attribute name at position %d' % token[2])
            attribute = name
        if kind in ('string', 'bool') and op not in EQUALITY:
            raise FilterSyntaxError('%s values allow only = and != (position %d)' % (kind, token[2]))
        return _attribute_predicate(attribute, op, kind, expected)


def compile_filter(text):
    """A predicate resource -> bool for a CIMI filter; FilterSyntaxError if malformed."""
    if not isinstance(text, str) or not text.strip():
        return lambda resource: True
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError('the filter is longer than %d characters' % MAX_FILTER_LENGTH)
    return _Parser(_tokens(text)).parse()
