"""The resource catalogue: one table entry per CIMI 2.0 type served by this provider."""
from __future__ import annotations

from .model import (COMMON_ELEMENTS, EXTENSION_ACTION_NS, NS, ActionSpec, Attr, Capability,
                    ResourceType, SubCollection)
from .wire import CEP_SPEC_KEYS

# MIGRATING (last: SYSTEM_STATES slices the standard ones): the provider-defined migrate action.
MACHINE_STATES = ("CREATING", "STARTING", "STARTED", "STOPPING", "STOPPED", "PAUSING", "PAUSED",
                  "SUSPENDING", "SUSPENDED", "CAPTURING", "RESTORING", "DELETING", "ERROR",
                  "FAILED", "MIGRATING")
MACHINE_INITIAL_STATES = ("STARTED", "STOPPED")
NETWORK_STATES = ("CREATING", "STARTING", "STARTED", "STOPPING", "STOPPED", "DELETING", "ERROR")
VOLUME_STATES = ("CREATING", "AVAILABLE", "CAPTURING", "RESTORING", "DELETING", "ERROR")
IMAGE_STATES = ("CREATING", "AVAILABLE", "DELETING", "ERROR")
# Extension: why the provider last changed the state on its own (e.g. the backend object was
# removed outside the provider); absent once a later observation clears it.
STATUS_MESSAGE = Attr("statusMessage", "string", extension=True)
# The EventLog of a Machine, Volume, Network or System (5.17.2), made with its first Event.
EVENT_LOG_REF = Attr("eventLog", "ref:EventLog")
EVENT_TYPES = tuple(NS + "/event/" + t for t in ("state", "alarm", "model", "access"))
EVENT_OUTCOMES = ("Pending", "Unknown", "Status", "Success", "Warning", "Failure")
EVENT_SEVERITIES = ("low", "medium", "high", "critical")
# Meters (5.16): the standard aspects (Table 51) and the units this provider samples them in.
ASPECT_NS = NS + "/aspect/"
ASPECT_UNITS = {"cpu": "nanosecond", "memory": "kibibyte", "disk": "byte", "bandwidth": "byte",
                "inputBandwidth": "byte", "outputBandwidth": "byte"}
ASPECTS = tuple(ASPECT_NS + a for a in ASPECT_UNITS)
METER_STATES = ("STARTED", "STOPPED")
SYSTEM_STATES = ("CREATING",) + MACHINE_STATES[1:11] + ("MIXED", "DELETING", "ERROR")
JOB_STATES = ("QUEUED", "RUNNING", "FAILED", "SUCCESS", "STOPPING", "STOPPED")
JOB_ACTIVE = ("QUEUED", "RUNNING", "STOPPING")
JOB_TERMINAL = ("SUCCESS", "FAILED", "STOPPED")
CPU_ARCHS = ("68000", "Alpha", "ARM", "Itanium", "MIPS", "PA_RISC", "POWER", "PowerPC", "x86",
             "x86_64", "z/Architecture", "SPARC")
MACHINE_STABLE = ("STARTED", "STOPPED", "PAUSED", "SUSPENDED", "ERROR", "FAILED")

FORCE = Attr("force", "boolean", writable=True)
# The body of a POST to a Machine's volumes: insert or remove a Volume (5.11.6).
VOLUME_ACTION_PARAMS = (
    Attr("action", "URI", writable=True),
    Attr("volume", "ref:Volume", writable=True, mandatory=True),
    Attr("initialLocation", "string", writable=True),
    Attr("properties", "map", writable=True),
)

