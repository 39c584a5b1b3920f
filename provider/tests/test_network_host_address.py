"""NetworkTemplate hostAddress (extension) on the memory backend: recorded, validated."""
from __future__ import annotations

import uuid

from cimi import NS, op


def test_host_address_is_reported_and_optional(cimi):
    with_address = cimi.create("networks", {"name": f"ha-{uuid.uuid4().hex[:8]}",
                                            "networkTemplate": {"hostAddress": "192.0.2.1/24"}})
    without = cimi.create("networks", {"name": f"noha-{uuid.uuid4().hex[:8]}",
                                       "networkTemplate": {}})
    docs = []
    for reply in (with_address, without):
        assert cimi.settle(reply)["state"] == "SUCCESS"
        docs.append(cimi.ok("GET", reply.headers["Location"]).doc)
    assert docs[0]["hostAddress"] == "192.0.2.1/24"
    assert "hostAddress" not in docs[1]
    for doc in docs:
        assert cimi.settle(cimi.ok("DELETE", op(doc, "delete")))["state"] == "SUCCESS"


def test_bad_host_address_is_a_400(cimi):
    for bad in ("192.0.2.1", "192.0.2.255/24", "nonsense/24", "192.0.2.1/32"):
        reply = cimi.call("POST", cimi.collection("networks"),
                          {"resourceURI": NS + "/NetworkCreate", "name": "bad-ha",
                           "networkTemplate": {"hostAddress": bad}})
        assert reply.status == 400, (bad, reply.status)
    listed = cimi.ok("GET", cimi.collection("networks") + "?$filter=name='bad-ha'").doc
    assert listed["count"] == 0
