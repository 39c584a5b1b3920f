# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared implementation of the *_info modules: list or look up resources of one collection."""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import filters
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.module import CimiModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.paging import DEFAULT_PAGE_SIZE
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import expect_type

INFO_SPEC = {
    'id': {'type': 'str'},
    'name': {'type': 'str'},
    'filters': {'type': 'dict'},
    'expand': {'type': 'list', 'elements': 'str'},
    'page_size': {'type': 'int', 'default': DEFAULT_PAGE_SIZE},
}


class InfoModule(CimiModule):
    """Subclasses set kind (the result key defaults to its collection); may override decorate(resource)."""

    argument_spec = INFO_SPEC
    module_kwargs = {'mutually_exclusive': [('id', 'name'), ('id', 'filters')]}
    kind = None
    result_key = None
    default_expand = ()  # what decorate() needs, read with the page instead of item by item

    def run(self):
        p = self.params
        if p['page_size'] < 1:
            raise CimiError('page_size must be at least 1, not %d' % p['page_size'])
        wanted = list(self.default_expand) + [e for e in p['expand'] or [] if e not in self.default_expand]
        expand = ','.join(wanted) if wanted else None
        if p['id']:
            href = self.client.resolve(p['id'])
            found = expect_type(self.client.get_optional(href, {'$expand': expand} if expand else None),
                                self.kind.type_name, href, self.kind.label)
            items = [found] if found else []
        else:
            mapping = dict(p['filters'] or {})
            if p['name']:
                mapping['name'] = p['name']
            expr = filters.from_mapping(mapping) if mapping else None
            items = self.client.list(self.kind.collection, filter_expr=expr, expand=expand, page_size=p['page_size'])
            if p['name']:
                items = [i for i in items if i.get('name') == p['name']]
        return {'changed': False, self.result_key or self.kind.collection: [self.decorate(i) for i in items]}

    def decorate(self, resource):
        return resource
