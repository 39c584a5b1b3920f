# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build CADF events for an automation run from plain values (no Ansible objects).

Roles: the initiator is the controller user, the observer is this collection's
auditing service on the controller, the target is the managed host
(``compute/node``) or the finer resource a module reported in its ``cadf``
return hint. Only allow-listed values reach a record.
"""

from __future__ import annotations

import os

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import model
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.anchor import ANCHOR_TYPE_URI, RESET_REASON_CODE
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.redact import strip_url_credentials

REASON_TYPE = "urn:cloudmgmt:dmtf:ansible:result"
# reasonCode of a failure record: "<status>: <the module's message, secrets masked>".
MESSAGE_REASON_TYPE = "urn:cloudmgmt:dmtf:ansible:message"
IDENTITY_ATTACHMENT = "identity"
ANSIBLE_ATTACHMENT = "ansible"
ANSIBLE_ATTACHMENT_TYPE = "mime:application/json"
OBSERVER_NAME = "cloudmgmt.dmtf.cadf"
HOST_TYPE_URI = "compute/node"
RUN_TYPE_URI = "data/workload/job"
TRAIL_TYPE_URI = "data/file/log"
ANCHOR_ATTACHMENT = "anchor"
# Result statuses and their CADF outcome (check-mode "would change" is "pending").
OUTCOME_BY_STATUS = {"changed": "success", "ok": "success", "would_change": "pending", "failed": "failure",
                     "ignored": "failure", "unreachable": "failure"}
_MAX_TEXT = 1024


def _text(value, limit=_MAX_TEXT):
    return strip_url_credentials(str(value))[:limit]


class RunContext:
    """Everything constant during one run: roles, run id, playbook.

    ``user`` is the OS account name; ``uid`` its number and ``claims`` the user names the
    environment gave (USER...), recorded apart in the initiator's ``identity`` attachment.
    ``run_info`` (playbook path, git commit) and ``tags`` (operator tags) go into every record.
    """

    def __init__(self, user, controller, agent, platform_name, playbook, run_id=None, uid=None,
                 claims=None, address=None, run_info=None, tags=None):
        self.run_id = run_id or model.new_id()
        self.playbook = _text(playbook, 255)
        identity = {"uid": uid, "user": user, "claimed": dict(claims or {})} if uid is not None else None
        self.initiator = model.resource(
            "data/security/account/user", model.stable_id("user", "%s@%s" % (user, controller)),
            name=_text(user, 255), domain=_text(controller, 255),
            host=dict((k, v) for k, v in (("address", _text(address, 255) if address else None),
                                          ("agent", _text(agent, 255)),
                                          ("platform", _text(platform_name, 255))) if v),
            attachments=[model.attachment(IDENTITY_ATTACHMENT, ANSIBLE_ATTACHMENT_TYPE, identity)]
            if identity else None)
        self.run_info = dict((k, _text(v, 4096)) for k, v in (run_info or {}).items() if v)
        self.operator_tags = dict((k, _text(v, 256)) for k, v in (tags or {}).items())
        self.observer = model.resource(
            "service/security/audit", model.stable_id("observer", "%s@%s" % (OBSERVER_NAME, controller)),
            name=OBSERVER_NAME, domain=_text(controller, 255))
        self.run_target = model.resource(RUN_TYPE_URI, self.run_id, name=self.playbook)

    def tags(self, check_mode=False):
        tags = [model.name_value_tag("correlation_id", self.run_id),
                model.name_value_tag("playbook", self.playbook)]
        if check_mode:
            tags.append(model.name_value_tag("check_mode", "true"))
        tags.extend(model.name_value_tag(k, v) for k, v in sorted(self.operator_tags.items()))
        return tags

    def content(self, details):
        """The ``ansible`` attachment: details plus the run's playbook path, commit and tags."""
        content = dict(details)
        content.update(self.run_info)
        if self.operator_tags:
            content["tags"] = dict(self.operator_tags)
        return content

    def run_event(self, action, outcome, content, check_mode=False):
        return model.event(
            action, outcome, self.initiator, self.run_target, self.observer,
            reason={"reasonType": REASON_TYPE, "reasonCode": "run_%s" % action},
            tags=self.tags(check_mode),
            attachments=[model.attachment(ANSIBLE_ATTACHMENT, ANSIBLE_ATTACHMENT_TYPE, self.content(content))])

    def reset_event(self, trail_path, entry):
        """The first record of a run whose trail does not continue its anchor: what the anchor said."""
        return model.event(
            "evaluate", "failure", self.initiator, trail_target(trail_path), self.observer,
            reason={"reasonType": ANCHOR_TYPE_URI, "reasonCode": RESET_REASON_CODE},
            tags=self.tags(),
            attachments=[model.attachment(ANCHOR_ATTACHMENT, ANCHOR_TYPE_URI, dict(entry))])

    def anchor_event(self, trail_path, anchor):
        """The anchor as a CADF event for the forwarders (never written to the trail itself)."""
        return model.event(
            "notify", "success", self.initiator, trail_target(trail_path), self.observer,
            reason={"reasonType": ANCHOR_TYPE_URI, "reasonCode": "anchor"},
            tags=self.tags(),
            attachments=[model.attachment(ANCHOR_ATTACHMENT, ANCHOR_TYPE_URI, dict(anchor))])


def trail_target(trail_path):
    real = os.path.realpath(trail_path)
    return model.resource(TRAIL_TYPE_URI, model.stable_id("trail", real), name=_text(real, 255))


def host_target(host_name):
    return model.resource(HOST_TYPE_URI, model.stable_id("host", host_name), name=_text(host_name, 255))


def hint_target(hint):
    """Target from a module's ``cadf`` return hint, or None when the hint is unusable."""
    if not isinstance(hint, dict) or not model.is_resource_type(hint.get("typeURI")):
        return None
    raw_id = hint.get("id")
    if raw_id in (None, ""):
        return None
    raw_id = str(raw_id)
    if model.is_uuid(raw_id):
        return model.resource(hint["typeURI"], raw_id, name=_text(hint["name"], 255) if hint.get("name") else None)
    return model.resource(hint["typeURI"], model.stable_id(hint["typeURI"], raw_id),
                          name=_text(hint["name"], 255) if hint.get("name") else None, ref=_text(raw_id))


def result_event(ctx, status, action, host_name, details, check_mode=False, hint=None, message=None):
    """One activity event for a task result.

    ``status`` is changed/ok/failed/ignored/unreachable (``changed`` becomes
    ``would_change`` with outcome ``pending`` in check mode); ``details`` is the
    allow-listed attachment content built by the caller; ``message`` (failures only, already
    masked by the caller) becomes the reason.
    """
    target = hint_target(hint) or host_target(host_name)
    content = dict(details)
    if check_mode and status == "changed":
        # check mode: a "would change" is recorded, never as a real change
        status = "would_change"
        content["changed"] = False
    outcome = OUTCOME_BY_STATUS[status]
    if check_mode and outcome == "success":
        outcome = "pending"
    content.update({"host": _text(host_name, 255), "status": status, "check_mode": bool(check_mode)})
    reason = {"reasonType": REASON_TYPE, "reasonCode": status}
    if message and outcome == "failure":
        reason = {"reasonType": MESSAGE_REASON_TYPE, "reasonCode": "%s: %s" % (status, _text(message))}
    return model.event(
        action, outcome, ctx.initiator, target, ctx.observer, reason=reason,
        tags=ctx.tags(check_mode),
        attachments=[model.attachment(ANSIBLE_ATTACHMENT, ANSIBLE_ATTACHMENT_TYPE, ctx.content(content))])
