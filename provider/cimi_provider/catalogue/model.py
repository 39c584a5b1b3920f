"""The shapes the resource catalogue is made of.

One ``ResourceType`` per CIMI type describes everything the generic machinery needs: the URL
segment and CEP key, the attributes with their types and consumer flags (DSP0263 5.3), how the type
is created (by its own representation, or through a ``<Type>Create`` message with a template), its
custom actions with the states they are allowed from, and its sub-collections.
"""
from __future__ import annotations

from dataclasses import dataclass, field

NS = "http://schemas.dmtf.org/cimi/2"
NS_V1 = "http://schemas.dmtf.org/cimi/1"  # accepted on input, never produced
ACTION_NS = NS + "/action/"
CAPABILITY_NS = NS + "/capability/"
# Provider-defined actions (not in DSP0263): under the provider's extension namespace, the one
# ResourceMetadata names for its extension attributes.
EXTENSION_NS = "urn:cloudmgmt:dmtf:cimi-provider"
EXTENSION_ACTION_NS = EXTENSION_NS + "/action/"

# Value types of attributes (5.5). "struct:<Name>" is an inline structure from STRUCTS,
# "array:<type>" an array, "refval:<Type>" a reference or an inline value of that resource type,
# "ref:<Type>" a reference only, "collection:<Type>" a sub-collection reference.
SCALARS = {"string", "integer", "boolean", "dateTime", "URI", "map", "byte[]", "duration"}


@dataclass(frozen=True)
class Attr:
    name: str
    type: str
    writable: bool = False  # consumer may give it on create (consumerWritable)
    mutable: bool = False  # consumer may change it with PUT
    mandatory: bool = False  # consumerMandatory on create
    provider_mandatory: bool = False
    values: tuple = ()  # vscope: allowed values
    minimum: int | None = None
    maximum: int | None = None
    units: str | None = None
    write_only: bool = False  # accepted but never rendered (secrets)
    extension: bool = False  # provider extension, not in DSP0263 2.0 tables
    description: str = ""

    @property
    def kind(self) -> str:
        return self.type.split(":", 1)[0]

    @property
    def target(self) -> str | None:
        return self.type.split(":", 1)[1] if ":" in self.type else None


@dataclass(frozen=True)
class ActionSpec:
    name: str
    allowed_from: tuple  # states in which the action is available
    transitional: str | None = None  # state while it runs
    parameters: tuple = ()  # Attr list of the Action body beyond action/properties
    # Types whose representation the action's URI also takes as its body besides an Action
    # (a Machine's capture URI takes a MachineImage, 5.14.7.1).
    bodies: tuple = ()
    # A provider-defined action's URI prefix (not DSP0263's action namespace).
    namespace: str = ACTION_NS

    @property
    def uri(self) -> str:
        return self.namespace + self.name


@dataclass(frozen=True)
class SubCollection:
    attr: str  # attribute name on the parent, e.g. "disks"
    item_type: str  # catalogue type of the items, e.g. "Disk"
    items_key: str  # JSON array name in the collection
    collection_uri: str  # resourceURI of the collection
    insert: bool = False  # advertises insert/remove (references to existing resources)
    composed: bool = True  # items are deleted with the parent (5.10.2)
    # The CIMI 1.x type a POST of its own representation adds to this collection as an insert
    # would (1.x attached a Volume by adding a MachineVolume to the Machine's volumes).
    v1_item: str | None = None


@dataclass(frozen=True)
class Capability:
    name: str
    value: str
    description: str = ""


@dataclass
class ResourceType:
    name: str
    attrs: tuple
    path: str | None = None  # URL segment under the base URI for top-level types
    cep_key: str | None = None
    items_key: str | None = None
    create: str = "none"  # "self" | "template" | "none"
    template_attr: str | None = None
    template_type: str | None = None
    updatable: bool = True
    deletable: bool = True
    delete_from: tuple | None = None  # states from which delete is allowed (None: any)
    actions: dict = field(default_factory=dict)
    # operations on the type's top-level collection (SystemCollection ``import``): POSTed to
    # ``<path>/<name>`` with an Action body, advertised in the collection's ``operations``
    collection_actions: dict = field(default_factory=dict)
    states: tuple = ()
    subcollections: tuple = ()
    capabilities: tuple = ()
    common: bool = True  # has the common attributes of 5.7.1
    description: str = ""
    # XML element order (DSP0263 tables / pseudo-schemas): the type's own attributes in spec
    # order, after ``element_head``; attributes not listed (extensions) follow in document order.
    spec_order: tuple = ()
    element_head: tuple = ()  # () means COMMON_ELEMENTS

    @property
    def element_order(self) -> tuple:
        return (self.element_head or COMMON_ELEMENTS) + self.spec_order

    @property
    def uri(self) -> str:
        return f"{NS}/{self.name}"

    @property
    def collection_uri(self) -> str:
        return f"{NS}/{self.name}Collection"

    @property
    def create_uri(self) -> str:
        return f"{NS}/{self.name}Create"

    @property
    def create_messages(self) -> tuple:
        """The resourceURIs a create body may name: ``<Type>Create`` (5.5.12.1), and for a type
        created without a template also its own representation."""
        return (self.create_uri,) if self.create == "template" else (self.uri, self.create_uri)

    def attr(self, name: str) -> Attr | None:
        return self.attr_map.get(name)

    @property
    def attr_map(self) -> dict:
        cached = self.__dict__.get("_attr_map")
        if cached is None:
            cached = {a.name: a for a in self.all_attrs}
            self.__dict__["_attr_map"] = cached
        return cached

    @property
    def all_attrs(self) -> tuple:
        head = COMMON_ATTRS if self.common else (COMMON_ATTRS[0],)
        return head + tuple(self.attrs) + (OPERATIONS_ATTR,)

    def subcollection(self, attr: str) -> SubCollection | None:
        for sub in self.subcollections:
            if sub.attr == attr:
                return sub
        return None


COMMON_ATTRS = (
    Attr("id", "URI", provider_mandatory=True),
    Attr("name", "string", writable=True, mutable=True, provider_mandatory=True),
    Attr("description", "string", writable=True, mutable=True, provider_mandatory=True),
    Attr("created", "dateTime"),
    Attr("updated", "dateTime"),
    Attr("properties", "map", writable=True, mutable=True),
)
OPERATIONS_ATTR = Attr("operations", "array:operation")
# The common attributes' element order (Table 5), including those this provider does not serve.
COMMON_ELEMENTS = ("id", "name", "description", "created", "updated", "parent", "properties",
                   "resourceMetadata")
