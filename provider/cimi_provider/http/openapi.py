"""OpenAPI 3.0 document of the CIMI HTTP interface, generated from the catalogue.

Served at ``/cimi/openapi.json``; ``cimi-provider openapi`` writes it to a file. Request schemas
list the consumer-writable attributes of each body with ``additionalProperties: false`` (unknown
attributes are rejected with 400), so fuzzers produce both valid and invalid bodies. Response
schemas (``openapi_schemas.py``) describe every rendered resource and collection; each response
is declared in JSON and XML (the XML carries the same document, DSP0263 5.4). Statuses: 201 for a
synchronous create (and capture, which creates a MachineImage), 202 when a Job is still running;
a synchronous DELETE answers 200 with its completed Job (4.2.1.4, 4.2.1.6), an asynchronous one
202 with the running Job; actions answer 200/202 with their Job.
"""
from __future__ import annotations

from ..catalogue import (ACTION_NS, STRUCTS, TOP_LEVEL, TYPES, VOLUME_ACTION_PARAMS, Attr,
                         ResourceType)
from .openapi_schemas import collection_name, ref, response_schemas, scalar_schema

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
    """The request value of one attribute (references are strict; inline values are bounded)."""
    kind = attr.kind
    scalar = scalar_schema(attr)
    if scalar is not None:
        return scalar
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


MEDIA_TYPES = ("application/json", "application/xml")
ERROR_CODES = (400, 401, 403, 404, 405, 406, 409, 413, 415, 500)


def _content(schema: dict) -> dict:
    return {media: {"schema": schema} for media in MEDIA_TYPES}


def _responses(success: dict) -> dict:
    """``success`` maps status codes to the schema name of their body."""
    out = {str(code): {"description": "success", "content": _content(ref(name))}
           for code, name in success.items()}
    for code in ERROR_CODES:
        out[str(code)] = {"description": "error (Job-shaped body, DSP0263 4.2.2)",
                          "content": _content(ERROR)}
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
    job = {200: "Job", 202: "Job"}
    paths = {
        "/cimi/cloudEntryPoint": {
            "get": {"operationId": "getCloudEntryPoint", "parameters": QUERY_PARAMS,
                    "responses": _responses({200: "CloudEntryPoint"})},
            "put": {"operationId": "updateCloudEntryPoint",
                    "requestBody": _body(_object(TYPES["CloudEntryPoint"].all_attrs, mutable=True)),
                    "responses": _responses({200: "CloudEntryPoint"})},
        },
    }
    for path, rtype in TOP_LEVEL.items():
        coll = {"get": {"operationId": f"list{rtype.name}", "parameters": QUERY_PARAMS,
                        "responses": _responses({200: collection_name(rtype)})}}
        if rtype.create != "none":
            # 202: the new resource in its current state while its Job runs.
            coll["post"] = {"operationId": f"create{rtype.name}",
                            "requestBody": _body(_create_schema(rtype)),
                            "responses": _responses({201: rtype.name, 202: rtype.name})}
        paths[f"/cimi/{path}"] = coll
        item = {"parameters": [ID_PARAM],
                "get": {"operationId": f"get{rtype.name}", "parameters": QUERY_PARAMS,
                        "responses": _responses({200: rtype.name})}}
        if rtype.updatable:
            item["put"] = {"operationId": f"update{rtype.name}",
                           "parameters": [QUERY_PARAMS[3]],
                           "requestBody": _body(_object(rtype.all_attrs, mutable=True)),
                           "responses": _responses({200: rtype.name})}
        if rtype.deletable:
            item["delete"] = {"operationId": f"delete{rtype.name}", "responses": _responses(job)}
        paths[f"/cimi/{path}/{{id}}"] = item
        for name in rtype.actions:
            # capture creates a MachineImage: 201 + Location when done at once, else 202 with
            # the image while the Job runs.
            answers = ({201: "MachineImage", 202: "MachineImage"} if name == "capture" else job)
            # an action URI may also take another type's representation (capture: a MachineImage)
            bodies = [action_schema(rtype, name)] + [
                _object(TYPES[other].all_attrs) for other in rtype.actions[name].bodies]
            paths[f"/cimi/{path}/{{id}}/{name}"] = {
                "parameters": [ID_PARAM],
                "post": {"operationId": f"{name}{rtype.name}",
                         "requestBody": _body(bodies[0] if len(bodies) == 1 else {"anyOf": bodies}),
                         "responses": _responses(answers)}}
        for sub in rtype.subcollections:
            paths[f"/cimi/{path}/{{id}}/{sub.attr}"] = {
                "parameters": [ID_PARAM],
                "get": {"operationId": f"list{rtype.name}{sub.attr.title()}",
                        "parameters": QUERY_PARAMS,
                        "responses": _responses({200: collection_name(rtype, sub)})}}
    volume_action = _object(VOLUME_ACTION_PARAMS)
    volume_action["properties"]["action"] = {"type": "string",
                                             "enum": [ACTION_NS + "insert", ACTION_NS + "remove"]}
    # A 1.x MachineVolume (the same parameters, no action) adds an entry: 201 when done at once.
    machine_volume = _object(VOLUME_ACTION_PARAMS[1:])
    paths["/cimi/machines/{id}/volumes"]["post"] = {
        "operationId": "insertOrRemoveMachineVolume",
        "requestBody": _body({"anyOf": [volume_action, machine_volume]}),
        "responses": _responses({**job, 201: "Job"})}
    paths["/cimi/machines/{id}/volumes/{entry}"] = {  # deleting an entry detaches its volume
        "parameters": [ID_PARAM, dict(ID_PARAM, name="entry")],
        "delete": {"operationId": "detachMachineVolume", "responses": _responses(job)}}
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
                                                    "statusMessage": {"type": "string"}}},
                        **response_schemas()},
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                "bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"basic": []}, {"bearer": []}],
    }
