# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure CIMI query engine (DSP0263 4.1.6): no HTTP, no I/O.

Interface used by the HTTP app::

    QueryError(ValueError)            message safe for a client (HTTP 400)
    compile_filter(text) -> predicate(resource: dict) -> bool
    QueryParams(filters, select, expand, orderby, first, last, format)   frozen dataclass
    parse_query(params: Mapping[str, Sequence[str]]) -> QueryParams
        pass e.g. ``{k: request.query_params.getlist(k) for k in request.query_params}``;
        a plain str value is taken as one value.
    apply_collection_query(items, q) -> (count_after_filter, page)
        filter -> $orderby -> $first/$last; ``$last=0`` gives an empty page.
    select_attributes(resource, select) -> dict     resourceURI and id always kept
    select_collection(doc, items_key, select) -> dict   $select on a Collection document
    expand_paths(expand) -> {'interfaces': {'endpoints'}, 'machineConfig': set()} / {'*': set()}
    sort_items(items, orderby) -> list               the $orderby step alone

Semantics and the choices made where the spec is silent are documented in
``filter.py`` (grammar, quoting, dates) and ``params.py`` (parameters).
"""
from .filter import MAX_DEPTH, MAX_FILTER_LENGTH, QueryError, compile_filter
from .params import (
    QueryParams,
    apply_collection_query,
    expand_paths,
    parse_query,
    select_attributes,
    select_collection,
    sort_items,
)

__all__ = [
    "MAX_DEPTH", "MAX_FILTER_LENGTH", "QueryError", "QueryParams", "apply_collection_query",
    "compile_filter", "expand_paths", "parse_query", "select_attributes", "select_collection",
    "sort_items",
]
