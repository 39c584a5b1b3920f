"""Conformance fixtures: a live provider per latency (0 = synchronous, 0.2 s = 202 + polling),
each scenario run in JSON and in XML. The provider process comes from ``provider/tests/server.py``
(the provider tests' ProviderProcess)."""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import ProviderProcess  # noqa: E402
from wire import Wire  # noqa: E402

LATENCIES = {"sync": "0", "latency0.2": "0.2"}


@pytest.fixture(scope="session", params=sorted(LATENCIES))
def cimi_server(request, tmp_path_factory):
    db = tmp_path_factory.mktemp(f"conformance-{request.param}") / "cimi.db"
    with ProviderProcess(db, "--latency", LATENCIES[request.param]) as prov:
        yield prov


@pytest.fixture(params=["json", "xml"])
def wire(request, cimi_server):
    return Wire(cimi_server.cep_url, request.param)


@pytest.fixture
def name():
    """A unique resource name per test (letters first, so XML never reads it as a number)."""
    return f"cf-{uuid.uuid4().hex[:10]}"
