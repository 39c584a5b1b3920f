"""DSP0263 element orders of what is not a resource type served here: the Collection and Action
messages, ``*Create`` messages beyond a template, named structures, a spec type the provider
reads but does not serve, and the CEP's collection keys. Served types carry their own order
(``ResourceType.spec_order``); ``serialization/schema.py`` derives the XML tables from both.
"""
from __future__ import annotations

# Every CEP collection key of 2.0 in spec order (5.12); the served ones are CEP_ORDER.
CEP_SPEC_KEYS = (
    "resourceMetadata", "systems", "systemTemplates", "machines", "machineTemplates",
    "machineConfigs", "machineImages", "credentials", "credentialTemplates", "volumes",
    "volumeTemplates", "volumeConfigs", "volumeImages", "networks", "networkTemplates",
    "segments", "segmentTemplates", "endpoints", "endpointTemplates", "interfaces",
    "interfaceTemplates", "networkServices", "networkServiceTemplates", "jobs", "meters",
    "meterTemplates", "meterConfigs", "eventLogs", "eventLogTemplates",
)

# Own attributes (after the common ones) of spec types and messages that are not served types.
SPEC_ONLY_ORDERS = {
    "NetworkInterfaceTemplate": ("initialState", "endpoints", "speed", "mtu",
                                 "meterTemplates", "eventLogTemplate"),
    # A MachineImage is created from its own representation; this is the 1.x message name.
    "MachineImageCreate": ("imageLocation",),
}

# Messages and structures with a fixed full order (no common-attribute prefix).
FULL_ORDERS = {
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

# Keys whose nested object (without a resourceURI) has this type, beyond the served
# reference attributes (spec attributes this provider does not serve).
SPEC_NESTED_TYPES = {"latestSnapshot": "MachineImage", "system": "System",
                     "machine": "Machine"}

# Spec attributes read from XML as integers / booleans that no served attribute declares.
SPEC_INTEGERS = frozenset({"count", "prefixLength", "low", "medium", "high", "critical"})
SPEC_BOOLEANS = frozenset({"available", "providerMandatory", "consumerMandatory", "mutable",
                           "consumerWritable", "required", "noDefaultRouting", "isContinuous"})

# CIMI 1.x attribute names read as their 2.0 names (the provider serves 2.0, tolerating 1.x):
# a 1.x Machine's MachineNetworkInterface collection is the 2.0 ``interfaces``.
V1_ATTRIBUTE_NAMES = {"networkInterfaces": "interfaces"}
