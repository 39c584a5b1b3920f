"""Read views: the Cloud Entry Point, ResourceMetadata, collections with the query engine, $expand."""
from __future__ import annotations

from ..catalogue import CAPABILITY_NS, CEP_ORDER, EXTENSION_NS, NS, TOP_LEVEL, TYPES, ResourceType
from ..errors import NotFound
from ..query import (apply_collection_query, expand_paths, parse_query, select_attributes,
                     select_collection)
from ..timeutil import now_iso
from ..serialization import Prerendered, page_json, prune, render_json
from .. import tenancy
from . import render as rnd

CEP_ID = "cloudEntryPoint"
MAX_CACHED_BASES = 4
METADATA_TYPES = ("CloudEntryPoint", "System", "SystemTemplate", "Machine", "MachineTemplate",
                  "EventLog", "Event", "Meter", "MeterConfiguration", "MeterTemplate",
                  "MachineConfiguration", "MachineImage", "Credential", "CredentialTemplate",
                  "Volume", "VolumeTemplate", "VolumeConfiguration", "VolumeImage", "Network",
                  "NetworkTemplate", "Disk", "NetworkInterface", "ProtocolEndpoint", "Job")


def _spec_type(attr) -> str:
    kind = attr.kind
    return {"refval": "ref", "struct": "map", "collection": "collection", "array": "array"}.get(
        kind, kind)


def metadata_doc(rtype: ResourceType) -> dict:
    attributes, vscope = [], {}
    for attr in rtype.all_attrs:
        if attr.name == "operations":
            continue
        entry = {"name": attr.name}
        if attr.extension:  # Table 6: namespace and type only for attributes the spec does not define
            entry.update(namespace=EXTENSION_NS, type=_spec_type(attr))
        entry.update(providerMandatory=attr.provider_mandatory, consumerMandatory=attr.mandatory,
                     mutable=attr.mutable or attr.name in ("state", "updated"),
                     consumerWritable=attr.writable)
        attributes.append(entry)
        scope = {}
        if attr.values:
            scope["values"] = list(attr.values)
        if attr.minimum is not None:
            scope["minimum"] = attr.minimum
        if attr.maximum is not None:
            scope["maximum"] = attr.maximum
        if attr.units:
            scope["units"] = attr.units
        if scope:
            vscope[attr.name] = scope
    doc = {"resourceURI": NS + "/ResourceMetadata", "id": f"resourceMetadata/{rtype.name}",
           "name": rtype.name, "typeURI": rtype.uri, "attributes": attributes}
    if vscope:
        doc["vscope"] = [vscope]  # one valueScope: every constraint holds together (5.5.14)
    if rtype.capabilities:
        doc["capabilities"] = [{"name": c.name.split("/", 1)[1], "uri": CAPABILITY_NS + c.name,
                                "description": c.description or c.name, "value": c.value}
                               for c in rtype.capabilities]
    if rtype.actions:
        doc["actions"] = [{"name": a.name, "uri": a.uri, "description": f"{a.name} the resource",
                           "method": "POST", "inputMessage": "application/json",
                           "outputMessage": "application/json"} for a in rtype.actions.values()]
    return doc


DEFAULT_CEP_NAME = "cimi-provider"


