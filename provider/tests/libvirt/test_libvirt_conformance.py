"""The conformance scenarios (``provider/tests/conformance``) against the libvirt backend.

One provider with its own prefix, whose only MachineImage is a blank qcow2 (so ``wire.first``
picks it), each scenario in JSON and XML. Only the scenarios that make sense for a guest
without an OS are reused: create/edit/delete, start/restart/stop (the scenario stops with
``force``: a blank guest ignores ACPI shutdown), capture, user data, Jobs, volume attach/detach.
"""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))

from libvirt_helpers import NS, ProviderProcess, owned_domains_of  # noqa: E402
from wire import Wire  # noqa: E402
import test_cf_machines as machines  # noqa: E402
import test_cf_volumes as volumes  # noqa: E402

SCENARIOS = [
    machines.test_create_machine_by_value,
    machines.test_create_machine_from_template,
    machines.test_machine_attributes_and_edit,
    machines.test_machine_actions_and_states,
    machines.test_capture_machine_image,
    machines.test_create_with_user_data,
    machines.test_job_describes_a_create,
    volumes.test_volume_by_value_attach_detach,
]


@pytest.fixture(scope="module")
def conformance_provider(workdir, run_prefix, base_image, libvirt_conn):
    proc = ProviderProcess(workdir, f"{run_prefix}cf-", "conformance")
    proc.start()
    try:
        proc.client.create("machineImages", {"resourceURI": NS + "/MachineImage",
                                             "name": "blank", "type": "IMAGE",
                                             "imageLocation": f"file://{base_image}"})
        yield proc
    finally:
        proc.stop()


@pytest.fixture(params=["json", "xml"])
def wire(request, conformance_provider):
    return Wire(conformance_provider.base + "cloudEntryPoint", request.param)


@pytest.fixture
def name():
    return f"cf-{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__[5:] for s in SCENARIOS])
def test_scenario_on_libvirt(scenario, wire, name, conformance_provider, libvirt_conn):
    scenario(wire, name)
    # every scenario deletes what it made: no domain of this provider is left in libvirt
    assert not owned_domains_of(libvirt_conn, conformance_provider.prefix)
