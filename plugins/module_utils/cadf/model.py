# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CADF (DMTF DSP0262 1.0.0) event and resource model: taxonomy, ids, timestamps,
builders and a strict, dependency-free validator.

The validator is stricter than pycadf: actions and resource typeURIs must be a
taxonomy node or an extension of one (``node/...``), not merely share a prefix;
ids must be UUIDs; timestamps must carry a ``+hh:mm``/``-hh:mm`` offset.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

EVENT_TYPE_URI = "http://schemas.dmtf.org/cloud/audit/1.0/event"
EVENT_TYPES = ("activity", "monitor", "control")
OUTCOMES = ("success", "failure", "pending", "unknown")
ACTIONS = (
    "backup", "capture", "create", "configure", "read", "read/list", "update",
    "delete", "monitor", "start", "stop", "deploy", "undeploy", "enable",
    "disable", "send", "receive", "authenticate", "authenticate/login",
    "revoke", "renew", "restore", "evaluate", "allow", "deny", "notify",
    "unknown",
)
# Root nodes of the resource taxonomy; any "node/sub/path" extends a node.
RESOURCE_ROOTS = ("storage", "compute", "network", "service", "data", "unknown")

# Stable ids (uuid5) for controller, hosts and resources derive from this namespace.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/cloudmgmt/dmtf/cadf")

INTEGRITY_ATTACHMENT = "integrity"
INTEGRITY_TYPE_URI = "urn:cloudmgmt:dmtf:cadf:hashchain"

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
_TAXONOMY_SEGMENT = re.compile(r"^[a-z][a-z0-9_.-]*$")


def utc_now():
    """CADF timestamp: ISO 8601 with microseconds and an explicit ``+00:00`` offset (never ``Z``)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def new_id():
    return str(uuid.uuid4())


def stable_id(kind, name):
    """A UUID that is the same for the same (kind, name) on every run."""
    return str(uuid.uuid5(NAMESPACE, "%s:%s" % (kind, name)))


def is_uuid(value):
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def is_timestamp(value):
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_action(value):
    if not isinstance(value, str):
        return False
    return any(value == a or (value.startswith(a + "/") and _extension_ok(value[len(a) + 1:]))
               for a in ACTIONS)


def is_resource_type(value):
    if not isinstance(value, str):
        return False
    root, _sep, rest = value.partition("/")
    return root in RESOURCE_ROOTS and (not _sep or _extension_ok(rest))


def _extension_ok(path):
    return bool(path) and all(_TAXONOMY_SEGMENT.match(seg) for seg in path.split("/"))


def resource(type_uri, res_id, name=None, **extra):
    """Build a CADF resource dict, dropping empty optional attributes."""
    res = {"typeURI": type_uri, "id": res_id}
    if name:
        res["name"] = name
    for key, value in extra.items():
        if value not in (None, "", {}, []):
            res[key] = value
    return res


def attachment(name, type_uri, content):
    return {"name": name, "typeURI": type_uri, "content": content}


def event(action, outcome, initiator, target, observer, event_time=None, event_id=None,
          reason=None, tags=None, attachments=None, event_type="activity"):
    """Build a CADF event dict (not yet sealed into a chain)."""
    doc = {
        "typeURI": EVENT_TYPE_URI,
        "id": event_id or new_id(),
        "eventType": event_type,
        "eventTime": event_time or utc_now(),
        "action": action,
        "outcome": outcome,
        "initiator": initiator,
        "target": target,
        "observer": observer,
    }
    if reason:
        doc["reason"] = reason
    if tags:
        doc["tags"] = list(tags)
    if attachments:
        doc["attachments"] = list(attachments)
    return doc


def name_value_tag(name, value):
    """CADF tag convention ``name?value=v``."""
    return "%s?value=%s" % (name, value)


# --- validation -----------------------------------------------------------

def validate_event(doc):
    """Return a list of problems with a CADF event dict (empty when valid)."""
    errors = []
    if not isinstance(doc, dict):
        return ["event is not a JSON object"]
    if doc.get("typeURI") != EVENT_TYPE_URI:
        errors.append("typeURI must be %s" % EVENT_TYPE_URI)
    if not is_uuid(doc.get("id")):
        errors.append("id must be a UUID")
    if doc.get("eventType") not in EVENT_TYPES:
        errors.append("eventType must be one of %s" % ", ".join(EVENT_TYPES))
    if not is_timestamp(doc.get("eventTime")):
        errors.append("eventTime must be yyyy-mm-ddThh:mm:ss[.s]+hh:mm")
    if not is_action(doc.get("action")):
        errors.append("action %r is not in the CADF action taxonomy" % (doc.get("action"),))
    if doc.get("outcome") not in OUTCOMES:
        errors.append("outcome must be one of %s" % ", ".join(OUTCOMES))
    for role in ("initiator", "target", "observer"):
        has_res, has_id = role in doc, role + "Id" in doc
        if has_res == has_id:
            errors.append("exactly one of %s and %sId is required" % (role, role))
        elif has_res:
            errors.extend("%s: %s" % (role, e) for e in _validate_resource(doc[role], role))
        elif not (is_uuid(doc[role + "Id"]) or doc[role + "Id"] in ("initiator", "target")):
            errors.append("%sId must be a UUID" % role)
    if "reason" in doc:
        errors.extend(_validate_reason(doc["reason"]))
    elif doc.get("eventType") == "control":
        errors.append("control events require a reason")
    if doc.get("eventType") == "monitor" and not doc.get("measurements"):
        errors.append("monitor events require measurements")
    tags = doc.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        errors.append("tags must be a list of non-empty strings")
    errors.extend(_validate_attachments(doc.get("attachments", [])))
    return errors


def _validate_resource(res, role):
    if not isinstance(res, dict):
        return ["must be an object"]
    if set(res) == {"id"} and res["id"] in ("initiator", "target") and res["id"] != role:
        return []  # short form referring to another role
    errors = []
    if not is_uuid(res.get("id")):
        errors.append("id must be a UUID")
    if not is_resource_type(res.get("typeURI")):
        errors.append("typeURI %r is not in the CADF resource taxonomy" % (res.get("typeURI"),))
    if "name" in res and not isinstance(res["name"], str):
        errors.append("name must be a string")
    if "host" in res and not isinstance(res["host"], dict):
        errors.append("host must be an object")
    errors.extend(_validate_attachments(res.get("attachments", [])))
    return errors


def _validate_reason(reason):
    if not isinstance(reason, dict):
        return ["reason must be an object"]
    if not ((reason.get("reasonType") and reason.get("reasonCode"))
            or (reason.get("policyType") and reason.get("policyId"))):
        return ["reason needs reasonType+reasonCode or policyType+policyId"]
    return []


def _validate_attachments(attachments):
    if not isinstance(attachments, list):
        return ["attachments must be a list"]
    errors = []
    for att in attachments:
        if not isinstance(att, dict) or not {"typeURI", "name", "content"} <= set(att):
            errors.append("attachment needs typeURI, name and content")
    return errors


def integrity_of(doc):
    """The chain fields (seq, prev, run) of a sealed record, or None."""
    for att in doc.get("attachments", []) if isinstance(doc, dict) else []:
        if isinstance(att, dict) and att.get("name") == INTEGRITY_ATTACHMENT \
                and att.get("typeURI") == INTEGRITY_TYPE_URI and isinstance(att.get("content"), dict):
            return att["content"]
    return None
