# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import filters


@pytest.mark.parametrize('value, expected', [
    ('web', "'web'"),
    ("o'neil", "'o\\'neil'"),
    ('a\\b', "'a\\\\b'"),
    ("x' or name!='", "'x\\' or name!=\\''"),
    (True, 'true'),
    (False, 'false'),
    (42, '42'),
])
def test_quote(value, expected):
    assert filters.quote(value) == expected


@pytest.mark.parametrize('bad', [None, 1.5, -1, ['a'], {'a': 1}])
def test_quote_rejects_what_cimi_cannot_express(bad):
    with pytest.raises(ValueError):
        filters.quote(bad)


def test_injection_stays_inside_one_literal():
    expr = filters.eq('name', "x' or '1'='1")
    assert expr == "name='x\\' or \\'1\\'=\\'1'"
    # Unescaped quotes only at the ends.
    body = expr[len("name='"):-1]
    assert all(body[i - 1] == '\\' for i, c in enumerate(body) if c == "'")


@pytest.mark.parametrize('attribute', ['na me', '1st', "name'", 'a/b', '', None])
def test_attribute_names_are_validated(attribute):
    with pytest.raises(ValueError):
        filters.eq(attribute, 'x')


def test_operators():
    assert filters.compare('cpu', 2, '>=') == 'cpu>=2'
    with pytest.raises(ValueError):
        filters.compare('name', 'a', '<')
    with pytest.raises(ValueError):
        filters.compare('cpu', 1, '==')


def test_property_and_combinations():
    assert filters.prop('role', 'web') == "property['role']='web'"
    assert filters.all_of(filters.eq('state', 'STARTED'), None, filters.prop('role', 'web')) == \
        "(state='STARTED') and (property['role']='web')"
    assert filters.any_of('a=1') == 'a=1'
    assert filters.from_mapping({'state': ['STARTED', 'STOPPED'], 'property[role]': 'web'}) == \
        "(property['role']='web') and ((state='STARTED') or (state='STOPPED'))"


@pytest.mark.parametrize('mapping, message', [
    ({'state': {'is': 'STARTED'}}, "filters['state']: cannot use a dict"),
    ({'cpu': -1}, "filters['cpu']: CIMI filter integers are non-negative"),
    ({'state; x': 'a'}, "filters['state; x']: invalid CIMI attribute name"),
])
def test_from_mapping_names_the_bad_filter(mapping, message):
    with pytest.raises(ValueError) as info:
        filters.from_mapping(mapping)
    assert str(info.value).startswith(message)
