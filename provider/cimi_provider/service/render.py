"""From stored documents to wire documents (JSON shape; the serializer makes XML of the same).

Stored documents hold relative ids and hrefs (``machines/ab12``) and internal keys starting with
``_``; rendering makes every id and operation href absolute against the request's base URI, adds
sub-collection references and the operations this consumer may perform now (with
``available: false`` when the current state forbids them, 5.8).
"""
from __future__ import annotations

from ..catalogue import NS, TYPES, ResourceType



class Hooks:
    """How a type's view is made beyond its stored document. ``service.lifecycle.Lifecycle``
    extends this; a lifecycle whose view depends on other rows (a System's state derives from
    its Machines) overrides ``available``/``decorate`` and sets ``derived`` (never memoised)."""
    derived = False

    def available(self, rtype: ResourceType, doc: dict, name: str) -> bool:
        """Whether action ``name`` is available now (5.8); the type's state table by default."""
        return doc.get("state") in rtype.actions[name].allowed_from

    def decorate(self, doc: dict) -> dict:
        """The stored document with derived attributes, before rendering."""
        return doc


PLAIN = Hooks()


def absolute(base: str, href: str) -> str:
    if not href or "://" in href or href.startswith("#"):
        return href
    return base + href


def _absolutise(value, base: str):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key.startswith("_"):
                continue  # internal, e.g. an inline credential's password hash
            if key == "href" and isinstance(item, str):
                out[key] = absolute(base, item)
            else:
                out[key] = _absolutise(item, base)
        return out
    if isinstance(value, list):
        return [_absolutise(v, base) for v in value]
    return value


def operations(rtype: ResourceType, doc: dict, base: str, hooks: Hooks = PLAIN) -> list:
    rid = doc["id"]
    state = doc.get("state")
    ops = []
    if rtype.updatable:
        ops.append({"rel": "edit", "href": base + rid})
    if rtype.deletable:
        op = {"rel": "delete", "href": base + rid}
        if rtype.delete_from is not None and state not in rtype.delete_from:
            op["available"] = False
        ops.append(op)
    for action in rtype.actions.values():
        op = {"rel": action.uri, "href": f"{base}{rid}/{action.name}"}
        if not hooks.available(rtype, doc, action.name):
            op["available"] = False
        ops.append(op)
    return ops


def render(doc: dict, base: str, rtype: ResourceType | None = None,
           hooks: Hooks = PLAIN) -> dict:
    """The consumer view of a stored resource document."""
    rtype = rtype or TYPES[doc["resourceURI"].rsplit("/", 1)[-1]]
    doc = hooks.decorate(dict(doc)) if hooks.derived else doc
    out = {"resourceURI": rtype.uri}
    hidden = {a.name for a in rtype.all_attrs if a.write_only}
    for key, value in doc.items():
        if key.startswith("_") or key in hidden or key == "resourceURI":
            continue
        if value is None or value == "" or value == [] or value == {}:
            continue  # 5.5.15: empty strings, maps and arrays are omitted
        out[key] = _absolutise(value, base)
    out["id"] = absolute(base, doc["id"]) if doc.get("id") else ""
    for sub in rtype.subcollections:
        if sub.attr not in out:
            out[sub.attr] = {"href": f"{base}{doc['id']}/{sub.attr}"}
    ops = operations(rtype, doc, base, hooks)
    if ops:
        out["operations"] = ops
    return out


def collection(rtype_name: str, items_key: str, collection_uri: str, cid: str, base: str,
               items: list, count: int, ops: list) -> dict:
    out = {"resourceURI": collection_uri, "id": base + cid, "count": count}
    if items:
        out[items_key] = items
    if ops:
        out["operations"] = ops
    return out


def job_ref(base: str, job_id: str) -> str:
    return base + job_id


__all__ = ["NS", "PLAIN", "Hooks", "absolute", "render", "collection", "operations"]
