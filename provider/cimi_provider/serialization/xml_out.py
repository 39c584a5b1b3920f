# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a JSON-shaped CIMI document as CIMI 2.0 XML (DSP0263 5.4, 5.5)."""
from __future__ import annotations

import re

from lxml import etree

from . import schema
from .jsonio import UNRENDERABLE

# CIMI attribute names (5.2); other keys cannot be XML element names and are skipped.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # refused in requests, but data stored before may hold them: rendering must not fail
        return UNRENDERABLE.sub("\ufffd", value)
    return str(value)


def ordered_keys(doc: dict, type_name: str | None) -> list[str]:
    """Keys of ``doc`` in spec order: known ones, then extensions, ``operations`` last."""
    known = schema.attribute_order(type_name)
    rank = {key: index for index, key in enumerate(known)}
    keys = [key for key in doc
            if key not in ("resourceURI", "href", "operations") and _NAME.fullmatch(key)]
    keys.sort(key=lambda key: rank.get(key, len(known)))  # stable: extensions keep order
    if "operations" in doc:
        keys.append("operations")
    return keys


def is_empty(value: object) -> bool:
    return value == "" or value == [] or value == {}


class _Writer:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def document(self, doc: dict) -> etree._Element:
        uri = doc.get("resourceURI")
        if not isinstance(uri, str) or not uri:
            raise ValueError("a document to render as XML needs a resourceURI")
        type_name = schema.local_name(uri)
        if type_name.endswith("Collection"):
            root = etree.Element(self.tag("Collection"), nsmap={None: self.ns})
            root.set("resourceURI", uri)
            self.collection_body(root, doc, type_name[: -len("Collection")])
        else:
            root = etree.Element(self.tag(type_name), nsmap={None: self.ns})
            self.fields(root, doc, type_name)
        return root

    def collection_body(self, parent, doc: dict, item_type: str) -> None:
        for key in ordered_keys(doc, "Collection"):
            value = doc[key]
            if isinstance(value, list) and key != "operations":
                if not value:
                    continue
                wrapper = etree.SubElement(parent, self.tag(key))
                default = schema.ITEM_TYPES.get(key) if not item_type else item_type
                for item in value:
                    self.resource_item(wrapper, item, default or schema.singular(key))
            else:
                self.field(parent, key, value, "Collection")

    def resource_item(self, parent, item: object, default_type: str) -> None:
        if not isinstance(item, dict):
            etree.SubElement(parent, self.tag(default_type)).text = _text(item)
            return
        uri = item.get("resourceURI")
        type_name = schema.local_name(uri) if isinstance(uri, str) and uri else default_type
        element = etree.SubElement(parent, self.tag(type_name))
        self.fields(element, item, type_name)

    def fields(self, element, doc: dict, type_name: str | None) -> None:
        if type_name and type_name.endswith("Collection") or (
                type_name is None and "count" in doc):
            self.collection_body(element, doc, (type_name or "Collection")[: -len("Collection")])
            return
        for key in ordered_keys(doc, type_name):
            self.field(element, key, doc[key], type_name)

    def field(self, parent, key: str, value: object, owner: str | None) -> None:
        if is_empty(value) and key != "id":
            return  # 5.5.15: empty strings, maps and arrays are omitted
        if key in schema.REF_ARRAYS and isinstance(value, list):
            for item in value:
                self.nested(parent, schema.REF_ARRAYS[key], item, None)
            return
        if isinstance(value, list):
            wrapper = etree.SubElement(parent, self.tag(key))
            item_name, struct = schema.ARRAYS.get(key, (schema.singular(key), None))
            for item in value:
                if struct == "valueScope" and isinstance(item, dict):
                    self.value_scope(wrapper, item_name, item)
                elif struct in schema.ATTRIBUTE_STRUCTS and isinstance(item, dict):
                    self.attribute_struct(wrapper, item_name, item, struct)
                else:
                    self.nested(wrapper, item_name, item, struct)
            return
        if isinstance(value, dict) and key in schema.MAPS:
            wrapper = etree.SubElement(parent, self.tag(key))
            for map_key, map_value in value.items():
                entry = etree.SubElement(wrapper, self.tag(schema.MAPS[key]))
                entry.set("key", _text(map_key))
                entry.text = _text(map_value)
            return
        self.nested(parent, key, value, schema.NESTED_TYPES.get(key))

    def nested(self, parent, name: str, value: object, type_name: str | None) -> None:
        element = etree.SubElement(parent, self.tag(name))
        if value is None:
            return  # <attr/>: "erase" in a create-by-reference override (4.2.1.1)
        if not isinstance(value, dict):
            element.text = _text(value)
            return
        if "href" in value:
            element.set("href", _text(value["href"]))
        uri = value.get("resourceURI")
        if isinstance(uri, str) and uri:
            element.set("resourceURI", uri)  # keeps the type of an expanded/inline object
            type_name = schema.local_name(uri)
        self.fields(element, value, type_name)

    def value_scope(self, parent, name: str, scopes: dict) -> None:
        """A valueScope map (5.5.14): one element per scoped attribute; an enumeration
        is a run of bare <value> elements, ``item`` nests the scopes of collection items."""
        element = etree.SubElement(parent, self.tag(name))
        for attribute, scope in scopes.items():
            if not _NAME.fullmatch(str(attribute)) or not isinstance(scope, dict):
                continue
            scoped = etree.SubElement(element, self.tag(attribute))
            for key, value in scope.items():
                if key == "values" and isinstance(value, list):
                    for entry in value:
                        etree.SubElement(scoped, self.tag("value")).text = _text(entry)
                elif key == "item" and isinstance(value, dict):
                    self.value_scope(scoped, "item", value)
                elif _NAME.fullmatch(str(key)) and value is not None:
                    etree.SubElement(scoped, self.tag(key)).text = _text(value)

    def attribute_struct(self, parent, name: str, item: dict, struct: str) -> None:
        element = etree.SubElement(parent, self.tag(name))
        text_field = schema.TEXT_FIELD.get(struct)
        known = schema.attribute_order(struct)
        keys = [key for key in known if key in item] + [key for key in item if key not in known]
        for key in keys:
            value = item[key]
            if key == "resourceURI" or value is None or value == "":
                continue
            if key == text_field and not isinstance(value, (dict, list)):
                element.text = _text(value)
            elif isinstance(value, (dict, list)):
                self.field(element, key, value, struct)
            else:
                element.set(key, _text(value))


def render_xml(doc: dict) -> bytes:
    uri = doc.get("resourceURI")
    namespace = schema.namespace_of(uri) if isinstance(uri, str) and uri else schema.NS
    root = _Writer(namespace).document(doc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
