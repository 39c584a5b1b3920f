# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""XML tables for rendering and reading, derived from the catalogue (DSP0263 2.0).

Element order = spec order: the common attributes (Table 5) first, then the type's own
attributes in its table / pseudo-schema order; attributes not listed (provider
extensions) follow in the order given; ``operations`` is always last.
"""
from __future__ import annotations

from ..catalogue import COMMON_ELEMENTS as COMMON, NS, NS_V1, STRUCTS, TYPES
from ..catalogue.wire import FULL_ORDERS, SPEC_BOOLEANS, SPEC_INTEGERS, SPEC_NESTED_TYPES, \
    SPEC_ONLY_ORDERS

# "" (no namespace at all): what 1.x clients often sent; read as CIMI 2.0.
ACCEPTED_NAMESPACES = frozenset({NS, NS_V1, ""})


def _orders() -> dict:
    out = {name: rtype.element_order for name, rtype in TYPES.items()}
    for name, own in SPEC_ONLY_ORDERS.items():
        out[name] = COMMON + own
    for rtype in TYPES.values():  # *Create messages (5.5.12.1): common attributes, the template
        if rtype.create == "template":
            out[f"{rtype.name}Create"] = COMMON + (rtype.template_attr,)
    out.update(FULL_ORDERS)
    return out


_ORDERS = _orders()


def attribute_order(type_name: str | None) -> tuple[str, ...]:
    """Known attribute order of a type (without ``operations``); () when unknown."""
    if type_name in _ORDERS:
        return _ORDERS[type_name]
    if type_name and type_name.endswith("Collection"):
        return _ORDERS["Collection"]
    return COMMON if type_name else ()


def _every_attr():
    for rtype in TYPES.values():
        yield from rtype.all_attrs
        for action in rtype.actions.values():
            yield from action.parameters
    for attrs in STRUCTS.values():
        yield from attrs


def _nested_types() -> dict:
    out = dict(SPEC_NESTED_TYPES)
    for attr in _every_attr():
        if attr.kind in ("ref", "refval") and attr.target in TYPES:
            out.setdefault(attr.name, attr.target)
    for rtype in TYPES.values():
        if rtype.template_attr:
            out.setdefault(rtype.template_attr, rtype.template_type)
    return out


def _names_of(*kinds) -> frozenset:
    return frozenset(a.name for a in _every_attr()
                     if a.type in kinds or a.type in {f"array:{k}" for k in kinds})


# Type of a nested object found under a key (when it carries no resourceURI).
NESTED_TYPES = _nested_types()

# Arrays of structures: key -> (XML item element name, structure type) (5.5.11).
ARRAYS = {
    "disks": ("disk", "disk"),
    "volumes": ("volume", "volumeItem"),
    "volumeTemplates": ("volumeTemplate", "volumeTemplateItem"),
    "interfaceTemplates": ("interfaceTemplate", "NetworkInterfaceTemplate"),
    "componentDescriptors": ("componentDescriptor", "componentDescriptor"),
    "serviceDescriptors": ("serviceDescriptor", None),
    "meterTemplates": ("meterTemplate", None),
    "segmentTemplates": ("segmentTemplate", None),
    "serviceTemplates": ("serviceTemplate", None),
    "subnetworks": ("subnetwork", None),
    "subnetworkTemplates": ("subnetworkTemplate", None),
    "operations": ("operation", "operation"),
    "attributes": ("attribute", "attribute"),
    "capabilities": ("capability", "capability"),
    "actions": ("action", "action"),
    "vscope": ("valueScope", "valueScope"),
}

# Structures serialized with their scalar fields as XML attributes (5.5.8, 4.2,
# ResourceMetadata pseudo-schema); a capability's value is the element text.
ATTRIBUTE_STRUCTS = frozenset({"operation", "attribute", "capability", "action"})
TEXT_FIELD = {"capability": "value"}

# Arrays of references: bare repeated elements, no wrapper (5.5.11).
REF_ARRAYS = {"affectedResources": "affectedResource", "nestedJobs": "nestedJob"}
REF_ARRAY_ITEMS = {item: key for key, item in REF_ARRAYS.items()}

# Maps: <properties><property key="k">v</property></properties> (5.5.7, 5.7.1).
MAPS = {"properties": "property", "parameters": "parameter"}

INTEGER_ATTRIBUTES = _names_of("integer") | SPEC_INTEGERS
BOOLEAN_ATTRIBUTES = _names_of("boolean") | SPEC_BOOLEANS
# xs:anyURI collapses whitespace: the spec's own examples put the action URI on its own line.
URI_ATTRIBUTES = _names_of("URI")

# Collection item element names when items carry no resourceURI.
ITEM_TYPES = {rtype.items_key: rtype.name for rtype in TYPES.values() if rtype.items_key}
for _sub in (sub for rtype in TYPES.values() for sub in rtype.subcollections):
    ITEM_TYPES.setdefault(_sub.items_key, _sub.item_type)  # "volumes" stays Volume


def local_name(resource_uri: str) -> str:
    """``http://schemas.dmtf.org/cimi/2/Machine`` -> ``Machine``."""
    return resource_uri.rstrip("/").rsplit("/", 1)[-1]


def namespace_of(resource_uri: str) -> str:
    head, sep, _ = resource_uri.rstrip("/").rpartition("/")
    return head if sep else NS


def singular(key: str) -> str:
    return key[:-1] if key.endswith("s") and len(key) > 1 else key
