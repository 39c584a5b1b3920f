# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One representative document per served type, in the JSON shape the provider emits."""
from __future__ import annotations

NS = "http://schemas.dmtf.org/cimi/2"
BASE = "http://127.0.0.1:8080/cimi/"


def ops(path, *actions, unavailable=()):
    out = [{"rel": "edit", "href": BASE + path}, {"rel": "delete", "href": BASE + path}]
    for name in actions:
        op = {"rel": f"{NS}/action/{name}", "href": f"{BASE}{path}/{name}"}
        if name in unavailable:
            op["available"] = False
        out.append(op)
    return out


def common(kind, path, **extra):
    doc = {"resourceURI": f"{NS}/{kind}", "id": BASE + path, "name": path.rsplit("/", 1)[-1],
           "description": f"a {kind}", "created": "2024-01-01T10:00:00Z",
           "updated": "2024-01-01T10:00:00+02:00", "properties": {"role": "web", "empty": ""}}
    doc.update(extra)
    return doc


MACHINE = common(
    "Machine", "machines/m1", state="STOPPED", cpu=2, memory=4194304,
    disks={"href": BASE + "machines/m1/disks"}, cpuArch="x86_64", cpuSpeed=2400,
    volumes={"href": BASE + "machines/m1/volumes"},
    interfaces={"href": BASE + "machines/m1/interfaces"},
    machineConfig={"href": BASE + "machineConfigs/small"},
    operations=ops("machines/m1", "start", "stop", unavailable=("stop",)))

