# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIMI ``$`` query parameters (DSP0263 4.1.6) other than the filter grammar itself."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from .filter import QueryError, compile_filter
from .values import is_integer, nfkd, parse_datetime

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*/[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]{1,18}")
ALWAYS_SELECTED = ("resourceURI", "id")
MAX_ORDERBY_KEYS = 16


@dataclass(frozen=True)
class QueryParams:
    """Parsed ``$`` parameters of one request.

    * ``filters``: compiled ``$filter`` predicates, all of which must hold.
    * ``select``: ``None`` = no ``$select`` (everything); else names, ``'*'`` meaning all,
      and ``'coll/attr'`` path entries (QueryPathNotation).
    * ``expand``: ``None`` = no ``$expand``; ``frozenset({'*'})`` = all (also for an empty
      ``$expand=``); else names and ``'attr/sub'`` paths (see ``expand_paths``).
    * ``orderby``: ``((attr, descending), ...)`` in priority order.
    * ``first``/``last``: 1-based inclusive bounds or ``None``.
    * ``format``: the first ``$format`` value lower-cased (``'json'``, ``'xml'``, or anything
      else for ``negotiate`` to refuse), or ``None``.
    """

    filters: tuple[Callable[[dict], bool], ...] = ()
    select: frozenset[str] | None = None
    expand: frozenset[str] | None = None
    orderby: tuple[tuple[str, bool], ...] = ()
    first: int | None = None
    last: int | None = None
    format: str | None = None


def _values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    return [str(item) for item in raw]


def _name_list(values: Iterable[str]) -> list[str]:
    names = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part:
                names.append(part)
    return names


def _select_names(values: list[str]) -> frozenset[str]:
    # Names that are neither identifiers, paths nor '*' cannot match any attribute:
    # the spec says erroneous names are ignored, so they are dropped.
    return frozenset(name for name in _name_list(values)
                     if name == "*" or _IDENT.fullmatch(name) or _PATH.fullmatch(name))


def _ordinal(name: str, values: list[str]) -> int | None:
    if not values:
        return None
    text = values[0].strip()  # later repeats are ignored, as for $format
    if not _DIGITS.fullmatch(text):
        raise QueryError(f"{name} must be a non-negative integer")
    return int(text)


def _orderby(values: list[str]) -> tuple[tuple[str, bool], ...]:
    keys = []
    for item in _name_list(values):
        attr, _, direction = item.partition(":")
        attr, direction = attr.strip(), direction.strip().lower()
        if not _IDENT.fullmatch(attr):
            raise QueryError(f"$orderby: {attr[:40]!r} is not an attribute name")
        if direction not in ("", "asc", "desc"):
            raise QueryError(f"$orderby: direction must be 'asc' or 'desc', not {direction[:20]!r}")
        keys.append((attr, direction == "desc"))
    if len(keys) > MAX_ORDERBY_KEYS:
        raise QueryError(f"$orderby accepts at most {MAX_ORDERBY_KEYS} attributes")
    return tuple(keys)


def parse_query(params: Mapping[str, Sequence[str]]) -> QueryParams:
    """Parse multi-valued query parameters (e.g. ``{k: qp.getlist(k)}``).

    Repeated ``$filter`` are ANDed, repeated ``$select``/``$expand`` merged; the first
    ``$first``/``$last``/``$format`` wins. Unknown parameters are ignored (4.1.6).
    Raises ``QueryError`` for a bad filter, ordinal or ``$orderby``.
    """
    filters = tuple(compile_filter(text) for text in _values(params, "$filter") if text.strip())
    select = None
    if "$select" in params:
        select = _select_names(_values(params, "$select"))
    expand = None
    if "$expand" in params:
        expand = _select_names(_values(params, "$expand")) or frozenset({"*"})
    formats = _values(params, "$format")
    return QueryParams(
        filters=filters,
        select=select,
        expand=expand,
        orderby=_orderby(_values(params, "$orderby")),
        first=_ordinal("$first", _values(params, "$first")),
        last=_ordinal("$last", _values(params, "$last")),
        format=formats[0].strip().lower() if formats else None,
    )


# ---------------------------------------------------------------- sorting

