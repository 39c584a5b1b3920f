"""Checking request bodies against the catalogue (DSP0263 5.3, 5.11).

Unknown attributes are rejected (400); read-only attributes are dropped silently (4.2.1.3);
values are checked against their type and value scope. Bodies arrive typed: the XML reader
(``serialization/xml_in.py``) already turned the catalogue's integers, booleans and arrays of
structures into values (``serialization/schema.py`` derives which from the catalogue).
"""
from __future__ import annotations

from ..catalogue import STRUCTS, TYPES, Attr
from ..errors import BadRequest

ALWAYS_ALLOWED = {"resourceURI"}


def _fail(path: str, message: str):
    raise BadRequest(f"{path}: {message}" if path else message)


def coerce(attr: Attr, value, path: str):
    """Check one value; returns the value to store."""
    kind = attr.kind
    if kind == "URI" and isinstance(value, dict) and set(value) == {"href"}:
        value = value["href"]  # tolerated: a URI given as a reference
    if kind in ("string", "URI", "dateTime", "duration", "byte[]"):
        if not isinstance(value, str):
            _fail(path, f"expected a string, got {type(value).__name__}")
        if attr.values and value not in attr.values:
            _fail(path, f"'{value}' is not one of {', '.join(attr.values)}")
        return value
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            _fail(path, f"expected an integer, got {type(value).__name__}")
        if attr.minimum is not None and value < attr.minimum:
            _fail(path, f"{value} is below the minimum {attr.minimum}")
        if attr.maximum is not None and value > attr.maximum:
            _fail(path, f"{value} is above the maximum {attr.maximum}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            _fail(path, "expected a boolean")
        return value
    if kind == "map":
        if not isinstance(value, dict):
            _fail(path, "expected a map of strings")
        for k, v in value.items():
            if not isinstance(k, str) or not isinstance(v, str):
                _fail(path, "map keys and values must be strings")
        return dict(value)
    if kind == "ref":
        return check_ref(value, path)
    if kind == "refval":
        if not isinstance(value, dict):
            _fail(path, "expected a reference {href} or an inline value")
        return check_body(value, TYPES[attr.target], path, mode="refval")
    if kind == "array":
        item_attr = Attr(attr.name, attr.type.split(":", 1)[1])
        if not isinstance(value, list):
            _fail(path, "expected an array")
        return [coerce(item_attr, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "struct":
        if not isinstance(value, dict):
            _fail(path, "expected an object")
        return check_fields(value, {a.name: a for a in STRUCTS[attr.target]}, path, mode="create")
    _fail(path, "is not writable")


def check_ref(value, path: str) -> dict:
    if not isinstance(value, dict) or not isinstance(value.get("href"), str) or not value["href"]:
        _fail(path, "expected a reference {\"href\": ...}")
    extra = set(value) - {"href", "resourceURI"}
    if extra:
        _fail(path, f"unknown attribute '{sorted(extra)[0]}' in a reference")
    return {"href": value["href"]}


def check_resource_uri(body: dict, *expected: str) -> str | None:
    """A resourceURI, when given, must name one of the expected messages (cimi/1 or cimi/2
    namespace); returns the local name it gives (None when absent). An XML body's resourceURI
    comes from its root element (``type_source``): the error names that element instead."""
    given = body.get("resourceURI")
    if given is None:
        return None
    locals_ = [uri.rsplit("/", 1)[-1] for uri in expected]
    local = given.rsplit("/", 1)[-1] if isinstance(given, str) else None
    if local in locals_:
        return local
    source = getattr(body, "type_source", "")
    if source:
        wanted = " or ".join(f"<{name}>" for name in locals_)
        raise BadRequest(f"{source} is not accepted here; the body must be {wanted}")
    raise BadRequest(f"resourceURI must be {' or '.join(expected)}, not {given!r}")


def check_fields(body: dict, attrs: dict, path: str, *, mode: str,
                 extra: dict | None = None, message=None) -> dict:
    """Validate ``body`` against ``attrs``; ``mode`` is create, update, refval or struct.
    ``message``: the resourceURI (or a tuple of them) a top-level body may name (anything else
    is refused first)."""
    if message is not None:
        check_resource_uri(body, *((message,) if isinstance(message, str) else message))
    out = {}
    for key, value in body.items():
        where = f"{path}.{key}" if path else key
        if key in ALWAYS_ALLOWED:
            continue
        attr = attrs.get(key) or (extra or {}).get(key)
        if attr is None:
            _fail(where, "unknown attribute")
        writable = attr.mutable if mode == "update" else attr.writable
        if not writable:
            continue  # read-only attributes are ignored (4.2.1.3)
        if value is None:
            out[key] = None  # erases a template attribute (4.2.1.1) / removes it (PUT)
            continue
        out[key] = coerce(attr, value, where)
    return out


def check_body(body: dict, rtype, path: str = "", *, mode: str = "create",
               extra: dict | None = None, message=None) -> dict:
    if not isinstance(body, dict):
        _fail(path, "expected an object")
    attrs = {a.name: a for a in rtype.all_attrs}
    if mode == "refval" and "href" in body:
        if not isinstance(body["href"], str) or not body["href"]:
            _fail(f"{path}.href" if path else "href", "expected a URI")
        rest = {k: v for k, v in body.items() if k != "href"}
        out = check_fields(rest, attrs, path, mode="create", extra=extra)
        out["href"] = body["href"]
        return out
    return check_fields(body, attrs, path, mode=mode, extra=extra, message=message)


def require(doc: dict, rtype_or_attrs, path: str = "") -> None:
    """Consumer-mandatory attributes must be present (after template merging)."""
    attrs = rtype_or_attrs.all_attrs if hasattr(rtype_or_attrs, "all_attrs") else rtype_or_attrs
    for attr in attrs:
        if attr.mandatory and doc.get(attr.name) in (None, "", [], {}):
            _fail(path, f"missing mandatory attribute '{attr.name}'")


def check_struct_required(items: list, struct: str, path: str) -> None:
    for i, item in enumerate(items or []):
        require(item, STRUCTS[struct], f"{path}[{i}]")
