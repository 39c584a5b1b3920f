"""OpenAPI 3.0 document of the CIMI HTTP interface, generated from the catalogue.

Served at ``/cimi/openapi.json``; ``cimi-provider openapi`` writes it to a file. Schemas list
the consumer-writable attributes of each request body with ``additionalProperties: false``
(unknown attributes are rejected with 400), so fuzzers produce both valid and invalid bodies.
"""
from __future__ import annotations

from ..catalogue import NS, STRUCTS, TOP_LEVEL, TYPES, Attr, ResourceType

ERROR = {"$ref": "#/components/schemas/ErrorJob"}
ID_PARAM = {"name": "id", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"}}
QUERY_PARAMS = [
    {"name": "$filter", "in": "query", "schema": {"type": "string"}},
    {"name": "$first", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "$last", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "$select", "in": "query", "schema": {"type": "string"}},
    {"name": "$expand", "in": "query", "schema": {"type": "string"}},
    {"name": "$orderby", "in": "query", "schema": {"type": "string"}},
    {"name": "$format", "in": "query", "schema": {"type": "string", "enum": ["json", "xml"]}},
]
REF = {"type": "object", "required": ["href"], "additionalProperties": False,
       "properties": {"href": {"type": "string", "minLength": 1}}}


def _schema(attr: Attr, depth: int = 0) -> dict:
    kind = attr.kind
    if kind in ("string", "URI", "dateTime", "duration", "byte[]"):
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
    if kind == "ref":
        return REF
    if kind == "refval":
        if depth > 1:
            return REF
        value = _object(TYPES[attr.target].all_attrs, depth + 1)
        return {"oneOf": [REF, value]} if depth else {"anyOf": [REF, value]}
    if kind == "array":
        return {"type": "array", "items": _schema(Attr(attr.name, attr.type.split(":", 1)[1]),
                                                  depth)}
    if kind == "struct":
        return _object(STRUCTS[attr.target], depth + 1)
    return {}


def _object(attrs, depth: int = 0, mutable: bool = False) -> dict:
    props = {"resourceURI": {"type": "string"}}
    required = []
    for attr in attrs:
        if (attr.mutable if mutable else attr.writable):
            props[attr.name] = _schema(attr, depth)
            if attr.mandatory and not mutable and depth == 0:
                required.append(attr.name)
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def _create_schema(rtype: ResourceType) -> dict:
    if rtype.create == "template":
        common = [a for a in rtype.all_attrs if a.name in ("name", "description", "properties")]
        schema = _object(common)
        schema["properties"][rtype.template_attr] = _schema(
            Attr(rtype.template_attr, f"refval:{rtype.template_type}"))
        schema["required"] = [rtype.template_attr]
        return schema
    return _object(rtype.all_attrs)


def _responses(*codes) -> dict:
    out = {}
    for code in codes:
        out[str(code)] = {"description": "success" if code < 300 else "error",
                          "content": {"application/json": {"schema": ERROR if code >= 400 else
                                                           {"type": "object"}}}}
    for code in (400, 401, 403, 404, 405, 406, 409, 413, 415, 500):
        out.setdefault(str(code), {"description": "error (Job-shaped body, DSP0263 4.2.2)",
                                   "content": {"application/json": {"schema": ERROR}}})
    return out


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema},
                                          "application/xml": {"schema": {"type": "object"}}}}


def action_schema(rtype: ResourceType, name: str) -> dict:
    spec = rtype.actions[name]
    schema = _object((Attr("action", "URI", writable=True),
                      Attr("properties", "map", writable=True)) + tuple(spec.parameters))
    schema["properties"]["action"] = {"type": "string", "enum": [spec.uri]}
    return schema


def openapi_document() -> dict:
    paths = {
        "/cimi/cloudEntryPoint": {
            "get": {"operationId": "getCloudEntryPoint", "parameters": QUERY_PARAMS,
                    "responses": _responses(200)},
            "put": {"operationId": "updateCloudEntryPoint",
                    "requestBody": _body(_object(TYPES["CloudEntryPoint"].all_attrs, mutable=True)),
                    "responses": _responses(200)},
        },
    }
    for path, rtype in TOP_LEVEL.items():
        coll = {"get": {"operationId": f"list{rtype.name}", "parameters": QUERY_PARAMS,
                        "responses": _responses(200)}}
        if rtype.create != "none":
            coll["post"] = {"operationId": f"create{rtype.name}",
                            "requestBody": _body(_create_schema(rtype)),
                            "responses": _responses(201, 202)}
        paths[f"/cimi/{path}"] = coll
        item = {"parameters": [ID_PARAM],
                "get": {"operationId": f"get{rtype.name}", "parameters": QUERY_PARAMS,
                        "responses": _responses(200)}}
        if rtype.updatable:
            item["put"] = {"operationId": f"update{rtype.name}",
                           "parameters": [QUERY_PARAMS[3]],
                           "requestBody": _body(_object(rtype.all_attrs, mutable=True)),
                           "responses": _responses(200)}
        if rtype.deletable:
            item["delete"] = {"operationId": f"delete{rtype.name}", "responses": _responses(200, 202)}
        paths[f"/cimi/{path}/{{id}}"] = item
        for name in rtype.actions:
            paths[f"/cimi/{path}/{{id}}/{name}"] = {
                "parameters": [ID_PARAM],
                "post": {"operationId": f"{name}{rtype.name}",
                         "requestBody": _body(action_schema(rtype, name)),
                         "responses": _responses(200, 202)}}
        for sub in rtype.subcollections:
            paths[f"/cimi/{path}/{{id}}/{sub.attr}"] = {
                "parameters": [ID_PARAM],
                "get": {"operationId": f"list{rtype.name}{sub.attr.title()}",
                        "parameters": QUERY_PARAMS, "responses": _responses(200)}}
    volume_action = _object((Attr("action", "URI", writable=True),
                             Attr("volume", "ref:Volume", writable=True, mandatory=True),
                             Attr("initialLocation", "string", writable=True),
                             Attr("properties", "map", writable=True)))
    volume_action["properties"]["action"] = {"type": "string",
                                             "enum": [NS + "/action/insert", NS + "/action/remove"]}
    paths["/cimi/machines/{id}/volumes"]["post"] = {
        "operationId": "insertOrRemoveMachineVolume", "requestBody": _body(volume_action),
        "responses": _responses(200, 202)}
    return {
        "openapi": "3.0.3",
        "info": {"title": "cimi-provider: DMTF CIMI 2.0 (DSP0263) reference provider",
                 "version": "0.1.0"},
        "paths": paths,
        "components": {
            "schemas": {"ErrorJob": {"type": "object", "required": ["state", "statusMessage"],
                                     "properties": {"resourceURI": {"type": "string"},
                                                    "id": {"type": "string"},
                                                    "state": {"type": "string"},
                                                    "returnCode": {"type": "integer"},
                                                    "statusMessage": {"type": "string"}}}},
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                "bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"basic": []}, {"bearer": []}],
    }
