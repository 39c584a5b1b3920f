# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
import copy
import json

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import model
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import canonical_json, record_hash
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.redact import (
    REDACTED, redact, strip_url_credentials)

import helpers
import strict_validator


def test_canonical_json_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": [1, {"d": "é", "c": None}]}) == \
        '{"a":[1,{"c":null,"d":"é"}],"b":1}'.encode("utf-8")


def test_canonical_json_refuses_nan():
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_record_hash_independent_of_key_order():
    assert record_hash({"a": 1, "b": 2}) == record_hash({"b": 2, "a": 1})


def test_timestamp_has_explicit_utc_offset():
    ts = model.utc_now()
    assert ts.endswith("+00:00") and "." in ts and model.is_timestamp(ts)
    assert not model.is_timestamp(ts.replace("+00:00", "Z"))
    assert not model.is_timestamp("2026-01-01T00:00:00+0000")


def test_built_event_is_strictly_valid():
    doc = helpers.sample_event()
    assert model.validate_event(doc) == []
    strict_validator.validate(json.loads(canonical_json(doc)))


@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d.update(outcome="ok"), "outcome"),
    (lambda d: d.update(action="apply"), "action"),
    (lambda d: d.update(action="readme"), "action"),
    (lambda d: d.update(eventTime="2026-01-01T00:00:00Z"), "eventTime"),
    (lambda d: d.pop("observer"), "observer"),
    (lambda d: d.update(observerId=d["observer"]["id"]), "observer"),
    (lambda d: d.update(id="not-a-uuid"), "id must"),
    (lambda d: d.update(id=""), "id must"),
    (lambda d: d["target"].update(typeURI="vm"), "typeURI"),
    (lambda d: d.update(target={"id": "target"}), "target"),
    (lambda d: d.update(eventType="control", reason=None) or d.pop("reason"), "reason"),
    (lambda d: d.update(reason={"reasonType": "x"}), "reason"),
    (lambda d: d.update(eventType="monitor"), "measurements"),
])
def test_validator_rejects(mutate, fragment):
    doc = copy.deepcopy(helpers.sample_event())
    mutate(doc)
    errors = model.validate_event(doc)
    assert any(fragment in e for e in errors), errors
    with pytest.raises(AssertionError):
        strict_validator.validate(json.loads(json.dumps(doc)))


def test_action_extensions_and_resource_extensions():
    assert model.is_action("update/config") and model.is_action("start/restart")
    assert not model.is_action("update_foo") and not model.is_action("update/")
    assert model.is_resource_type("service/security/audit") and model.is_resource_type("compute/node")
    assert not model.is_resource_type("datafoo") and not model.is_resource_type("compute/")


def test_stable_ids_are_uuids_and_stable():
    assert model.stable_id("host", "a") == model.stable_id("host", "a") != model.stable_id("host", "b")
    assert model.is_uuid(model.stable_id("host", "a")) and model.is_uuid(model.new_id())


def test_check_mode_is_pending_never_success():
    doc = helpers.sample_event(check_mode=True)
    content = doc["attachments"][0]["content"]
    assert doc["outcome"] == "pending" and content["status"] == "would_change" and content["changed"] is False
    assert "check_mode?value=true" in doc["tags"]
    strict_validator.validate(json.loads(canonical_json(doc)))


def test_hint_target_and_fallback():
    doc = helpers.sample_event(hint={"typeURI": "compute/machine", "id": "https://u:pw@cimi/machines/1", "name": "web"})
    assert doc["target"]["typeURI"] == "compute/machine" and model.is_uuid(doc["target"]["id"])
    assert "pw" not in doc["target"]["ref"]
    assert helpers.sample_event(hint={"typeURI": "vm", "id": "1"})["target"]["typeURI"] == "compute/node"
    assert helpers.sample_event(hint="junk")["target"]["name"] == "web-1"


def test_redaction():
    out = redact({"password": "p", "nested": {"api_key": "k", "url": "https://bob:pw@h/x"}, "name": "n"})
    assert out == {"password": REDACTED, "nested": {"api_key": REDACTED, "url": "https://h/x"}, "name": "n"}
    assert strip_url_credentials("see http://u:p@a.b/c and ftp://x@y") == "see http://a.b/c and ftp://y"
