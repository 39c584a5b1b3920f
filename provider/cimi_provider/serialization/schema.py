# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Type tables from DSP0263 2.0 that drive both XML rendering and XML reading.

Element order = spec order: the common attributes (Table 5) first, then the type's own
attributes in its table / pseudo-schema order; attributes not listed (provider
extensions) follow in the order given; ``operations`` is always last.
"""
from __future__ import annotations

NS = "http://schemas.dmtf.org/cimi/2"
NS_V1 = "http://schemas.dmtf.org/cimi/1"
ACCEPTED_NAMESPACES = frozenset({NS, NS_V1})

COMMON = ("id", "name", "description", "created", "updated", "parent", "properties",
          "resourceMetadata")

CEP_COLLECTIONS = (
    "resourceMetadata", "systems", "systemTemplates", "machines", "machineTemplates",
    "machineConfigs", "machineImages", "credentials", "credentialTemplates", "volumes",
    "volumeTemplates", "volumeConfigs", "volumeImages", "networks", "networkTemplates",
    "segments", "segmentTemplates", "endpoints", "endpointTemplates", "interfaces",
    "interfaceTemplates", "networkServices", "networkServiceTemplates", "jobs", "meters",
    "meterTemplates", "meterConfigs", "eventLogs", "eventLogTemplates",
)

_CREDENTIAL = ("parameters", "userName", "password", "key")  # Tables 22-25

# Own attributes of each resource type, in spec table order (common ones come first).
_OWN = {
    "ResourceMetadata": ("typeURI", "attributes", "vscope", "capabilities", "actions"),
    "System": ("state", "systems", "machines", "credentials", "volumes", "networks",
               "networkServices", "services", "meters", "eventLog"),
    "SystemTemplate": ("componentDescriptors", "serviceDescriptors", "meterTemplates",
                       "eventLogTemplate", "importImage", "genResourceMetadata"),
    "Machine": ("state", "cpu", "memory", "disks", "cpuArch", "cpuSpeed", "volumes",
                "interfaces", "latestSnapshot", "snapshots", "meters", "eventLog"),
    "Disk": ("capacity", "initialLocation"),
    "locatedVolume": ("volume", "initialLocation"),
    "MachineTemplate": ("initialState", "machineConfig", "machineImage", "credential",
                        "volumes", "volumeTemplates", "interfaceTemplates", "userData",
                        "meterTemplates", "eventLogTemplate", "genResourceMetadata"),
    "MachineConfiguration": ("cpu", "memory", "disks", "cpuArch", "cpuSpeed"),
    "MachineImage": ("state", "type", "imageLocation", "relatedImage"),
    "Credential": _CREDENTIAL,
    "CredentialTemplate": _CREDENTIAL,
    "Volume": ("state", "type", "capacity", "bootable", "images", "meters", "eventLog"),
    "VolumeTemplate": ("volumeConfig", "volumeImage", "meterTemplates", "eventLogTemplate",
                       "genResourceMetadata"),
    "VolumeConfiguration": ("type", "format", "capacity"),
    "VolumeImage": ("state", "imageLocation", "bootable"),
    "Network": ("state", "segments", "services", "subnetworks", "meters", "eventLog"),
    "NetworkTemplate": ("initialState", "segments", "segmentTemplates", "services",
                        "serviceTemplates", "subnetworks", "subnetworkTemplates",
                        "meterTemplates", "eventLogTemplate", "genResourceMetadata"),
    "NetworkInterface": ("state", "endpoints", "speed", "mtu", "meters", "eventLog"),
    "NetworkInterfaceTemplate": ("initialState", "endpoints", "speed", "mtu",
                                 "meterTemplates", "eventLogTemplate"),
    "ProtocolEndpoint": ("state", "protocol", "address", "origin", "interface", "parameters",
                         "meters", "eventLog"),
    "Job": ("state", "targetResource", "affectedResources", "action", "returnCode",
            "progress", "statusMessage", "timeOfStatusChange", "parentJob", "nestedJobs"),
    # *Create request types (5.5.12.1, 4.2.1.1): common attributes, then the template.
    "MachineCreate": ("machineTemplate",),
    "VolumeCreate": ("volumeTemplate",),
    "NetworkCreate": ("networkTemplate",),
    "CredentialCreate": ("credentialTemplate",),
    "SystemCreate": ("systemTemplate",),
    "MachineImageCreate": ("imageLocation",),
}

# Types with a fixed full order (no common-attribute prefix).
_FULL = {
    "CloudEntryPoint": ("id", "name", "description", "created", "updated", "parent",
                        "properties", "baseURI") + CEP_COLLECTIONS,
    "Collection": ("id", "updated", "parent", "count"),
    # Action (4.2.1.4 and the per-action clauses): the action URI first, then its parameters.
    "Action": ("action", "force", "volume", "initialLocation", "credentials", "image",
               "format", "destination", "source", "properties"),
    # Named structures (5.5.8) used inside resources.
    "disk": ("capacity", "format", "initialLocation"),
    "volumeItem": ("initialLocation", "credential", "volume"),
    "volumeTemplateItem": ("initialLocation", "volumeTemplate"),
    "componentDescriptor": ("name", "description", "properties", "type", "machineTemplate",
                            "volumeTemplate", "networkTemplate", "credentialTemplate",
                            "systemTemplate", "machine", "volume", "network", "credential",
                            "system", "quantity"),
    "operation": ("rel", "href", "available"),
    "attribute": ("name", "namespace", "type", "providerMandatory", "consumerMandatory",
                  "mutable", "consumerWritable"),
    "capability": ("name", "uri", "description", "value"),
    "action": ("name", "uri", "description", "method", "inputMessage", "outputMessage"),
}


def attribute_order(type_name: str | None) -> tuple[str, ...]:
    """Known attribute order of a type (without ``operations``); () when unknown."""
    if type_name in _FULL:
        return _FULL[type_name]
    if type_name in _OWN:
        return COMMON + _OWN[type_name]
    if type_name and type_name.endswith("Collection"):
        return _FULL["Collection"]
    return COMMON if type_name else ()


KNOWN_TYPES = frozenset(_OWN) | frozenset({"CloudEntryPoint", "Action"})

# Type of a nested object found under a key (when it carries no resourceURI).
NESTED_TYPES = {
    "machineTemplate": "MachineTemplate", "machineConfig": "MachineConfiguration",
    "machineImage": "MachineImage", "credential": "Credential",
    "credentialTemplate": "CredentialTemplate", "volumeTemplate": "VolumeTemplate",
    "volumeConfig": "VolumeConfiguration", "volumeImage": "VolumeImage",
    "networkTemplate": "NetworkTemplate", "systemTemplate": "SystemTemplate",
    "network": "Network", "volume": "Volume", "machine": "Machine", "system": "System",
    "parentJob": "Job", "relatedImage": "MachineImage", "latestSnapshot": "MachineImage",
}

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

INTEGER_ATTRIBUTES = frozenset({
    "cpu", "memory", "cpuSpeed", "capacity", "quantity", "progress", "returnCode", "mtu",
    "speed", "count", "prefixLength", "low", "medium", "high", "critical",
})
BOOLEAN_ATTRIBUTES = frozenset({
    "force", "bootable", "available", "providerMandatory", "consumerMandatory", "mutable",
    "consumerWritable", "required", "noDefaultRouting", "isContinuous",
})

# Collection item element names when items carry no resourceURI.
ITEM_TYPES = {
    "machines": "Machine", "machineTemplates": "MachineTemplate",
    "machineConfigurations": "MachineConfiguration", "machineImages": "MachineImage",
    "credentials": "Credential", "credentialTemplates": "CredentialTemplate",
    "volumes": "Volume", "volumeTemplates": "VolumeTemplate",
    "volumeConfigurations": "VolumeConfiguration", "volumeImages": "VolumeImage",
    "networks": "Network", "networkTemplates": "NetworkTemplate", "systems": "System",
    "systemTemplates": "SystemTemplate", "jobs": "Job", "resourceMetadatas": "ResourceMetadata",
    "disks": "Disk", "interfaces": "NetworkInterface", "endpoints": "ProtocolEndpoint",
}


def local_name(resource_uri: str) -> str:
    """``http://schemas.dmtf.org/cimi/2/Machine`` -> ``Machine``."""
    return resource_uri.rstrip("/").rsplit("/", 1)[-1]


def namespace_of(resource_uri: str) -> str:
    head, sep, _ = resource_uri.rstrip("/").rpartition("/")
    return head if sep else NS


def singular(key: str) -> str:
    return key[:-1] if key.endswith("s") and len(key) > 1 else key
