# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CIMI 2.0 serialization: JSON and XML in spec element order, strict request parsing.

Interface used by the HTTP app::

    SerializationError(ValueError)       bad request body -> 400
      BodyTooLarge                       body over max_bytes (checked first) -> 413 (or 400)
      UnsupportedMediaType               request Content-Type not JSON/XML -> 415
      NotAcceptable                      Accept/$format cannot be met -> 406
    negotiate(accept_header, format_param) -> 'json' | 'xml'
    render(doc, fmt) -> (body_bytes, 'application/json' | 'application/xml')
    parse_body(body, content_type, max_bytes) -> dict (the JSON shape, also from XML)

Documents are JSON-shaped dicts with a root ``resourceURI``. Rendering omits empty
strings, arrays and maps in both formats (5.5.15; ``id`` is kept even when empty, for
error Jobs). XML: namespace ``http://schemas.dmtf.org/cimi/2``, root = local name of
``resourceURI`` or ``<Collection resourceURI=...>``, elements in spec order
(``schema.py``), refs as ``<x href=.../>``, maps as ``<properties><property key>``,
arrays as ``<disks><disk>``, ref arrays as bare ``<affectedResource href/>`` (5.5.11),
operations as ``<operations><operation rel href available/>``. A nested object that has a
``resourceURI`` (expanded ref, inline template, expanded collection) carries it as an XML
attribute so reading restores it. ``None`` renders as an empty element (and ``<x/>``
reads back as ``None``): the create-by-reference "erase" of 4.2.1.1.
"""
from __future__ import annotations

from ..catalogue import NS
from ..catalogue.wire import V1_ATTRIBUTE_NAMES
from .errors import BodyTooLarge, NotAcceptable, SerializationError, UnsupportedMediaType
from .jsonio import parse_json, render_json
from .negotiation import body_format, negotiate
from .xml_in import parse_xml
from .xml_out import render_xml

CONTENT_TYPES = {"json": "application/json", "xml": "application/xml"}


class Pruned(dict):
    """A document already pruned (and treated as read-only): ``render`` keeps it as is."""


class Prerendered(Pruned):
    """A document whose JSON is already made (or made by ``json()`` from memoised parts):
    rendered as JSON it is those bytes, the same as ``render_json`` of the document; XML is
    rendered from the document as usual."""

    def __init__(self, doc: dict, json):
        super().__init__(doc)
        self.json = json  # () -> bytes


def page_json(page: dict, items_key: str, fragments) -> bytes:
    """A collection page as JSON, assembled from its items' JSON ``fragments`` (in page order):
    keys in collection order (resourceURI, id, count, the items, operations)."""
    head = {k: v for k, v in page.items() if k not in (items_key, "operations")}
    parts = [render_json(head)[:-1]]
    if page.get(items_key):
        parts += [b',"', items_key.encode(), b'":[', b",".join(fragments), b"]"]
    if page.get("operations"):
        parts += [b',"operations":', render_json(page["operations"])]
    parts.append(b"}")
    return b"".join(parts)


_KEEP_EMPTY = ("id", "href")
_MAPS = ("properties", "parameters")
_CONTAINERS = (dict, list)


def _prune(value: object) -> object:
    """Drop empty strings/arrays/maps from attribute objects (not from map entries).

    Hot on large collections: exact type checks and no recursion into scalars."""
    kind = type(value)
    if kind is list:
        return [_prune(item) if type(item) in _CONTAINERS else item for item in value]
    if kind is not dict:
        return value
    out = {}
    for key, item in value.items():
        kind = type(item)
        if kind is dict:
            if key in _MAPS:
                if item:
                    out[key] = dict(item)
            elif item or key in _KEEP_EMPTY:
                out[key] = _prune(item)
        elif kind is list:
            if item or key in _KEEP_EMPTY:
                out[key] = [_prune(v) if type(v) in _CONTAINERS else v for v in item]
        elif kind is str:
            if item or key in _KEEP_EMPTY:
                out[key] = item
        else:
            out[key] = item
    return out


def render(doc: dict, fmt: str, namespace: str = NS) -> tuple[bytes, str]:
    """Serialize a document; ``fmt`` is what ``negotiate`` returned. ``namespace``: the CIMI
    namespace of the answer's resourceURIs (and so of its XML); the 1.x one for 1.x clients."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt!r}")
    if fmt == "json" and type(doc) is Prerendered and namespace == NS:  # fragments are 2.0
        return doc.json(), CONTENT_TYPES[fmt]
    pruned = _prune(doc)
    if namespace != NS:
        pruned = _in_namespace(pruned, NS + "/", namespace + "/")
    body = render_json(pruned) if fmt == "json" else render_xml(pruned)
    return body, CONTENT_TYPES[fmt]


def _in_namespace(value, old: str, new: str):
    """A copy of ``value`` whose resourceURIs and operation rels in ``old`` are in ``new``
    (documents may be shared cached views: never changed in place)."""
    if type(value) is list:
        return [_in_namespace(item, old, new) for item in value]
    if not isinstance(value, dict):
        return value
    # isinstance, not type(): collection items are memoised views (Pruned, a dict subclass)
    out = {key: _in_namespace(item, old, new) if isinstance(item, (dict, list)) else item
           for key, item in value.items()}
    for key in _NAMESPACED:
        uri = out.get(key)
        if isinstance(uri, str) and uri.startswith(old):
            out[key] = new + uri[len(old):]
    return out


_NAMESPACED = ("resourceURI", "rel")  # type URIs, and action URIs in operations


def parse_body(body: bytes, content_type: str | None, max_bytes: int) -> dict:
    """Read a JSON or XML request body into the JSON dict shape.

    Order of checks: media type (415), size (before any parsing), emptiness, syntax.
    """
    fmt = body_format(content_type)
    if len(body) > max_bytes:
        raise BodyTooLarge(f"request body is larger than {max_bytes} bytes")
    if not body.strip():
        raise SerializationError("request body is empty")
    doc = parse_json(body) if fmt == "json" else parse_xml(body)
    return _v2_names(doc) if isinstance(doc, dict) else doc


def _v2_names(doc: dict) -> dict:
    """A body's CIMI 1.x attribute names renamed to their 2.0 names, in place."""
    for old, new in V1_ATTRIBUTE_NAMES.items():
        if old in doc:
            if new in doc:
                raise SerializationError(f"'{old}' (CIMI 1.x) and '{new}' are the same attribute;"
                                         " give one of them")
            doc[new] = doc.pop(old)
    return doc


__all__ = [
    "BodyTooLarge", "CONTENT_TYPES", "NotAcceptable", "SerializationError",
    "UnsupportedMediaType", "negotiate", "parse_body", "render", "prune", "Pruned", "Prerendered",
    "page_json", "render_json",
]


def prune(doc: dict) -> Pruned:
    """``doc`` pruned once, for documents rendered many times (collection items)."""
    return Pruned(_prune(doc))
