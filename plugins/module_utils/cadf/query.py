# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a trail (a file or a directory of rotated trails) and select events for an auditor.

Each selected record becomes a flat event (time, action, outcome, target, initiator, task...)
with where it was found (file, line, seq); ``summarise`` counts them per run by action and
outcome. Reading never changes the trail; lines that are not records are counted and skipped
(``cadf_verify`` is what judges a trail's integrity).
"""

import fnmatch
import json
import os
from datetime import datetime, timezone

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import OUTCOMES, integrity_of
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.verify import trail_files

_ANSIBLE = "ansible"


class QueryError(ValueError):
    """A query that cannot be run (bad path or filter); the message says which and why."""


def parse_time(value, what):
    """An aware datetime from ISO 8601 text (a date alone is its midnight; no offset means UTC)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError("%s %r is not an ISO 8601 date or time (e.g. 2026-12-07 or 2026-12-07T10:00:00+00:00)"
                         % (what, value))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class Filters:
    """What to select. Text filters are shell-style patterns (``web-*``); an action selects its
    sub-actions too (``update`` selects ``update/attach``)."""

    def __init__(self, target=None, action=None, initiator=None, outcome=None, since=None, until=None):
        if outcome is not None and outcome not in OUTCOMES:
            raise QueryError("outcome must be one of %s" % ", ".join(OUTCOMES))
        self.target, self.action, self.initiator, self.outcome = target, action, initiator, outcome
        self.since, self.until = parse_time(since, "since"), parse_time(until, "until")
        if self.since and self.until and self.since > self.until:
            raise QueryError("since (%s) is after until (%s)" % (since, until))

    @staticmethod
    def _match(pattern, values):
        return any(isinstance(v, str) and fnmatch.fnmatchcase(v, pattern) for v in values)

    def accepts(self, event):
        if self.target and not self._match(self.target, [event["target"], event["target_id"], event["target_ref"]]):
            return False
        if self.action and not (event["action"] == self.action or event["action"].startswith(self.action + "/")):
            return False
        if self.initiator and not self._match(self.initiator, [event["initiator"], event["initiator_id"]]):
            return False
        if self.outcome and event["outcome"] != self.outcome:
            return False
        if self.since or self.until:
            when = parse_time(event["time"], "eventTime") if event["time"] else None
            if when is None or (self.since and when < self.since) or (self.until and when > self.until):
                return False
        return True


def _attachment(doc, name):
    for att in doc.get("attachments") or []:
        if isinstance(att, dict) and att.get("name") == name and isinstance(att.get("content"), dict):
            return att["content"]
    return {}


def _text(value):
    return value if isinstance(value, str) else ("" if value is None else str(value))


def flatten(doc, file_name, line):
    """The auditor's view of one record."""
    target = doc.get("target") if isinstance(doc.get("target"), dict) else {}
    initiator = doc.get("initiator") if isinstance(doc.get("initiator"), dict) else {}
    reason = doc.get("reason") if isinstance(doc.get("reason"), dict) else {}
    details = _attachment(doc, _ANSIBLE)
    chain = integrity_of(doc) or {}
    tags = details.get("tags") if isinstance(details.get("tags"), dict) else {}
    return {
        "file": file_name, "line": line, "seq": chain.get("seq"), "run": _text(chain.get("run")),
        "id": _text(doc.get("id")), "time": _text(doc.get("eventTime")),
        "action": _text(doc.get("action")), "outcome": _text(doc.get("outcome")),
        "target": _text(target.get("name")), "target_type": _text(target.get("typeURI")),
        "target_id": _text(target.get("id")), "target_ref": _text(target.get("ref")),
        "initiator": _text(initiator.get("name")), "initiator_id": _text(initiator.get("id")),
        "reason": _text(reason.get("reasonCode")),
        "host": _text(details.get("host")), "play": _text(details.get("play")), "task": _text(details.get("task")),
        "module": _text(details.get("module")), "status": _text(details.get("status")),
        "playbook": _text(details.get("playbook") or details.get("playbook_path")),
        "check_mode": bool(details.get("check_mode")), "tags": dict((str(k), _text(v)) for k, v in tags.items()),
    }


def source_files(path):
    """The files of ``path``: itself, or the trail files of a directory in chain order."""
    if os.path.isdir(path):
        files = trail_files(path)
        if not files:
            raise QueryError("no trail files in %s" % path)
        return files
    if not os.path.isfile(path):
        raise QueryError("audit trail %s does not exist or is not a file or a directory" % path)
    return [path]


def run_query(path, filters):
    """(selected events, lines skipped) of the trail at ``path``. Raises QueryError, OSError."""
    events, skipped = [], 0
    for file_path in source_files(path):
        name = os.path.basename(file_path)
        with open(file_path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    doc = json.loads(raw.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    skipped += 1
                    continue
                if not isinstance(doc, dict):
                    skipped += 1
                    continue
                event = flatten(doc, name, number)
                if filters.accepts(event):
                    events.append(event)
    return events, skipped


def summarise(events):
    """Per run, in order of first appearance: playbook, initiator, first and last time, counts."""
    runs = {}
    for event in events:
        run = runs.setdefault(event["run"], {
            "run": event["run"], "playbook": "", "initiator": event["initiator"], "first": event["time"],
            "last": event["time"], "events": 0, "by_action": {}, "by_outcome": {}})
        run["playbook"] = run["playbook"] or event["playbook"]
        run["first"], run["last"] = min(run["first"], event["time"]), max(run["last"], event["time"])
        run["events"] += 1
        run["by_action"][event["action"]] = run["by_action"].get(event["action"], 0) + 1
        run["by_outcome"][event["outcome"]] = run["by_outcome"].get(event["outcome"], 0) + 1
    return list(runs.values())