# Inline structures used inside resources and templates.
STRUCTS = {
    "disk": (
        Attr("capacity", "integer", writable=True, mutable=True, mandatory=True, minimum=1,
             units="kilobyte"),
        Attr("format", "string", writable=True, mutable=True),
        Attr("initialLocation", "string", writable=True, mutable=True),
    ),
    "volumeRef": (
        Attr("volume", "ref:Volume", writable=True, mandatory=True),
        Attr("initialLocation", "string", writable=True),
    ),
    "volumeTemplateRef": (
        Attr("volumeTemplate", "refval:VolumeTemplate", writable=True, mandatory=True),
        Attr("initialLocation", "string", writable=True),
    ),
    "interfaceTemplate": (
        Attr("name", "string", writable=True),
        Attr("description", "string", writable=True),
        Attr("network", "ref:Network", writable=True, extension=True),
        Attr("mtu", "integer", writable=True, minimum=68, maximum=65535),
    ),
    "eventSummary": tuple(Attr(n, "integer") for n in ("low", "medium", "high", "critical")),
    "componentDescriptor": (
        Attr("name", "string", writable=True, mandatory=True),
        Attr("description", "string", writable=True),
        Attr("properties", "map", writable=True),
        Attr("type", "URI", writable=True, mandatory=True,
             values=(NS + "/Machine", NS + "/Volume", NS + "/Network")),
        Attr("machineTemplate", "refval:MachineTemplate", writable=True),
        Attr("volumeTemplate", "refval:VolumeTemplate", writable=True),
        Attr("networkTemplate", "refval:NetworkTemplate", writable=True),
        Attr("quantity", "integer", writable=True, minimum=1, maximum=100),
    ),
}


def _w(name, type_, **kw):
    """A consumer-writable attribute (create and update) of a configuration-like resource."""
    return Attr(name, type_, writable=True, mutable=True, **kw)


METER_CONFIG_ATTRS = (
    _w("aspect", "URI", mandatory=True, values=ASPECTS),
    _w("units", "string"),
    _w("sampleInterval", "integer", minimum=1, maximum=86400, units="second"),
    _w("timeScope", "string", values=("Point", "Interval")),
    _w("intervalDuration", "duration"),
    _w("isContinuous", "boolean"),
)

MACHINE_CONFIG_ATTRS = (
    _w("cpu", "integer", mandatory=True, minimum=1, maximum=1024),
    _w("memory", "integer", mandatory=True, minimum=1, units="kibibyte"),
    _w("disks", "array:struct:disk"),
    _w("cpuArch", "string"),
    _w("cpuSpeed", "integer", minimum=1, units="megahertz"),
)

MACHINE_TEMPLATE_ATTRS = (
    _w("initialState", "string", values=MACHINE_INITIAL_STATES),
    _w("machineConfig", "refval:MachineConfiguration", mandatory=True),
    _w("machineImage", "ref:MachineImage"),
    _w("credential", "refval:Credential"),
    _w("volumes", "array:struct:volumeRef"),
    _w("volumeTemplates", "array:struct:volumeTemplateRef"),
    _w("interfaceTemplates", "array:struct:interfaceTemplate"),
    _w("userData", "string"),
    _w("meterTemplates", "array:ref:MeterTemplate"),
)

VOLUME_CONFIG_ATTRS = (
    _w("type", "URI"),
    _w("format", "string"),
    _w("capacity", "integer", mandatory=True, minimum=1, units="kilobyte"),
)

VOLUME_TEMPLATE_ATTRS = (
    _w("volumeConfig", "refval:VolumeConfiguration", mandatory=True),
    _w("volumeImage", "ref:VolumeImage"),
)

NETWORK_TEMPLATE_ATTRS = (
    _w("initialState", "string", values=("STARTED", "STOPPED")),
    # Extension: the host's own IPv4 address on the network ("169.254.10.1/24"); the network
    # stays isolated (never forwarded or NATed). Absent: the host has no address on it.
    _w("hostAddress", "string", extension=True),
)

CREDENTIAL_TEMPLATE_ATTRS = (
    _w("userName", "string", extension=True),
    _w("password", "string", write_only=True, extension=True),
    _w("key", "byte[]", extension=True),
)

CREDENTIAL_ORDER = ("parameters", "userName", "password", "key")  # Tables 22-25

SYSTEM_TEMPLATE_ATTRS = (
    _w("componentDescriptors", "array:struct:componentDescriptor"),
)


