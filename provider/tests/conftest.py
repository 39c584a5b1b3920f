"""Fixtures: real provider processes on free loopback ports with temporary databases."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cimi import IMPORT_ROOT, Cimi  # noqa: E402
from server import ProviderProcess, with_users  # noqa: E402


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    """A synchronous (latency 0) provider shared by the read-mostly tests."""
    with ProviderProcess(tmp_path_factory.mktemp("sync") / "cimi.db",
                         "--inject-failure", "^fail-", "--import-root", IMPORT_ROOT) as prov:
        yield prov


@pytest.fixture(scope="session")
def slow_provider(tmp_path_factory):
    """A provider whose operations take 0.3 s: 202 answers, QUEUED/RUNNING jobs, polling."""
    with ProviderProcess(tmp_path_factory.mktemp("slow") / "cimi.db", "--latency", "0.3",
                         "--inject-failure", "^fail-", "--inject-failure", "role=broken",
                         "--import-root", IMPORT_ROOT) as prov:
        yield prov


@pytest.fixture(scope="module")
def tenant_provider(tmp_path_factory):
    """A provider with users (password ``<name>-pw``): alice and bob (role user), carol
    (reader), root (admin)."""
    roles = {"alice": "user", "bob": "user", "carol": "reader", "root": "admin"}
    with with_users(tmp_path_factory.mktemp("tenants"), roles) as prov:
        yield prov


@pytest.fixture(params=["json", "xml"])
def fmt(request):
    return request.param


@pytest.fixture
def cimi(provider, fmt):
    return Cimi(provider, fmt)


@pytest.fixture
def cimi_json(provider):
    return Cimi(provider, "json")


@pytest.fixture
def slow(slow_provider, fmt):
    return Cimi(slow_provider, fmt)