class Views:
    def __init__(self, provider, cep_name: str = DEFAULT_CEP_NAME, v1_operations: bool = False):
        self.p = provider
        self.cep_name = cep_name
        # --compat cimi1: also advertise the 1.x ``add`` of a sub-collection that takes one
        # (a MachineVolume added to a Machine's volumes; accepted either way).
        self.v1_operations = v1_operations
        self._rendered: dict = {}  # base URI -> {row id: (row, view)}
        self.metadata = {f"resourceMetadata/{n}": metadata_doc(TYPES[n]) for n in METADATA_TYPES}
        for cap in self.metadata["resourceMetadata/Machine"]["capabilities"]:
            if cap["name"] == "DefaultInitialState":  # follows --default-initial-state
                cap["value"] = provider.default_initial_state

    # CEP ------------------------------------------------------------------------------------
    def cep(self, base: str) -> dict:
        stored = self.p.store.get(CEP_ID) or {}
        doc = {"resourceURI": NS + "/CloudEntryPoint", "id": base + CEP_ID}
        # name is providerMandatory (5.7.1): a consumer's PUT may rename the CEP; without a
        # stored name it is the configured one (--name).
        doc["name"] = stored.get("name") or self.cep_name
        for key in ("description", "created", "updated", "properties"):
            if stored.get(key):
                doc[key] = stored[key]
        doc["baseURI"] = base
        for key in CEP_ORDER:
            doc[key] = {"href": TOP_LEVEL_BY_CEP[key].path}
        doc["operations"] = [{"rel": "edit", "href": base + CEP_ID}]
        return doc

    # single resources -----------------------------------------------------------------------
    def resource(self, rid: str, base: str, q) -> dict:
        if rid in self.metadata:
            doc = dict(self.metadata[rid], id=base + rid)
        elif not q.expand and not q.select:  # as stored: the row's memoised view and JSON
            row = self.p.store.row(rid)
            if row is None:
                raise NotFound(f"{rid} not found")
            rtype = TYPES[row.type]
            view = self.rendered(row, base, rtype)
            return Prerendered(view, lambda: self.fragment(row, base, rtype, view))
        else:
            doc = self.p.view(rid).render(base)
        doc = self.expand(doc, expand_paths(q.expand), base)
        return select_attributes(doc, q.select)

    # collections ----------------------------------------------------------------------------
    def collection_ops(self, rtype: ResourceType, cid: str, base: str, insert=False,
                       v1_item: str | None = None) -> list:
        if insert:
            ops = [{"rel": "insert", "href": base + cid}, {"rel": "remove", "href": base + cid}]
            if v1_item and self.v1_operations:
                ops.append({"rel": "add", "href": base + cid})
            return ops
        ops = []
        if rtype.create != "none" and cid == rtype.path:
            ops.append({"rel": "add", "href": base + cid})
        if cid == rtype.path:
            ops += [{"rel": a.uri, "href": f"{base}{cid}/{a.name}"}
                    for a in rtype.collection_actions.values()]
        return ops

    def _memo(self, row, base: str, rtype: ResourceType) -> list | None:
        """The memo entry ``[row, view, JSON fragment or None]`` of a row under ``base``.

        Rows are replaced, never changed, on every write, so an entry is valid while its row
        object is the current one: a write invalidates only the views of what it changed.
        Types whose view depends on other rows (rendering hooks: a System's derived state)
        have none (None): they are rendered afresh. Views are shared: read-only."""
        hooks = self.p.lifecycle(rtype.name)
        if hooks.derived:
            return None
        per_base = self._rendered.get(base)
        if per_base is None:
            if len(self._rendered) >= MAX_CACHED_BASES:  # Host headers vary: stay bounded
                self._rendered.clear()
            per_base = self._rendered[base] = {}
        hit = per_base.get(row.id)
        if hit is not None and hit[0] is row:
            return hit
        entry = [row, prune(rnd.render(row.doc, base, rtype, hooks)), None]
        per_base[row.id] = entry
        if len(per_base) > 4 * (len(self.p.store._rows) + 16):
            per_base.clear()  # deleted rows' entries: drop now and then
        return entry

    def rendered(self, row, base: str, rtype: ResourceType) -> dict:
        """The consumer view of a stored row, memoised per (row version, base URI)."""
        entry = self._memo(row, base, rtype)
        if entry is None:
            return rnd.render(row.doc, base, rtype, self.p.lifecycle(rtype.name))
        return entry[1]

    def fragment(self, row, base: str, rtype: ResourceType, view: dict) -> bytes:
        """The row's ``view`` (as ``rendered`` gave it) as JSON bytes, serialized once per row
        version; a derived view is serialized as given, never rendered again."""
        entry = self._memo(row, base, rtype)
        if entry is None:
            return render_json(prune(view))
        if entry[2] is None:
            entry[2] = render_json(entry[1])
        return entry[2]

    def items(self, type_name: str, parent: str | None, base: str) -> list:
        if type_name == "ResourceMetadata":
            return [dict(d, id=base + d["id"]) for d in self.metadata.values()]
        rtype = TYPES[type_name]
        return [self.rendered(row, base, rtype) for row in self.rows(type_name, parent)]

    def rows(self, type_name: str, parent: str | None) -> list:
        """The rows of a collection the current principal may see (tenancy.py)."""
        access = tenancy.current.get()
        rows = self.p.store.rows(type_name, parent)
        return rows if access.sees_all else [row for row in rows if access.sees(row)]

    def page(self, type_name: str, parent: str | None, base: str, q) -> tuple[int, list, list]:
        """(count after $filter, the requested page, its rows or None); without
        $filter/$orderby only the page's rows are rendered."""
        if type_name == "ResourceMetadata" or q.filters or q.orderby:
            return (*apply_collection_query(self.items(type_name, parent, base), q), None)
        rtype = TYPES[type_name]
        count, rows = apply_collection_query(self.rows(type_name, parent), q)
        return count, [self.rendered(row, base, rtype) for row in rows], rows

    def collection(self, cid: str, base: str, q) -> dict:
        """A top-level collection (``machines``) or a sub-collection (``machines/x/disks``)."""
        rtype = TOP_LEVEL.get(cid)
        v1_item = None
        if rtype is not None:
            items_type, parent, items_key, curi, insert = (rtype.name, None, rtype.items_key,
                                                           rtype.collection_uri, False)
        else:
            parent, _, attr = cid.rpartition("/")
            row = self.p.visible_row(parent)
            sub = TYPES[row.type].subcollection(attr) if row else None
            if sub is None:
                raise NotFound(f"{cid} not found")
            rtype = TYPES[sub.item_type]
            items_type, items_key, curi, insert = (sub.item_type, sub.items_key,
                                                   sub.collection_uri, sub.insert)
            v1_item = sub.v1_item
        count, page, rows = self.page(items_type, parent, base, q)
        paths = expand_paths(q.expand)
        if paths:
            page = [self.expand(item, paths, base) for item in page]
        doc = rnd.collection(items_type, items_key, curi, cid, base, page, count,
                             self.collection_ops(rtype, cid, base, insert, v1_item))
        if rows is not None and not paths and not q.select:
            # the page as it is stored: JSON answers are assembled from per-row fragments
            item_type = TYPES[items_type]
            return Prerendered(doc, lambda: page_json(
                doc, items_key, [self.fragment(row, base, item_type, view)
                                 for row, view in zip(rows, page)]))
        return select_collection(doc, items_key, q.select)

    def is_collection(self, path: str) -> bool:
        if path in TOP_LEVEL:
            return True
        parent, _, attr = path.rpartition("/")
        row = self.p.visible_row(parent) if parent else None
        return bool(row and TYPES[row.type].subcollection(attr))

    # $expand --------------------------------------------------------------------------------
    def expand(self, doc: dict, paths: dict, base: str) -> dict:
        if not paths:
            return doc
        every = "*" in paths
        out = dict(doc)
        for key, value in doc.items():
            if key in ("operations", "resourceURI", "id") or not (every or key in paths):
                continue
            nested = paths.get(key, set())
            if isinstance(value, dict) and set(value) == {"href"}:
                out[key] = self.expand_ref(value["href"], base, nested)
            elif isinstance(value, list) and value and all(
                    isinstance(v, dict) and set(v) == {"href"} for v in value):
                out[key] = [self.expand_ref(v["href"], base, nested) for v in value]
        return out

    def expand_ref(self, href: str, base: str, nested: set) -> dict:
        if not href.startswith(base):
            return {"href": href}
        rid = href[len(base):]
        sub_paths = expand_paths(frozenset(nested)) if nested else {}
        if self.p.visible_row(rid) is not None:
            target = self.expand(self.p.view(rid).render(base), sub_paths, base)
            return {"href": href, **{k: v for k, v in target.items() if k != "id"}}
        if rid in self.metadata:
            return {"href": href, **{k: v for k, v in self.metadata[rid].items() if k != "id"}}
        if self.is_collection(rid) and rid not in TOP_LEVEL:
            coll = self.collection(rid, base, parse_query({}))
            items_key = next((k for k, v in coll.items() if isinstance(v, list)
                              and k != "operations"), None)
            if items_key and sub_paths:
                coll[items_key] = [self.expand(item, sub_paths, base) for item in coll[items_key]]
            return {"href": href, **{k: v for k, v in coll.items() if k != "id"}}
        return {"href": href}

    def update_cep(self, fields: dict, select, base: str) -> dict:
        stored = self.p.store.get(CEP_ID) or {"resourceURI": NS + "/CloudEntryPoint",
                                              "id": CEP_ID, "created": now_iso()}
        keys = ("name", "description", "properties")
        targets = [k for k in keys if not select or "*" in select or k in select]
        for key in targets:
            if fields.get(key) is None:
                stored.pop(key, None)
            else:
                stored[key] = fields[key]
        stored["updated"] = now_iso()
        with self.p.store.write() as tx:
            tx.put(CEP_ID, "CloudEntryPoint", stored)
            job = self.p.jobs.create(tx, "edit", CEP_ID, done=True)
        return job


TOP_LEVEL_BY_CEP = {t.cep_key: t for t in TYPES.values() if t.cep_key}