def _machine_actions():
    a = ActionSpec
    return {
        "start": a("start", ("STOPPED", "PAUSED", "SUSPENDED"), "STARTING"),
        "stop": a("stop", ("STARTED", "PAUSED", "SUSPENDED", "STOPPING"), "STOPPING", (FORCE,)),
        "restart": a("restart", ("STARTED", "STOPPED"), "STARTING", (FORCE,)),
        "pause": a("pause", ("STARTED",), "PAUSING"),
        "suspend": a("suspend", ("STARTED", "PAUSED"), "SUSPENDING"),
        "capture": a("capture", ("STOPPED",), "CAPTURING", (
            Attr("name", "string", writable=True), Attr("description", "string", writable=True)),
            bodies=("MachineImage",)),
        # Provider-defined: move the machine to another backend host (libvirt with several
        # --libvirt-uri); it ends in the state it had. Default host: the placement policy's.
        "migrate": a("migrate", ("STARTED", "STOPPED"), "MIGRATING", (
            Attr("host", "string", writable=True, extension=True,
                 description="label of the target host (default: the least loaded other one)"),),
            namespace=EXTENSION_ACTION_NS),
    }


def _system_actions():
    # Available unless the System itself is being created or deleted; per component the
    # machine rules apply (5.13.1.2).
    allowed = SYSTEM_STATES[1:12]
    actions = {n: ActionSpec(n, allowed, None, (FORCE,) if n in ("stop", "restart") else ())
               for n in ("start", "stop", "restart", "pause", "suspend")}
    actions["export"] = ActionSpec("export", SYSTEM_EXPORT_FROM, None, SYSTEM_EXPORT_PARAMS)
    return actions


# System export (DSP0263 5.13.1.2) and SystemCollection import (5.13.1.1): OVF packages.
OVF_MEDIA_TYPE = "application/ovf"
SYSTEM_EXPORT_FROM = ("STOPPED",)  # a consistent copy of every disk needs stopped machines
SYSTEM_EXPORT_PARAMS = (
    Attr("format", "string", writable=True, values=(OVF_MEDIA_TYPE,),
         description="the package format; only application/ovf (an OVA) is written"),
    Attr("destination", "URI", writable=True, mandatory=True,
         description="file:///path/name.ova under an export root (--export-root)"),
)
SYSTEM_IMPORT_PARAMS = (
    Attr("source", "URI", writable=True, mandatory=True,
         description="file:///path of an .ova or .ovf under an import root (--import-root)"),
    Attr("format", "string", writable=True, values=(OVF_MEDIA_TYPE,)),
    Attr("name", "string", writable=True, description="the System's name"),
    Attr("description", "string", writable=True),
    Attr("deploymentOption", "string", writable=True, extension=True,
         description="the OVF DeploymentOptionSection configuration to use"),
    Attr("networkMap", "map", writable=True, extension=True,
         description="OVF network name -> href of an existing Network; unmapped OVF "
                     "networks become new isolated Networks of the System"),
    Attr("ovfProperties", "map", writable=True, extension=True,
         description="ProductSection property values (key, class.key.instance or "
                     "<system id>.key), delivered by the OVF environment"),
)


def _cap(resource, name, value, description=""):
    return Capability(f"{resource}/{name}", value, description)


TYPES = {}


def _register(t: ResourceType) -> ResourceType:
    TYPES[t.name] = t
    return t


