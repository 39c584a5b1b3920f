# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client-side $filter evaluator (used when the provider cannot filter)."""
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import filters
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.inventory_filter import (
    FilterSyntaxError, compile_filter)

WEB = {'name': 'web-1', 'state': 'STARTED', 'cpu': 4, 'created': '2024-03-01T10:00:00Z',
       'properties': {'role': 'web', 'tier': "it's"}, 'enabled': True}
DB = {'name': 'db-1', 'state': 'STOPPED', 'cpu': 2, 'created': '2023-12-31T23:59:59+01:00',
      'properties': {'role': 'db'}}


@pytest.mark.parametrize('text, matches', [
    ("state='STARTED'", ['web-1']),
    ('state="STOPPED"', ['db-1']),
    ("state!='STARTED'", ['db-1']),
    ('cpu>=4', ['web-1']),
    ('cpu<4', ['db-1']),
    ('2<cpu', ['web-1']),
    ("property['role']='db'", ['db-1']),
    ("property['tier']!='x'", ['web-1']),          # absent property: false, also for !=
    ("property['tier']='it''s'", ['web-1']),
    ("property['tier']='it\\'s'", ['web-1']),
    ("state='STARTED' or cpu=2 and name='db-1'", ['web-1', 'db-1']),
    ("(state='STARTED' or cpu=2) and name='db-1'", ['db-1']),
    ('created>2024-01-01T00:00:00Z', ['web-1']),
    ('created<2024-01-01', ['db-1']),
    ('enabled=true', ['web-1']),
    ("missing!='x'", []),
    ("cpu='4'", []),                                # a string never equals an integer
    ('', ['web-1', 'db-1']),
])
def test_filter_semantics(text, matches):
    predicate = compile_filter(text)
    assert [m['name'] for m in (WEB, DB) if predicate(m)] == matches


@pytest.mark.parametrize('text', [
    "state>'A'", "state=", "(state='A'", "state='A' and", "property[role]='x'", "cpu >= 'x' or",
    "name='unterminated", 'cpu=12ab', "and='x'", "state='A' state='B'", "@",
    '(' * 70 + 'cpu=1' + ')' * 70,
])
def test_bad_filters_are_refused_with_a_position(text):
    with pytest.raises(FilterSyntaxError):
        compile_filter(text)


def test_filters_built_by_the_shared_builder_evaluate_as_meant():
    text = filters.from_mapping({'property[role]': 'web', 'state': ['STARTED', 'STOPPED']})
    predicate = compile_filter(text)
    assert predicate(WEB) and not predicate(DB)
    tricky = {'name': "a'b\\c"}
    assert compile_filter(filters.eq('name', "a'b\\c"))(tricky)
