# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read CIMI XML (2.0, tolerating 1.x) into the JSON dict shape, with a hardened parser."""
from __future__ import annotations

from xml.parsers import expat

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.xml_declarations import dtd_declaration
from lxml import etree

from . import schema
from .errors import SerializationError

MAX_DEPTH = 64
_COLLECTION_FIELDS = frozenset({"id", "updated", "parent", "count", "operations"})
_XINCLUDE_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
DOCTYPE_REFUSED = "XML with a DOCTYPE or entity declarations is not accepted"


class _RefuseExternal(etree.Resolver):
    """Answers every request for an external DTD or entity with nothing: libxml2 opens no file."""

    def resolve(self, url, pubid, context):
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    # No DTD loading or validation, no entity expansion, no network, default size limits.
    # collect_ids stays at its default: collect_ids=False makes libxml2 read the external subset.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True, remove_blank_text=False)
    parser.resolvers.add(_RefuseExternal())
    return parser


def _refuse_doctype(body: bytes) -> None:
    """Refuse a DOCTYPE wherever it is once decoded (UTF-16, after whitespace), before lxml runs.

    A body expat cannot read goes on to lxml, which gives the syntax error its message and,
    hardened as well, still loads nothing."""
    try:
        found = dtd_declaration(body)
    except (expat.ExpatError, ValueError):
        return
    if found is not None:
        raise SerializationError(DOCTYPE_REFUSED)


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _typed(name: str, text: str) -> object:
    if name in schema.URI_ATTRIBUTES:
        return text.strip()
    if name in schema.INTEGER_ATTRIBUTES:
        stripped = text.strip()
        body = stripped[1:] if stripped[:1] in "+-" else stripped
        if not body.isascii() or not body.isdigit() or len(body) > 30:
            raise SerializationError(f"'{name}' must be an integer")
        return int(stripped)
    if name in schema.BOOLEAN_ATTRIBUTES:
        stripped = text.strip()
        if stripped not in ("true", "false"):
            raise SerializationError(f"'{name}' must be true or false")
        return stripped == "true"
    return text


def _guess_scalar(text: str) -> object:
    """A capability value is typed 'any': booleans and integers are recognised."""
    stripped = text.strip()
    if stripped in ("true", "false"):
        return stripped == "true"
    if stripped.isascii() and stripped.isdigit() and len(stripped) < 19:
        return int(stripped)
    return stripped


class RootNamed(dict):
    """A document whose resourceURI the client did not send: the reader made it from the root
    element, named in ``type_source`` so that an error can say what the client did send."""
    type_source = ""


