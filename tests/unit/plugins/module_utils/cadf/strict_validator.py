# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A strict CADF validator built on pycadf (test dependency only), per CADF.md section 1.8.

pycadf alone is weak (prefix-matched taxonomies, any string as eventTime,
non-UUID ids only warn, no parser), so the event is rebuilt from JSON with
pycadf's validating setters, then checked with exact allowlists, UUIDs, the
spec timestamp form and an exact round trip.
"""
import json
import re
import uuid
import warnings

from pycadf import attachment as att_m
from pycadf import event as ev_m
from pycadf import host as host_m
from pycadf import reason as rsn_m
from pycadf import resource as res_m

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
ACTIONS = {"backup", "capture", "create", "configure", "read", "read/list", "update", "delete", "monitor",
           "start", "stop", "deploy", "undeploy", "enable", "disable", "send", "receive", "authenticate",
           "authenticate/login", "revoke", "renew", "restore", "evaluate", "allow", "deny", "notify", "unknown"}
OUTCOMES = {"success", "failure", "pending", "unknown"}
RESOURCE_ROOTS = {"storage", "compute", "network", "service", "data", "unknown"}


class StrictError(AssertionError):
    pass


def _check(cond, message):
    if not cond:
        raise StrictError(message)


def _uuid(value, what):
    try:
        _check(str(uuid.UUID(value)) == value, "%s %r is not a canonical UUID" % (what, value))
    except (ValueError, TypeError, AttributeError):
        raise StrictError("%s %r is not a UUID" % (what, value))


def _action_known(action):
    return action in ACTIONS or any(action.startswith(a + "/") and len(action) > len(a) + 1 for a in ACTIONS)


def _resource(d, role):
    d = dict(d)
    if set(d) == {"id"} and d["id"] in ("target", "initiator"):
        _check(d["id"] != role, "%s refers to itself" % role)
        return res_m.Resource(id=d["id"])
    _check("id" in d and "typeURI" in d, "%s needs id and typeURI" % role)
    _uuid(d["id"], role + ".id")
    _check(d["typeURI"].split("/")[0] in RESOURCE_ROOTS, "%s typeURI %r unknown" % (role, d["typeURI"]))
    r = res_m.Resource(id=d.pop("id"), typeURI=d.pop("typeURI"), name=d.pop("name", None),
                       ref=d.pop("ref", None), domain=d.pop("domain", None))
    if "host" in d:
        r.host = host_m.Host(**d.pop("host"))
    for a in d.pop("attachments", []):
        r.add_attachment(att_m.Attachment(**a))
    for k, v in d.items():
        setattr(r, k, v)
    _check(r.is_valid(), "%s is not a valid pycadf Resource" % role)
    return r


def validate(doc):
    """Raise StrictError unless ``doc`` (a parsed record) is a strictly valid CADF event."""
    d = dict(doc)
    for key in ("typeURI", "id", "eventType", "eventTime", "action", "outcome"):
        _check(key in d, "missing %s (pycadf would silently default it)" % key)
    _check(d.pop("typeURI") == ev_m.TYPE_URI_EVENT, "wrong event typeURI")
    _check(TS_RE.match(d["eventTime"]) is not None, "eventTime %r not in spec form" % d["eventTime"])
    _uuid(d["id"], "event id")
    _check(_action_known(d["action"]), "action %r not in the taxonomy" % d["action"])
    _check(d["outcome"] in OUTCOMES, "outcome %r unknown" % d["outcome"])
    kw = dict((k, d.pop(k)) for k in ("eventType", "id", "eventTime", "action", "outcome"))
    for role in ("initiator", "target", "observer"):
        _check((role in d) != (role + "Id" in d), "need exactly one of %s/%sId" % (role, role))
        if role in d:
            kw[role] = _resource(d.pop(role), role)
        else:
            kw[role + "Id"] = d.pop(role + "Id")
    for k in ("name", "severity"):
        if k in d:
            kw[k] = d.pop(k)
    if "reason" in d:
        kw["reason"] = rsn_m.Reason(**d.pop("reason"))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Invalid uuid")
        try:
            e = ev_m.Event(**kw)
            for t in d.pop("tags", []):
                e.add_tag(t)
            for a in d.pop("attachments", []):
                e.add_attachment(att_m.Attachment(**a))
        except (ValueError, UserWarning) as exc:
            raise StrictError("pycadf rejected the event: %s" % exc)
        for k, v in d.items():
            setattr(e, k, v)
        _check(e.is_valid(), "pycadf Event.is_valid() is False")
    if kw["eventType"] == "control":
        _check("reason" in kw, "control event without reason")
    if kw["eventType"] == "monitor":
        _check(hasattr(e, "measurements"), "monitor event without measurements")
    _check(json.loads(json.dumps(e.as_dict())) == doc, "pycadf round trip is not exact")
    return e


def validate_trail(path):
    """Validate every record of a trail file; returns the records."""
    records = []
    with open(path, "rb") as handle:
        for line in handle:
            doc = json.loads(line)
            validate(doc)
            records.append(doc)
    return records