SAMPLES = {
    "CloudEntryPoint": {
        "resourceURI": f"{NS}/CloudEntryPoint", "id": BASE + "cloudEntryPoint", "name": "demo",
        "description": "reference provider", "created": "2024-01-01T10:00:00Z",
        "baseURI": BASE, "resourceMetadata": {"href": "resourceMetadata"},
        "systems": {"href": "systems"}, "machines": {"href": "machines"},
        "machineConfigs": {"href": "machineConfigs"}, "machineImages": {"href": "machineImages"},
        "volumes": {"href": "volumes"}, "jobs": {"href": "jobs"},
        "operations": [{"rel": "edit", "href": BASE + "cloudEntryPoint"}]},
    "ResourceMetadata": common(
        "ResourceMetadata", "resourceMetadata/Machine", typeURI=f"{NS}/Machine",
        attributes=[{"name": "machineConfig", "namespace": "urn:x-cimi-provider",
                     "type": "ref", "providerMandatory": False, "consumerMandatory": False,
                     "mutable": False, "consumerWritable": False}],
        capabilities=[
            {"name": "DefaultInitialState", "uri": f"{NS}/capability/Machine/DefaultInitialState",
             "value": "STOPPED"},
            {"uri": f"{NS}/capability/Machine/MachineConfigByValue", "value": True},
            {"uri": f"{NS}/capability/CloudEntryPoint/MaxPropertyItems", "value": 64}],
        actions=[{"name": "stop", "uri": f"{NS}/action/stop", "method": "POST",
                  "description": "stop it"}]),
    "Machine": MACHINE,
    "MachineConfiguration": common(
        "MachineConfiguration", "machineConfigs/small", cpu=1, memory=1048576,
        disks=[{"capacity": 10000000, "format": "qcow2", "initialLocation": "/dev/vda"},
               {"capacity": 500, "format": "raw"}],
        cpuArch="x86_64", cpuSpeed=1000, operations=ops("machineConfigs/small")),
    "MachineImage": common(
        "MachineImage", "machineImages/debian", state="AVAILABLE", type="IMAGE",
        imageLocation="file:///var/lib/images/debian.qcow2",
        relatedImage={"href": BASE + "machineImages/base"}, operations=ops("machineImages/debian")),
    "MachineTemplate": common(
        "MachineTemplate", "machineTemplates/t1", initialState="STARTED",
        machineConfig={"href": BASE + "machineConfigs/small"},
        machineImage={"href": BASE + "machineImages/debian"},
        credential={"href": BASE + "credentials/k1"},
        volumes=[{"initialLocation": "/dev/vdb", "volume": {"href": BASE + "volumes/v1"}}],
        volumeTemplates=[{"initialLocation": "/dev/vdc",
                          "volumeTemplate": {"volumeConfig": {"href": BASE + "volumeConfigs/c1"}}}],
        interfaceTemplates=[{"network": {"href": BASE + "networks/n1"}, "mtu": 1500}],
        userData="I2Nsb3VkLWNvbmZpZwo=", operations=ops("machineTemplates/t1")),
    "Credential": common("Credential", "credentials/k1", userName="admin",
                         key="ssh-ed25519 AAAA", operations=ops("credentials/k1")),
    "CredentialTemplate": common("CredentialTemplate", "credentialTemplates/ct1",
                                 parameters={"kind": "ssh"}, userName="admin",
                                 operations=ops("credentialTemplates/ct1")),
    "Volume": common("Volume", "volumes/v1", state="AVAILABLE", type=f"{NS}/mapped",
                     capacity=1000000, bootable=False, operations=ops("volumes/v1")),
    "VolumeConfiguration": common("VolumeConfiguration", "volumeConfigs/c1", type=f"{NS}/mapped",
                                  format="qcow2", capacity=2000000, operations=ops("volumeConfigs/c1")),
    "VolumeImage": common("VolumeImage", "volumeImages/i1", state="AVAILABLE",
                          imageLocation="file:///img.qcow2", bootable=True),
    "VolumeTemplate": common("VolumeTemplate", "volumeTemplates/vt1",
                             volumeConfig={"href": BASE + "volumeConfigs/c1"},
                             volumeImage={"href": BASE + "volumeImages/i1"}),
    "Network": common("Network", "networks/n1", state="STARTED",
                      operations=ops("networks/n1", "start", "stop")),
    "NetworkTemplate": common("NetworkTemplate", "networkTemplates/nt1", initialState="STOPPED"),
    "NetworkInterface": common("NetworkInterface", "machines/m1/interfaces/i1", state="ENABLED",
                               endpoints={"href": BASE + "machines/m1/interfaces/i1/endpoints"},
                               mtu=1500, network={"href": BASE + "networks/n1"},
                               macAddress="52:54:00:12:34:56"),
    "ProtocolEndpoint": common("ProtocolEndpoint", "machines/m1/interfaces/i1/endpoints/e1",
                               state="ENABLED", protocol="IPv4", address="192.0.2.10",
                               origin="DYNAMIC", parameters={"netmask": "255.255.255.0"}),
    "locatedVolume": {"resourceURI": f"{NS}/locatedVolume", "id": BASE + "machines/m1/volumes/1",
                      "volume": {"href": BASE + "volumes/v1"}, "initialLocation": "/dev/vdb"},
    "Disk": common("Disk", "machines/m1/disks/d1", capacity=10000000, initialLocation="/dev/vda"),
    "System": common("System", "systems/s1", state="MIXED",
                     machines={"href": BASE + "systems/s1/machines"},
                     operations=ops("systems/s1", "start", "stop")),
    "SystemTemplate": common(
        "SystemTemplate", "systemTemplates/st1",
        componentDescriptors=[
            {"name": "web", "description": "web tier", "properties": {"tier": "front"},
             "type": f"{NS}/Machine",
             "machineTemplate": {"machineConfig": {"href": BASE + "machineConfigs/small"},
                                 "machineImage": {"href": BASE + "machineImages/debian"}},
             "quantity": 2},
            {"name": "data", "type": f"{NS}/Volume",
             "volumeTemplate": {"href": BASE + "volumeTemplates/vt1"}, "quantity": 1}]),
    "Job": {"resourceURI": f"{NS}/Job", "id": BASE + "jobs/j7", "name": "job7",
            "created": "2024-01-01T10:00:00Z", "state": "RUNNING",
            "targetResource": {"href": BASE + "machines"},
            "affectedResources": [{"href": BASE + "machines/m1"}, {"href": BASE + "machines/m2"}],
            "action": "add", "returnCode": 0, "progress": 40, "statusMessage": "creating",
            "timeOfStatusChange": "2024-01-01T10:00:05Z", "parentJob": {"href": BASE + "jobs/j1"},
            "nestedJobs": [{"href": BASE + "jobs/j8"}],
            "operations": [{"rel": f"{NS}/action/stop", "href": BASE + "jobs/j7/stop"}]},
    "ErrorJob": {"resourceURI": f"{NS}/Job", "id": "", "state": "FAILED", "returnCode": 400,
                 "statusMessage": "bad filter"},
    "Action": {"resourceURI": f"{NS}/Action", "action": f"{NS}/action/stop", "force": True,
               "properties": {"reason": "test"}},
    "InsertAction": {"resourceURI": f"{NS}/Action", "action": f"{NS}/action/insert",
                     "volume": {"href": BASE + "volumes/v1"}, "initialLocation": "/dev/vdb"},
    "MachineCreate": {
        "resourceURI": f"{NS}/MachineCreate", "name": "web1", "description": "demo",
        "properties": {"role": "web"},
        "machineTemplate": {
            "machineConfig": {"href": BASE + "machineConfigs/small"},
            "machineImage": {"href": BASE + "machineImages/debian"},
            "credential": {"href": BASE + "credentials/k1"}, "initialState": "STARTED",
            "userData": "I2Nsb3VkLWNvbmZpZwo=",
            "volumes": [{"volume": {"href": BASE + "volumes/v1"}, "initialLocation": "/dev/vdb"}],
            "interfaceTemplates": [{"network": {"href": BASE + "networks/n1"}}]}},
    "MachineCreateByRef": {
        "resourceURI": f"{NS}/MachineCreate", "name": "web2",
        "machineTemplate": {"href": BASE + "machineTemplates/t1", "initialState": "STOPPED",
                            "userData": None}},
    "MachineCreateInlineConfig": {
        "resourceURI": f"{NS}/MachineCreate",
        "machineTemplate": {"machineConfig": {"cpu": 1, "memory": 524288,
                                              "disks": [{"capacity": 1000}]},
                            "machineImage": {"href": BASE + "machineImages/debian"}}},
    "VolumeCreate": {"resourceURI": f"{NS}/VolumeCreate", "name": "data1",
                     "volumeTemplate": {"volumeConfig": {"format": "qcow2", "capacity": 1000000},
                                        "volumeImage": {"href": BASE + "volumeImages/i1"}}},
    "NetworkCreate": {"resourceURI": f"{NS}/NetworkCreate", "name": "net1",
                      "networkTemplate": {"initialState": "STARTED"}},
    "CredentialCreate": {"resourceURI": f"{NS}/CredentialCreate", "name": "k2",
                         "credentialTemplate": {"userName": "root", "password": "s3cret",
                                                "key": "ssh-ed25519 AAAA"}},
    "SystemCreate": {"resourceURI": f"{NS}/SystemCreate", "name": "sys1",
                     "systemTemplate": {"href": BASE + "systemTemplates/st1"}},
}


def collection(kind, path, key, items, **extra):
    doc = {"resourceURI": f"{NS}/{kind}Collection", "id": BASE + path, "count": len(items)}
    if items:
        doc[key] = items
    doc.update(extra)
    doc["operations"] = [{"rel": "add", "href": BASE + path}]
    return doc


COLLECTIONS = {
    "MachineCollection": collection("Machine", "machines", "machines", [MACHINE, MACHINE]),
    "EmptyMachineCollection": collection("Machine", "machines", "machines", []),
    "ResourceMetadataCollection": collection("ResourceMetadata", "resourceMetadata",
                                             "resourceMetadatas", [SAMPLES["ResourceMetadata"]]),
    "DiskCollection": collection("Disk", "machines/m1/disks", "disks", [SAMPLES["Disk"]]),
    "locatedVolumeCollection": collection("locatedVolume", "machines/m1/volumes", "volumes",
                                          [SAMPLES["locatedVolume"]]),
    "JobCollection": collection("Job", "jobs", "jobs", [SAMPLES["Job"]]),
}