class _Reader:
    def __init__(self) -> None:
        self.namespace = ""

    def children(self, element) -> list:
        out = []
        for child in element:
            if isinstance(child, etree._Entity):
                raise SerializationError("XML entity references are not allowed")
            if isinstance(child.tag, str) and _split_tag(child.tag)[0] in _XINCLUDE_NAMESPACES:
                raise SerializationError("XInclude is not allowed")
            if isinstance(child.tag, str):
                out.append(child)
        return out

    def document(self, root) -> dict:
        namespace, local = _split_tag(root.tag)
        if namespace not in schema.ACCEPTED_NAMESPACES:
            raise SerializationError(
                f"the root element must be in the namespace {schema.NS}")
        self.namespace = namespace or schema.NS
        doc = RootNamed(resourceURI=root.get("resourceURI") or f"{self.namespace}/{local}")
        if not root.get("resourceURI"):
            doc.type_source = f"the root element <{local[:40]}>"
        if local == "Collection":
            doc.update(self.collection(root, 1))
        else:
            doc.update(self.fields(root, 1))
        return doc

    def collection(self, element, depth: int) -> dict:
        out = {}
        for child in self.children(element):
            _, name = _split_tag(child.tag)
            kids = self.children(child)
            # Besides id/updated/parent/count/operations, a Collection holds only its
            # grouping wrapper (items may be lower-case types such as locatedVolume).
            if name not in _COLLECTION_FIELDS and kids and child.get("href") is None:
                out[name] = [self.resource(kid, depth + 2) for kid in kids]
            else:
                self.put(out, name, self.value(child, name, depth + 1))
        return out

    def resource(self, element, depth: int) -> dict:
        namespace, local = _split_tag(element.tag)
        item = {"resourceURI": f"{namespace or self.namespace}/{local}"}
        item.update(self.fields(element, depth))
        return item

    @staticmethod
    def put(out: dict, name: str, value: object) -> None:
        if name in out:
            raise SerializationError(f"element '{name[:40]}' appears more than once")
        out[name] = value

    def fields(self, element, depth: int) -> dict:
        if depth > MAX_DEPTH:
            raise SerializationError(f"XML is nested deeper than {MAX_DEPTH} levels")
        out: dict = {}
        for child in self.children(element):
            _, name = _split_tag(child.tag)
            if name in schema.REF_ARRAY_ITEMS:
                out.setdefault(schema.REF_ARRAY_ITEMS[name], []).append(
                    self.value(child, name, depth + 1))
            elif name == "property" and child.get("key") is not None:
                # CIMI 1.x: bare <property key> elements directly in the resource.
                out.setdefault("properties", {})[child.get("key")] = child.text or ""
            elif name == "operation" and child.get("rel") is not None:
                # CIMI 1.x: bare <operation> elements.
                out.setdefault("operations", []).append(
                    self.attribute_struct(child, "operation", depth + 1))
            else:
                self.put(out, name, self.value(child, name, depth + 1))
        return out

    def value(self, element, name: str, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise SerializationError(f"XML is nested deeper than {MAX_DEPTH} levels")
        kids = self.children(element)
        attributes = dict(element.attrib)
        if not kids and not attributes:
            text = element.text or ""
            if not text.strip():
                # An empty id is the error Job's "" (4.2.2); any other <x/> is "erase".
                return "" if name == "id" else None
            return _typed(name, text)
        if name in schema.MAPS and "href" not in attributes:
            return self.map(element, kids)
        if name in schema.ARRAYS and "href" not in attributes:
            item_name, struct = schema.ARRAYS[name]
            if not kids or all(_split_tag(k.tag)[1] == item_name for k in kids):
                return [self.item(kid, item_name, struct, depth + 1) for kid in kids]
        if kids and "href" not in attributes and all(_split_tag(k.tag)[1][:1].isupper() for k in kids):
            return [self.resource(kid, depth + 1) for kid in kids]
        out = self.object(element, kids, attributes, depth)
        if name in schema.ARRAYS and "href" not in out:
            return [out]  # an array of one structure, given without its item element
        return out

    def object(self, element, kids, attributes: dict, depth: int) -> dict:
        out: dict = {}
        if "href" in attributes:
            out["href"] = attributes.pop("href")
        uri = attributes.pop("resourceURI", None)
        if uri:
            out["resourceURI"] = uri
        for key, raw in attributes.items():
            out[_split_tag(key)[1]] = _typed(_split_tag(key)[1], raw)
        if uri and schema.local_name(uri).endswith("Collection") or "count" in {
                _split_tag(k.tag)[1] for k in kids}:
            out.update(self.collection(element, depth))
        else:
            out.update(self.fields(element, depth))
        return out

    def item(self, element, item_name: str, struct: str | None, depth: int) -> object:
        if struct == "valueScope":
            return self.value_scope(element, depth)
        if struct in schema.ATTRIBUTE_STRUCTS:
            return self.attribute_struct(element, struct, depth)
        value = self.value(element, item_name, depth)
        # An empty item of an array of structures: a structure with every attribute defaulted.
        return {} if value is None and struct is not None else value

    def attribute_struct(self, element, struct: str, depth: int) -> dict:
        out = {}
        for key, raw in element.attrib.items():
            local = _split_tag(key)[1]
            out[local] = _typed(local, raw)
        text_field = schema.TEXT_FIELD.get(struct)
        kids = self.children(element)
        if text_field and not kids and (element.text or "").strip():
            out[text_field] = _guess_scalar(element.text)
        elif kids:
            out.update(self.fields(element, depth))
        return out

    def value_scope(self, element, depth: int) -> dict:
        """A valueScope map (5.5.14); repeated <value> elements are an enumeration
        (``values``), a single one an assigned ``value``."""
        if depth > MAX_DEPTH:
            raise SerializationError(f"XML is nested deeper than {MAX_DEPTH} levels")
        scopes: dict = {}
        for scoped in self.children(element):
            _, attribute = _split_tag(scoped.tag)
            scope: dict = {}
            values = []
            for part in self.children(scoped):
                _, key = _split_tag(part.tag)
                if key == "value":
                    values.append(_guess_scalar(part.text or ""))
                elif key == "item":
                    self.put(scope, "item", self.value_scope(part, depth + 1))
                else:
                    self.put(scope, key, _guess_scalar(part.text or ""))
            if len(values) == 1:
                scope["value"] = values[0]
            elif values:
                scope["values"] = values
            self.put(scopes, attribute, scope)
        return scopes

    def map(self, element, kids: list) -> dict:
        out = {}
        for kid in kids:
            key = kid.get("key")
            if key is None:
                raise SerializationError(f"'{_split_tag(element.tag)[1]}' entries need a key attribute")
            if key in out:
                raise SerializationError(f"key '{key[:40]}' appears more than once")
            out[key] = kid.text or ""
        return out


def parse_xml(body: bytes) -> dict:
    """Parse request XML (size already checked) into the JSON dict shape."""
    _refuse_doctype(body)
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") else exc).splitlines()[0][:120]
        raise SerializationError(f"malformed XML: {message}") from None
    except (ValueError, etree.LxmlError):
        raise SerializationError("malformed XML") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SerializationError(DOCTYPE_REFUSED)
    return _Reader().document(root)
