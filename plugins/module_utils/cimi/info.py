# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared implementation of the *_info modules: list or look up resources of one collection."""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import filters
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.module import CimiModule

INFO_SPEC = {
    'id': {'type': 'str'},
    'name': {'type': 'str'},
    'filters': {'type': 'dict'},
    'expand': {'type': 'list', 'elements': 'str'},
}


class InfoModule(CimiModule):
    """Subclasses set kind (the result key defaults to its collection); may override decorate(resource)."""

    argument_spec = INFO_SPEC
    module_kwargs = {'mutually_exclusive': [('id', 'name'), ('id', 'filters')]}
    kind = None
    result_key = None

    def run(self):
        p = self.params
        expand = ','.join(p['expand']) if p['expand'] else None
        if p['id']:
            found = self.client.get_optional(self.client.resolve(p['id']), {'$expand': expand} if expand else None)
            items = [found] if found else []
        else:
            mapping = dict(p['filters'] or {})
            if p['name']:
                mapping['name'] = p['name']
            expr = filters.from_mapping(mapping) if mapping else None
            items = self.client.list(self.kind.collection, filter_expr=expr, expand=expand)
            if p['name']:
                items = [i for i in items if i.get('name') == p['name']]
        return {'changed': False, self.result_key or self.kind.collection: [self.decorate(i) for i in items]}

    def decorate(self, resource):
        return resource