_register(ResourceType(
    "CloudEntryPoint", (Attr("baseURI", "URI", provider_mandatory=True),),
    path="cloudEntryPoint", deletable=False,
    capabilities=tuple(_cap("CloudEntryPoint", n, "true") for n in (
        "FilterParameter", "FirstParameter", "SelectParameter", "ExpandParameter",
        "OrderByParameter", "FormatParameter", "QueryPathNotation")),
    spec_order=("baseURI",) + CEP_SPEC_KEYS, element_head=COMMON_ELEMENTS[:-1],
))
_register(ResourceType(
    "ResourceMetadata", (
        Attr("typeURI", "URI", provider_mandatory=True),
        Attr("attributes", "array:any"), Attr("vscope", "array:any"),
        Attr("capabilities", "array:any"), Attr("actions", "array:any"),
    ),
    path="resourceMetadata", cep_key="resourceMetadata", items_key="resourceMetadatas",
    updatable=False, deletable=False,
    spec_order=("typeURI", "attributes", "vscope", "capabilities", "actions"),
))
_register(ResourceType(
    "Machine", (
        Attr("state", "string", values=MACHINE_STATES),
        Attr("cpu", "integer"), Attr("memory", "integer", units="kibibyte"),
        Attr("disks", "collection:Disk"), Attr("cpuArch", "string"), Attr("cpuSpeed", "integer"),
        Attr("volumes", "collection:locatedVolume"),
        Attr("interfaces", "collection:NetworkInterface"),
        Attr("machineConfig", "ref:MachineConfiguration", extension=True),
        Attr("machineImage", "ref:MachineImage", extension=True), STATUS_MESSAGE,
        EVENT_LOG_REF, Attr("meters", "collection:Meter"),
        # The backend host it runs on (the libvirt backend's --libvirt-uri label).
        Attr("host", "string", extension=True),
    ),
    path="machines", cep_key="machines", items_key="machines", create="template",
    template_attr="machineTemplate", template_type="MachineTemplate",
    delete_from=MACHINE_STABLE, actions=_machine_actions(), states=MACHINE_STATES,
    subcollections=(
        SubCollection("disks", "Disk", "disks", NS + "/DiskCollection"),
        SubCollection("volumes", "locatedVolume", "volumes", NS + "/locatedVolumeCollection",
                      insert=True, v1_item="MachineVolume"),
        SubCollection("interfaces", "NetworkInterface", "interfaces",
                      NS + "/NetworkInterfaceCollection"),
        SubCollection("meters", "Meter", "meters", NS + "/MeterCollection", composed=False),
    ),
    capabilities=(
        _cap("Machine", "DefaultInitialState", "STOPPED"),
        _cap("Machine", "InitialStates", "STARTED,STOPPED"),
        _cap("Machine", "MachineTemplateByValue", "true"),
        _cap("Machine", "MachineConfigByValue", "true"),
        _cap("Machine", "MachineCredentialByValue", "true"),
        _cap("Machine", "MachineStopForce", "true"),
        _cap("Machine", "MachineStopForceDefault", "false"),
        _cap("Machine", "UserData", "metadata"),
    ),
    spec_order=("state", "cpu", "memory", "disks", "cpuArch", "cpuSpeed", "volumes",
                "interfaces", "latestSnapshot", "snapshots", "meters", "eventLog"),
))
_register(ResourceType(
    "Disk", (
        Attr("capacity", "integer", units="kilobyte"), Attr("format", "string"),
        Attr("initialLocation", "string"),
    ), updatable=False, deletable=False,
    spec_order=("capacity", "initialLocation"),
))
_register(ResourceType(
    "locatedVolume", (Attr("volume", "ref:Volume"), Attr("initialLocation", "string")),
    common=False, updatable=False,  # delete detaches (the 1.x MachineVolume's delete)
    spec_order=("volume", "initialLocation"),
))
_register(ResourceType(
    "NetworkInterface", (
        Attr("state", "string", values=("CREATING", "ENABLED", "DISABLED", "DELETING", "ERROR")),
        Attr("endpoints", "collection:ProtocolEndpoint"),
        Attr("speed", "integer"), Attr("mtu", "integer"),
        Attr("network", "ref:Network", extension=True),
        Attr("macAddress", "string", extension=True),
    ), updatable=False, deletable=False,
    subcollections=(SubCollection("endpoints", "ProtocolEndpoint", "endpoints",
                                  NS + "/ProtocolEndpointCollection"),),
    spec_order=("state", "endpoints", "speed", "mtu", "meters", "eventLog"),
))
_register(ResourceType(
    "ProtocolEndpoint", (
        Attr("state", "string", values=("CREATING", "ENABLED", "DISABLED", "DELETING", "ERROR")),
        Attr("protocol", "string", values=("Ethernet", "IPv4", "IPv6")),
        Attr("address", "string"), Attr("origin", "string", values=("STATIC", "DYNAMIC")),
        Attr("interface", "ref:NetworkInterface"),
    ), updatable=False, deletable=False,
    spec_order=("state", "protocol", "address", "origin", "interface", "parameters",
                "meters", "eventLog"),
))
_register(ResourceType(
    "MachineConfiguration", MACHINE_CONFIG_ATTRS, path="machineConfigs", cep_key="machineConfigs",
    items_key="machineConfigurations", create="self",
    spec_order=("cpu", "memory", "disks", "cpuArch", "cpuSpeed"),
))
_register(ResourceType(
    "MachineImage", (
        Attr("state", "string", values=IMAGE_STATES),
        _w("type", "string", values=("IMAGE", "SNAPSHOT", "PARTIAL_SNAPSHOT")),
        Attr("imageLocation", "URI", writable=True, mandatory=True),
        _w("relatedImage", "ref:MachineImage"), STATUS_MESSAGE,
    ),
    path="machineImages", cep_key="machineImages", items_key="machineImages", create="self",
    delete_from=("AVAILABLE", "ERROR"), states=IMAGE_STATES,
    spec_order=("state", "type", "imageLocation", "relatedImage"),
))
_register(ResourceType(
    "MachineTemplate", MACHINE_TEMPLATE_ATTRS, path="machineTemplates", cep_key="machineTemplates",
    items_key="machineTemplates", create="self",
    spec_order=("initialState", "machineConfig", "machineImage", "credential",
                "volumes", "volumeTemplates", "interfaceTemplates", "userData",
                "meterTemplates", "eventLogTemplate", "genResourceMetadata"),
))
_register(ResourceType(
    "Credential", CREDENTIAL_TEMPLATE_ATTRS[:1] + (
        # Writable in an inline value (a MachineTemplate's credential); kept as a hash only.
        Attr("password", "string", writable=True, write_only=True, extension=True),
        Attr("key", "byte[]", extension=True)),
    path="credentials", cep_key="credentials", items_key="credentials", create="template",
    template_attr="credentialTemplate", template_type="CredentialTemplate",
    spec_order=CREDENTIAL_ORDER,
))
_register(ResourceType(
    "CredentialTemplate", CREDENTIAL_TEMPLATE_ATTRS, path="credentialTemplates",
    cep_key="credentialTemplates", items_key="credentialTemplates", create="self",
    spec_order=CREDENTIAL_ORDER,
))
_register(ResourceType(
    "Volume", (
        Attr("state", "string", values=VOLUME_STATES), Attr("type", "URI"),
        Attr("capacity", "integer", units="kilobyte"), Attr("bootable", "boolean"),
        Attr("volumeConfig", "ref:VolumeConfiguration", extension=True), STATUS_MESSAGE,
        EVENT_LOG_REF,
    ),
    path="volumes", cep_key="volumes", items_key="volumes", create="template",
    template_attr="volumeTemplate", template_type="VolumeTemplate",
    delete_from=("AVAILABLE", "ERROR"), states=VOLUME_STATES,
    capabilities=(_cap("Volume", "VolumeTemplateByValue", "true"),
                  _cap("Volume", "VolumeConfigByValue", "true"),
                  _cap("Volume", "SharedVolumeSupport", "false")),
    spec_order=("state", "type", "capacity", "bootable", "images", "meters", "eventLog"),
))
_register(ResourceType(
    "VolumeConfiguration", VOLUME_CONFIG_ATTRS, path="volumeConfigs", cep_key="volumeConfigs",
    items_key="volumeConfigurations", create="self",
    spec_order=("type", "format", "capacity"),
))
_register(ResourceType(
    "VolumeImage", (
        Attr("state", "string", values=IMAGE_STATES),
        Attr("imageLocation", "URI", writable=True, mandatory=True),
        _w("bootable", "boolean"),
    ),
    path="volumeImages", cep_key="volumeImages", items_key="volumeImages", create="self",
    states=IMAGE_STATES,
    spec_order=("state", "imageLocation", "bootable"),
))
_register(ResourceType(
    "VolumeTemplate", VOLUME_TEMPLATE_ATTRS, path="volumeTemplates", cep_key="volumeTemplates",
    items_key="volumeTemplates", create="self",
    spec_order=("volumeConfig", "volumeImage", "meterTemplates", "eventLogTemplate",
                "genResourceMetadata"),
))
_register(ResourceType(
    "Network", (Attr("state", "string", values=NETWORK_STATES), STATUS_MESSAGE,
                Attr("hostAddress", "string", extension=True), EVENT_LOG_REF),
    path="networks", cep_key="networks", items_key="networks", create="template",
    template_attr="networkTemplate", template_type="NetworkTemplate",
    delete_from=("STARTED", "STOPPED", "ERROR"), states=NETWORK_STATES,
    actions={"start": ActionSpec("start", ("STOPPED",), "STARTING"),
             "stop": ActionSpec("stop", ("STARTED",), "STOPPING")},
    capabilities=(_cap("Network", "NetworkTemplateByValue", "true"),
                  _cap("Network", "DefaultInitialState", "STOPPED")),
    spec_order=("state", "segments", "services", "subnetworks", "meters", "eventLog"),
))
_register(ResourceType(
    "NetworkTemplate", NETWORK_TEMPLATE_ATTRS, path="networkTemplates", cep_key="networkTemplates",
    items_key="networkTemplates", create="self",
    spec_order=("initialState", "segments", "segmentTemplates", "services",
                "serviceTemplates", "subnetworks", "subnetworkTemplates",
                "meterTemplates", "eventLogTemplate", "genResourceMetadata"),
))
_register(ResourceType(
    "System", (
        Attr("state", "string", values=SYSTEM_STATES),
        Attr("machines", "collection:Machine"), Attr("volumes", "collection:Volume"),
        Attr("networks", "collection:Network"),
        Attr("systemTemplate", "ref:SystemTemplate", extension=True), EVENT_LOG_REF,
        Attr("softwareIdentity", "map", extension=True,
             description="an imported appliance's software identity (ISO/IEC 19770-2 SWID "
                         "tag) derived from its OVF ProductSection and manifest"),
    ),
    path="systems", cep_key="systems", items_key="systems", create="template",
    template_attr="systemTemplate", template_type="SystemTemplate",
    delete_from=SYSTEM_STATES[1:13] + ("ERROR",), actions=_system_actions(), states=SYSTEM_STATES,
    collection_actions={"import": ActionSpec("import", (), None, SYSTEM_IMPORT_PARAMS)},
    subcollections=(
        SubCollection("machines", "Machine", "machines", NS + "/MachineCollection", composed=True),
        SubCollection("volumes", "Volume", "volumes", NS + "/VolumeCollection", composed=True),
        SubCollection("networks", "Network", "networks", NS + "/NetworkCollection", composed=True),
    ),
    spec_order=("state", "systems", "machines", "credentials", "volumes", "networks",
                "networkServices", "services", "meters", "eventLog"),
))
_register(ResourceType(
    "SystemTemplate", SYSTEM_TEMPLATE_ATTRS, path="systemTemplates", cep_key="systemTemplates",
    items_key="systemTemplates", create="self",
    spec_order=("componentDescriptors", "serviceDescriptors", "meterTemplates",
                "eventLogTemplate", "importImage", "genResourceMetadata"),
))
_register(ResourceType(
    "Job", (
        Attr("state", "string", values=JOB_STATES), Attr("targetResource", "ref:any"),
        Attr("affectedResources", "array:ref"), Attr("action", "URI"),
        Attr("returnCode", "integer"), Attr("progress", "integer", minimum=0, maximum=100),
        Attr("statusMessage", "string"), Attr("timeOfStatusChange", "dateTime"),
        Attr("parentJob", "ref:Job"), Attr("nestedJobs", "array:ref"),
    ),
    path="jobs", cep_key="jobs", items_key="jobs", delete_from=("SUCCESS", "FAILED", "STOPPED"),
    actions={"stop": ActionSpec("stop", ("QUEUED", "RUNNING"), "STOPPING")}, states=JOB_STATES,
    spec_order=("state", "targetResource", "affectedResources", "action", "returnCode",
                "progress", "statusMessage", "timeOfStatusChange", "parentJob", "nestedJobs"),
))

