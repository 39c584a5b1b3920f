# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""XML element order follows the spec tables (DSP0263 5.7.1, 5.12, 5.14.1, 5.5.12)."""
from __future__ import annotations

from lxml import etree
from samples import COLLECTIONS, MACHINE, NS, SAMPLES

from cimi_provider.serialization import render


def child_names(element):
    return [child.tag.split("}")[1] for child in element]


def test_machine_order():
    shuffled = dict(reversed(list(MACHINE.items())))
    shuffled["zExtension"] = "x"
    shuffled = {"operations": shuffled.pop("operations"), **shuffled}
    root = etree.fromstring(render(shuffled, "xml")[0])
    assert child_names(root) == [
        "id", "name", "description", "created", "updated", "properties",
        "state", "cpu", "memory", "disks", "cpuArch", "cpuSpeed", "volumes", "interfaces",
        "machineConfig", "zExtension", "operations"]


def test_cep_order_is_spec_order():
    cep = SAMPLES["CloudEntryPoint"]
    shuffled = dict(sorted(cep.items()))
    root = etree.fromstring(render(shuffled, "xml")[0])
    assert child_names(root) == [
        "id", "name", "description", "created", "baseURI", "resourceMetadata", "systems",
        "machines", "machineConfigs", "machineImages", "volumes", "jobs", "operations"]


def test_collection_order():
    coll = COLLECTIONS["MachineCollection"]
    shuffled = {"operations": coll["operations"], "machines": coll["machines"],
                "count": coll["count"], "id": coll["id"], "resourceURI": coll["resourceURI"]}
    root = etree.fromstring(render(shuffled, "xml")[0])
    assert root.tag == f"{{{NS}}}Collection"
    assert child_names(root) == ["id", "count", "machines", "operations"]
    assert child_names(root.find(f"{{{NS}}}machines")) == ["Machine", "Machine"]
    assert child_names(root.find(f"{{{NS}}}operations")) == ["operation"]


def test_job_order():
    job = SAMPLES["Job"]
    root = etree.fromstring(render(dict(sorted(job.items())), "xml")[0])
    assert child_names(root) == [
        "id", "name", "created", "state", "targetResource", "affectedResource",
        "affectedResource", "action", "returnCode", "progress", "statusMessage",
        "timeOfStatusChange", "parentJob", "nestedJob", "operations"]


def test_create_and_template_order():
    create = SAMPLES["MachineCreate"]
    root = etree.fromstring(render(dict(sorted(create.items())), "xml")[0])
    assert child_names(root) == ["name", "description", "properties", "machineTemplate"]
    template = dict(sorted(create["machineTemplate"].items()))
    root = etree.fromstring(render(dict(create, machineTemplate=template), "xml")[0])
    assert child_names(root.find(f"{{{NS}}}machineTemplate")) == [
        "initialState", "machineConfig", "machineImage", "credential", "volumes",
        "interfaceTemplates", "userData"]
    volume = root.find(f"{{{NS}}}machineTemplate/{{{NS}}}volumes/{{{NS}}}volume")
    assert child_names(volume) == ["initialLocation", "volume"]


def test_action_order():
    action = {"properties": {"a": "b"}, "force": True, "resourceURI": f"{NS}/Action",
              "action": f"{NS}/action/stop"}
    root = etree.fromstring(render(action, "xml")[0])
    assert child_names(root) == ["action", "force", "properties"]


def test_other_type_orders():
    cases = {
        "MachineConfiguration": ["id", "name", "description", "created", "updated", "properties",
                                 "cpu", "memory", "disks", "cpuArch", "cpuSpeed", "operations"],
        "Volume": ["id", "name", "description", "created", "updated", "properties", "state",
                   "type", "capacity", "bootable", "operations"],
        "ProtocolEndpoint": ["id", "name", "description", "created", "updated", "properties",
                             "state", "protocol", "address", "origin", "parameters"],
        "ResourceMetadata": ["id", "name", "description", "created", "updated", "properties",
                             "typeURI", "attributes", "capabilities", "actions"],
    }
    for kind, expected in cases.items():
        doc = dict(sorted(SAMPLES[kind].items()))
        assert child_names(etree.fromstring(render(doc, "xml")[0])) == expected, kind
