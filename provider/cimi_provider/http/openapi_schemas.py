"""OpenAPI response schemas, generated from the catalogue like the request schemas.

One ``components/schemas`` entry per resource type (``Machine``) and per collection
(``MachineCollection``, ``MachineDisksCollection`` for sub-collections). They describe what the
provider renders: every attribute optional (``$select`` subsets, 5.5.15 omits empty values) except
``resourceURI`` and ``id``; unknown attributes are not allowed (extensions are in the catalogue);
references are ``{href}`` objects that ``$expand`` may fill in, so they stay open.
"""
from __future__ import annotations

from ..catalogue import CEP_ORDER, STRUCTS, TOP_LEVEL, TYPES, Attr, ResourceType

STRING_KINDS = ("string", "URI", "dateTime", "duration", "byte[]")
OPEN_REF = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}
OPERATION = {"type": "object", "required": ["rel", "href"], "additionalProperties": False,
             "properties": {"rel": {"type": "string"}, "href": {"type": "string"},
                            "available": {"type": "boolean"}}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def scalar_schema(attr: Attr) -> dict | None:
    """The value of a scalar or map attribute, alike in requests and responses; None otherwise."""
    kind = attr.kind
    if kind in STRING_KINDS:
        out = {"type": "string"}
        if attr.values:
            out["enum"] = list(attr.values)
        return out
    if kind == "integer":
        out = {"type": "integer"}
        if attr.minimum is not None:
            out["minimum"] = attr.minimum
        if attr.maximum is not None:
            out["maximum"] = attr.maximum
        return out
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "map":
        return {"type": "object", "additionalProperties": {"type": "string"}}
    return None


def attr_schema(attr: Attr) -> dict:
    """The rendered value of one attribute."""
    kind = attr.kind
    scalar = scalar_schema(attr)
    if scalar is not None:
        return scalar
    if kind in ("ref", "collection"):
        return OPEN_REF
    if kind == "refval":  # a reference ({href}, maybe expanded) or an inline value
        return {"type": "object", "properties": {"href": {"type": "string"}}}
    if kind == "struct":
        return struct_schema(attr.target)
    if kind == "array":
        item_type = attr.type.split(":", 1)[1]
        if item_type == "operation":
            return {"type": "array", "items": ref("Operation")}
        if item_type == "any":
            return {"type": "array"}
        return {"type": "array", "items": attr_schema(Attr(attr.name, item_type))}
    return {}


def struct_schema(name: str) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {a.name: attr_schema(a) for a in STRUCTS[name]}}


def resource_schema(rtype: ResourceType) -> dict:
    props = {"resourceURI": {"type": "string", "enum": [rtype.uri]}}
    for attr in rtype.all_attrs:
        if not attr.write_only:
            props[attr.name] = attr_schema(attr)
    return {"type": "object", "required": ["resourceURI", "id"], "properties": props,
            "additionalProperties": False}


def collection_schema(items_key: str, collection_uri: str, item_schema: str) -> dict:
    return {"type": "object", "required": ["resourceURI", "id"], "additionalProperties": False,
            "properties": {"resourceURI": {"type": "string", "enum": [collection_uri]},
                           "id": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                           items_key: {"type": "array", "items": ref(item_schema)},
                           "operations": {"type": "array", "items": ref("Operation")}}}


def collection_name(rtype: ResourceType, sub=None) -> str:
    if sub is None:
        return f"{rtype.name}Collection"
    return f"{rtype.name}{sub.attr[0].upper()}{sub.attr[1:]}Collection"


def response_schemas() -> dict:
    """``components/schemas`` entries for every rendered resource and collection."""
    out = {"Operation": OPERATION}
    for rtype in TYPES.values():
        out[rtype.name] = resource_schema(rtype)
    for key in CEP_ORDER:  # the CEP's collection references (5.12)
        out["CloudEntryPoint"]["properties"][key] = OPEN_REF
    for rtype in TOP_LEVEL.values():
        out[collection_name(rtype)] = collection_schema(rtype.items_key, rtype.collection_uri,
                                                        rtype.name)
        for sub in rtype.subcollections:
            out[collection_name(rtype, sub)] = collection_schema(sub.items_key,
                                                                 sub.collection_uri,
                                                                 sub.item_type)
    # NetworkInterface endpoints: a sub-collection of a sub-resource, reached by href only.
    iface = TYPES["NetworkInterface"]
    for sub in iface.subcollections:
        out[collection_name(iface, sub)] = collection_schema(sub.items_key, sub.collection_uri,
                                                             sub.item_type)
    return out
