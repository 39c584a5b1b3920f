# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Page through a CIMI collection with $first/$last (1-based, inclusive)."""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat

DEFAULT_PAGE_SIZE = 100


class CollectionPager:
    """Iterates over the items of a collection, page by page.

    After iterating, ``count`` is the provider's count (after filtering) and ``truncated`` is
    True when fewer items than ``count`` could be read (a provider capping its pages).
    """

    def __init__(self, get, url, items_key=None, filter_expr=None, select=None, expand=None,
                 orderby=None, page_size=DEFAULT_PAGE_SIZE, limit=None):
        self._get = get
        self.url = url
        self.items_key = items_key
        self.params = {}
        if filter_expr:
            self.params['$filter'] = filter_expr
        if select:
            self.params['$select'] = ','.join(select) if isinstance(select, (list, tuple)) else select
        if expand:
            self.params['$expand'] = ','.join(expand) if isinstance(expand, (list, tuple)) else expand
        if orderby:
            self.params['$orderby'] = orderby
        self.page_size = max(1, int(page_size))
        self.limit = limit
        self.count = None
        self.truncated = False
        self.pages = 0
        self.operations = None  # the collection's operations, from the first page

    def __iter__(self):
        first = 1
        seen_ids = set()
        delivered = 0
        while True:
            params = dict(self.params)
            params['$first'] = first
            params['$last'] = first + self.page_size - 1
            page = self._get(self.url, params) or {}
            self.pages += 1
            if self.operations is None and isinstance(page.get('operations'), list):
                self.operations = page['operations']
            items = compat.collection_items(page, self.items_key)
            if isinstance(page.get('count'), int):
                self.count = page['count']
            new = 0
            for item in items:
                item_id = item.get('id')
                if item_id is not None:
                    if item_id in seen_ids:
                        continue  # a provider ignoring $first repeats the first page
                    seen_ids.add(item_id)
                new += 1
                delivered += 1
                yield item
                if self.limit is not None and delivered >= self.limit:
                    return
            if self.count is None:
                # No count: stop on a short or repeated page.
                if new < self.page_size:
                    return
            elif delivered >= self.count:
                return
            if new == 0:
                # count says there is more, but nothing new arrives: truncated by the provider.
                self.truncated = self.count is not None and delivered < self.count
                return
            first += len(items)
