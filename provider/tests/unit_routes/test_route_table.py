# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The route table (http/routes.py): what each path resolves to, and that every rule has an
endpoint. Rows are plain stand-ins for store rows: resolution only reads ``type`` and ``doc``."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from cimi_provider.http import routes
from cimi_provider.http.app import Dispatcher


@dataclass
class Row:
    type: str
    doc: dict = field(default_factory=dict)


ROWS = {"machines/m1": Row("Machine", {"name": "web"}),
        "machines/m1/volumes/1": Row("locatedVolume"),
        "machines/m1/disks/1": Row("Disk"),
        "jobs/j1": Row("Job")}


def resolve(method, path):
    return routes.resolve(method, path, ROWS.get, {"resourceMetadata/Machine"})


def test_every_rule_names_a_dispatcher_endpoint():
    for rule in routes.ROUTES:
        assert callable(getattr(Dispatcher, "ep_" + rule.endpoint, None)), rule


@pytest.mark.parametrize("method, path, kind, rid, op, type_name", [
    ("GET", "", "cep", "cloudEntryPoint", "read", "CloudEntryPoint"),
    ("POST", "machines", "collection", "machines", "create", "Machine"),
    ("GET", "machines/m1/disks", "subcollection", "machines/m1/disks", "read", None),
    ("POST", "machines/m1/volumes", "references", "machines/m1", "attach", "Machine"),
    ("GET", "resourceMetadata/Machine", "metadata", "resourceMetadata/Machine", "read",
     "ResourceMetadata"),
    ("PUT", "machines/m1", "resource", "machines/m1", "update", "Machine"),
    ("DELETE", "machines/m1/volumes/1", "resource", "machines/m1", "detach", "Machine"),
    ("POST", "machines/m1/start", "action", "machines/m1", "start", "Machine"),
    ("POST", "machines/m2/start", "unknown", "machines/m2/start", "create", "Machine"),
])
def test_resolve(method, path, kind, rid, op, type_name):
    target = resolve(method, path)
    assert (target.kind, target.id, target.op, target.type_name) == (kind, rid, op, type_name)


def test_allow_header_follows_the_catalogue():
    assert routes.allowed(resolve("GET", "machines/m1")) == "GET, HEAD, PUT, DELETE"
    assert routes.allowed(resolve("GET", "machines/m1/disks/1")) == "GET, HEAD"
    assert routes.allowed(resolve("GET", "machines")) == "GET, HEAD, POST"
    assert routes.allowed(resolve("GET", "jobs")) == "GET, HEAD"
    action = resolve("GET", "machines/m1/start")
    assert routes.RULES.get((action.kind, "GET")) is None
    assert routes.not_allowed(action).headers == {"Allow": "POST"}
