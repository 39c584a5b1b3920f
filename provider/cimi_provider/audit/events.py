"""What a mutating request is, in CADF terms: initiator, target, action, outcome, reason.

Only allow-listed facts reach an event: the authenticated user's name (never a password, token or
the Authorization header), the client address and agent, the CIMI id, type and name of the
resource, the method, path, HTTP status and Job. No request body, query string or header value
beyond those is ever read into a record.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import actions, builder, model
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS

MUTATING = ("POST", "PUT", "PATCH", "DELETE")
METHOD_ACTIONS = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
USER_TYPE_URI = "service/security/account/user"
OBSERVER_TYPE_URI = "service/compute"
REASON_TYPE = "HTTP"
ATTACHMENT = "cimi"
ATTACHMENT_TYPE_URI = "mime:application/json"
ANONYMOUS = "anonymous"              # authentication is not configured
UNAUTHENTICATED = "unauthenticated"  # authentication is configured and the request failed it
# CIMI types the collection's CIMI modules do not model (their typeURIs come from
# module_utils/cimi/resources.py KINDS); named the same way.
EXTRA_TYPE_URIS = {
    "CloudEntryPoint": "service/compute", "ResourceMetadata": "data/config",
    "Disk": "storage/volume", "locatedVolume": "storage/volume",
    "NetworkInterface": "network/connection", "ProtocolEndpoint": "network/connection",
    "VolumeConfiguration": "storage/volume/configuration", "VolumeTemplate": "storage/volume/template",
    "VolumeImage": "storage/volume/image", "NetworkTemplate": "network/template",
    "NetworkConfiguration": "network/configuration",
    "CredentialTemplate": "data/security/credential/template",
}
JOB_OUTCOMES = {"SUCCESS": "success", "FAILED": "failure", "STOPPED": "failure"}
_MAX_TEXT = 255


def text(value, limit: int = _MAX_TEXT) -> str:
    return "".join(ch for ch in str(value) if ch.isprintable())[:limit]


@dataclass
class Subject:
    """The resource a request acts on, resolved before the request runs (a DELETE removes it)."""
    type_name: str | None
    cimi_id: str          # CIMI id ("machines/ab12", made absolute before the event), or the bare path
    action: str
    creates: bool = False
    name: str | None = None


def type_uri(kinds: dict, type_name: str | None) -> str:
    if type_name is None:
        return "unknown"
    for kind in kinds.values():
        if kind.type_name == type_name:
            return kind.cadf_type
    return EXTRA_TYPE_URIS.get(type_name, "unknown")


def subject(target, method: str) -> Subject:
    """The audit subject of ``method`` on a resolved ``http.routes.Target``: the resource the
    operation acts on, and its CADF action."""
    action = actions.cimi_operation_action(target.op) if target.is_operation else METHOD_ACTIONS.get(
        method, "update")
    if target.kind == "unknown":
        return Subject(target.type_name, text(target.id, 512), action)
    return Subject(target.type_name, target.id, action, creates=target.creates and method == "POST",
                   name=target.name)


def initiator(user: str, address: str | None, agent: str | None) -> dict:
    host = {k: text(v) for k, v in (("address", address), ("agent", agent)) if v}
    return model.resource(USER_TYPE_URI, model.stable_id("user", user),
                                 name=text(user), host=host)


def target(kinds: dict, subject: Subject) -> dict:
    hint = {"typeURI": type_uri(kinds, subject.type_name), "id": subject.cimi_id,
            "name": text(subject.name) if isinstance(subject.name, str) and subject.name else None}
    return builder.hint_target(hint)


def created_id(result, base: str) -> str | None:
    """The new resource's relative id, from Location or the body, when a create was accepted."""
    location = result.headers.get("Location")
    if isinstance(location, str) and location.startswith(base):
        return location[len(base):]
    body = result.body if isinstance(result.body, dict) else {}
    rid = body.get("id")
    if result.status in (200, 201, 202) and isinstance(rid, str) and rid.startswith(base) \
            and not rid[len(base):].startswith("jobs/"):
        return rid[len(base):]
    return None


def job_of(result, base: str) -> str | None:
    uri = result.headers.get("CIMI-Job-URI")
    if isinstance(uri, str) and uri.startswith(base):
        return uri[len(base):]
    return None


def http_outcome(status: int) -> str:
    return "success" if status < 400 else "failure"


def job_outcome(state: str | None, action: str, type_name: str | None) -> str:
    if state == "STOPPED" and type_name == "Job" and action == "stop":
        return "success"  # the request was to stop that Job
    return JOB_OUTCOMES.get(state, "unknown")


def now() -> str:
    """The event time of a request, taken as it arrives."""
    return model.utc_now()


def observer(provider_name: str) -> dict:
    """The CADF observer of the provider's events: this provider on this host."""
    host = socket.gethostname()
    return model.resource(OBSERVER_TYPE_URI, model.stable_id("observer", f"cimi-provider@{host}"),
                          name=text(provider_name), domain=text(host))


def api_event(observer_: dict, subject: Subject, user: str, address, agent, method: str,
              path: str, status: int, event_time: str, job: str | None) -> dict:
    """The CADF event of one mutating request: what the audit trail records and what the
    target's CIMI EventLog carries as an Event's content (service/eventlogs.py)."""
    content = {"method": method, "path": text(path, 512), "status": status,
               "resource": text(subject.cimi_id, 512)}
    if job:
        content["job"] = job
    return model.event(
        subject.action, http_outcome(status), initiator(user, address, agent),
        target(KINDS, subject), observer_, event_time=event_time,
        reason={"reasonType": REASON_TYPE, "reasonCode": str(status)},
        attachments=[model.attachment(ATTACHMENT, ATTACHMENT_TYPE_URI, content)])


def finish(event: dict, state: str | None, action: str, type_name: str | None,
           recovered: bool = False) -> dict:
    """Complete the event of a request accepted with a Job (202) with the Job's outcome."""
    event["outcome"] = job_outcome(state, action, type_name)
    content = event["attachments"][0]["content"]
    content["jobState"] = state or "unknown"
    if recovered:
        content["recordedAfterRestart"] = True
    return event