_register(ResourceType(
    "EventLog", (
        Attr("targetResource", "ref:any"), Attr("events", "collection:Event"),
        Attr("persistence", "string"), Attr("summary", "struct:eventSummary"),
    ),
    path="eventLogs", cep_key="eventLogs", items_key="eventLogs", deletable=False,
    subcollections=(SubCollection("events", "Event", "events", NS + "/EventCollection"),),
    spec_order=("targetResource", "events", "persistence", "summary"),
))
_register(ResourceType(
    "Event", (
        Attr("timestamp", "dateTime"), Attr("type", "URI", values=EVENT_TYPES),
        Attr("content", "any"), Attr("outcome", "string", values=EVENT_OUTCOMES),
        Attr("severity", "string", values=EVENT_SEVERITIES), Attr("contact", "string"),
    ), updatable=False, deletable=False,
    spec_order=("timestamp", "type", "content", "outcome", "severity", "contact"),
))

_register(ResourceType(
    "MeterConfiguration", METER_CONFIG_ATTRS, path="meterConfigs", cep_key="meterConfigs",
    items_key="meterConfigurations", create="self",
    spec_order=("aspect", "units", "sampleInterval", "timeScope", "intervalDuration",
                "isContinuous"),
))
_register(ResourceType(
    "MeterTemplate", (_w("meterConfig", "refval:MeterConfiguration", mandatory=True),),
    path="meterTemplates", cep_key="meterTemplates", items_key="meterTemplates", create="self",
    spec_order=("targetResource", "meterConfig"),
))
_register(ResourceType(
    "Meter", (
        Attr("state", "string", values=METER_STATES, extension=True),
        Attr("targetResource", "ref:any"), Attr("aspect", "URI", values=ASPECTS),
        Attr("units", "string"), Attr("sampleInterval", "integer", units="second"),
        Attr("timeScope", "string", values=("Point", "Interval")),
        Attr("intervalDuration", "duration"), Attr("isContinuous", "boolean"),
        Attr("samples", "collection:Sample"), Attr("minValue", "string"),
        Attr("maxValue", "string"), Attr("stopTime", "dateTime"),
        Attr("expiresTime", "dateTime"),
        Attr("meterConfig", "ref:MeterConfiguration", extension=True),
    ),
    path="meters", cep_key="meters", items_key="meters", deletable=False, states=METER_STATES,
    actions={"start": ActionSpec("start", ("STOPPED",)), "stop": ActionSpec("stop", ("STARTED",))},
    subcollections=(SubCollection("samples", "Sample", "samples", NS + "/SampleCollection"),),
    spec_order=("targetResource", "aspect", "units", "sampleInterval", "timeScope",
                "intervalDuration", "isContinuous", "samples", "minValue", "maxValue",
                "stopTime", "expiresTime"),
))
_register(ResourceType(
    "Sample", (Attr("timestamp", "dateTime"), Attr("value", "integer")),
    common=False, updatable=False, deletable=False, spec_order=("timestamp", "value"),
))

# CEP keys served here, in the 2.0 spec order (5.12).
CEP_ORDER = tuple(key for key in CEP_SPEC_KEYS
                  if key in {t.cep_key for t in TYPES.values() if t.cep_key})
TOP_LEVEL = {t.path: t for t in TYPES.values() if t.cep_key}


def by_path(segment: str) -> ResourceType | None:
    return TOP_LEVEL.get(segment)