def _sort_key(value: object) -> tuple | None:
    """Typed sort key; ranks keep different types apart. None means 'lacks it'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return (0, int(value))
    if is_integer(value) or isinstance(value, float):
        return (1, value)
    if isinstance(value, str):
        instant = parse_datetime(value, allow_date_only=False)
        if instant is not None:
            return (2, instant)
        return (3, nfkd(value))
    return (4, 0)


def sort_items(items: Sequence[dict], orderby: Sequence[tuple[str, bool]]) -> list[dict]:
    """Stable multi-key sort; items lacking an attribute go last in either direction."""
    result = list(items)
    for attr, descending in reversed(tuple(orderby)):
        keyed = [(_sort_key(item.get(attr)), item) for item in result]
        present = [pair for pair in keyed if pair[0] is not None]
        missing = [pair[1] for pair in keyed if pair[0] is None]
        present.sort(key=lambda pair: pair[0], reverse=descending)
        result = [pair[1] for pair in present] + missing
    return result


def apply_collection_query(items: Sequence[dict], q: QueryParams) -> tuple[int, list[dict]]:
    """Filter, then order, then cut ``$first``..``$last``. Returns (count after filter, page)."""
    matched = [item for item in items if all(pred(item) for pred in q.filters)]
    count = len(matched)
    if q.orderby:
        matched = sort_items(matched, q.orderby)
    first = max(q.first if q.first is not None else 1, 1)
    last = q.last if q.last is not None else count
    if last < first:
        return count, []
    return count, matched[first - 1:last]


# ---------------------------------------------------------------- $select / $expand

def _split(names: Iterable[str]) -> tuple[set[str], dict[str, set[str]]]:
    top: set[str] = set()
    paths: dict[str, set[str]] = {}
    for name in names:
        head, sep, tail = name.partition("/")
        if sep:
            paths.setdefault(head, set()).add(tail)
        else:
            top.add(name)
    return top, paths


def _select_inner(value: object, names: set[str]) -> object:
    if isinstance(value, list):
        return [_select_inner(item, names) for item in value]
    if isinstance(value, dict):
        keep = {"href"} | set(ALWAYS_SELECTED) | names
        return {key: val for key, val in value.items() if key in keep}
    return value


def select_attributes(resource: dict, select: frozenset[str] | None) -> dict:
    """Subset a resource per ``$select`` (4.1.6.3), keeping spec attribute order.

    ``None`` or ``'*'`` keeps everything. ``resourceURI`` and ``id`` are always kept.
    A path ``a/b`` keeps ``a`` reduced to ``b`` (plus href/resourceURI/id) inside it,
    applied to each element when ``a`` is a list (QueryPathNotation).
    """
    if select is None or "*" in select:
        return dict(resource)
    top, paths = _split(select)
    out = {}
    for key, value in resource.items():
        if key in ALWAYS_SELECTED or key in top:
            out[key] = value
        elif key in paths:
            out[key] = _select_inner(value, paths[key])
    return out


def expand_paths(expand: Iterable[str] | None) -> dict[str, set[str]]:
    """Map ``$expand`` names to what to expand one level further down.

    ``{'machineConfig', 'interfaces/endpoints'}`` -> ``{'machineConfig': set(),
    'interfaces': {'endpoints'}}``; ``'*'`` -> ``{'*': set()}``; ``None`` -> ``{}``.
    Only one level of path notation is meaningful; deeper paths keep their remainder
    (``'a/b/c'`` -> ``{'a': {'b/c'}}``) for the caller to ignore or recurse on.
    """
    if expand is None:
        return {}
    result: dict[str, set[str]] = {}
    for name in expand:
        head, sep, tail = name.partition("/")
        entry = result.setdefault(head, set())
        if sep and tail:
            entry.add(tail)
    return result


COLLECTION_ATTRIBUTES = frozenset({"resourceURI", "id", "updated", "parent", "count", "operations"})


def select_collection(doc: dict, items_key: str, select: frozenset[str] | None) -> dict:
    """``$select`` on a Collection document (4.1.6.3).

    Names of Collection attributes (id, updated, parent, count, operations, the items
    key) subset the Collection; any other name subsets each item instead; ``items/x``
    paths subset the items too. ``resourceURI`` and ``id`` always stay, on both levels.
    """
    if select is None or "*" in select:
        return dict(doc)
    top, paths = _split(select)
    item_names = {name for name in top if name not in COLLECTION_ATTRIBUTES and name != items_key}
    item_names |= paths.get(items_key, set())
    keep = (top & COLLECTION_ATTRIBUTES) | set(ALWAYS_SELECTED)
    out = {}
    for key, value in doc.items():
        if key == items_key:
            if item_names:
                out[key] = [select_attributes(item, frozenset(item_names)) for item in value]
            elif items_key in top:
                out[key] = value
        elif key in keep:
            out[key] = value
    return out
