#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cadf_query
short_description: Select events of a CADF audit trail and write a report of them
version_added: 0.1.0
description:
  - Reads a trail written by the P(cloudmgmt.dmtf.cadf#callback) callback (one file, or a directory of rotated trails),
    selects the events that match every filter given and returns them.
  - >-
    With O(dest), also writes a report of them as JSON, CSV or one self-contained HTML page (no external resources)
    with a summary per run (counts by action and outcome) and a table of the events with filters that work in
    the browser. Everything taken from the trail is escaped; the page's only script is pinned by its
    Content-Security-Policy.
  - Reading only, the trail is never changed. Lines that are not JSON records are skipped and counted; use
    M(cloudmgmt.dmtf.cadf_verify) to judge whether the trail is intact.
author:
  - cloudmgmt.dmtf developers (@cloudmgmt)
options:
  path:
    description:
      - The trail file, or a directory of rotated trails (every file whose first line is a sealed record,
        in chain order; digests are skipped).
    type: path
    required: true
  target:
    description:
      - Events whose target name, id or reference (the CIMI id of a machine, for example) matches this
        shell-style pattern (V(web-*)); case-sensitive.
    type: str
  action:
    description:
      - Events with this CADF action or one of its sub-actions (V(update) selects V(update/attach) too).
    type: str
  initiator:
    description: Events whose initiator (the OS account that ran the playbook) name or id matches this shell-style pattern.
    type: str
  outcome:
    description: Events with this outcome.
    type: str
    choices: [success, failure, pending, unknown]
  since:
    description:
      - Events at or after this ISO 8601 date or time (V(2026-12-07), V(2026-12-07T10:00:00+01:00)); without an
        offset the time is UTC.
    type: str
  until:
    description: Events at or before this ISO 8601 date or time; without an offset the time is UTC.
    type: str
  format:
    description:
      - Format of the report written to O(dest).
      - V(json) holds C(events), C(runs) and C(skipped_lines); V(csv) one event a line (cells that a spreadsheet
        would take for a formula start with C(')); V(html) one page with the filters set from the URL fragment
        (C(report.html#outcome=failure&target=web-1)).
    type: str
    choices: [json, csv, html]
    default: json
  dest:
    description:
      - File to write the report to (mode 0600). It is only rewritten when its content changes, so running the
        same query again reports no change.
      - Without it, nothing is written and the events are only returned.
    type: path
attributes:
  check_mode:
    description: Selects and returns the events; says whether O(dest) would change without writing it.
    support: full
  diff_mode:
    description: Returns no diff.
    support: none
notes:
  - The events returned and written are those of the records as they are; a trail that was edited still reads.
    Verify it first with M(cloudmgmt.dmtf.cadf_verify) when the report is evidence.
seealso:
  - module: cloudmgmt.dmtf.cadf_verify
  - plugin: cloudmgmt.dmtf.cadf
    plugin_type: callback
"""

EXAMPLES = r"""
- name: Every change made to web-1, as an HTML report
  cloudmgmt.dmtf.cadf_query:
    path: /var/log/ansible/audit.cadf.jsonl
    target: web-1
    format: html
    dest: /srv/audit/web-1.html

- name: Failures of last week across the rotated trails, as CSV
  cloudmgmt.dmtf.cadf_query:
    path: /var/log/ansible/audit
    outcome: failure
    since: "2026-11-30"
    until: "2026-12-06T23:59:59+00:00"
    format: csv
    dest: /srv/audit/failures.csv

- name: Machines deleted by alice
  cloudmgmt.dmtf.cadf_query:
    path: /var/log/ansible/audit.cadf.jsonl
    action: delete
    initiator: alice
  register: deleted
"""

RETURN = r"""
count:
  description: Number of events selected.
  returned: always
  type: int
  sample: 2
skipped_lines:
  description: Lines of the trail that are not JSON records.
  returned: always
  type: int
  sample: 0
dest:
  description: The report file.
  returned: when O(dest) is set
  type: str
  sample: /srv/audit/web-1.html
events:
  description: The selected events, in trail order.
  returned: always
  type: list
  elements: dict
  contains:
    time:
      description: The event time (CADF C(eventTime)).
      type: str
      sample: "2026-12-07T10:02:11.123456+00:00"
    action:
      description: The CADF action.
      type: str
      sample: create
    outcome:
      description: The CADF outcome.
      type: str
      sample: success
    target:
      description: Name of the target (a machine, a managed host, the run, the trail).
      type: str
      sample: web-1
    target_type:
      description: CADF type of the target.
      type: str
      sample: compute/machine
    target_id:
      description: CADF id of the target.
      type: str
    target_ref:
      description: Reference of the target (the CIMI id of a resource), empty when none.
      type: str
    initiator:
      description: The OS account that ran the playbook.
      type: str
      sample: alice
    initiator_id:
      description: CADF id of the initiator.
      type: str
    reason:
      description: The reason code; for failures the status and the module's message (secrets masked).
      type: str
      sample: "failed: no machine configuration named 'm9'"
    host:
      description: The inventory host of the task.
      type: str
    play:
      description: The play's name as written.
      type: str
    task:
      description: The task's name as written.
      type: str
    module:
      description: The module that ran.
      type: str
    status:
      description: The result status (changed, failed, ignored, unreachable, would_change, ok).
      type: str
    playbook:
      description: The playbook (path when recorded).
      type: str
    check_mode:
      description: Whether the task ran in check mode.
      type: bool
    tags:
      description: Operator tags of the run.
      type: dict
      sample: {"ticket": "CHG-1"}
    run:
      description: The run (correlation) id.
      type: str
    id:
      description: The event's id.
      type: str
    seq:
      description: Sequence number in the chain.
      type: int
    file:
      description: File the event was read from.
      type: str
    line:
      description: Line of that file.
      type: int
runs:
  description: The selected events counted per run, in order of first appearance.
  returned: always
  type: list
  elements: dict
  contains:
    run:
      description: The run id.
      type: str
    playbook:
      description: The run's playbook.
      type: str
    initiator:
      description: Who ran it.
      type: str
    first:
      description: Time of its first selected event.
      type: str
    last:
      description: Time of its last selected event.
      type: str
    events:
      description: Number of its selected events.
      type: int
    by_action:
      description: Events per action.
      type: dict
      sample: {"create": 2, "delete": 1}
    by_outcome:
      description: Events per outcome.
      type: dict
      sample: {"success": 3}
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.query import (
    Filters, QueryError, run_query, summarise)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.report import render


def _unchanged(dest, data):
    try:
        with open(dest, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _write(dest, data):
    folder = os.path.dirname(os.path.abspath(dest))
    fd, tmp = tempfile.mkstemp(prefix=".cadf_query.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            target=dict(type="str"),
            action=dict(type="str"),
            initiator=dict(type="str"),
            outcome=dict(type="str", choices=["success", "failure", "pending", "unknown"]),
            since=dict(type="str"),
            until=dict(type="str"),
            format=dict(type="str", default="json", choices=["json", "csv", "html"]),
            dest=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        filters = Filters(target=p["target"], action=p["action"], initiator=p["initiator"], outcome=p["outcome"],
                          since=p["since"], until=p["until"])
        events, skipped = run_query(p["path"], filters)
    except QueryError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg="cannot read audit trail %s: %s" % (p["path"], exc.strerror or exc))
    result = dict(changed=False, count=len(events), skipped_lines=skipped, events=events, runs=summarise(events))
    if p["dest"]:
        dest = p["dest"]
        result["dest"] = dest
        if os.path.isdir(dest):
            module.fail_json(msg="dest %s is a directory; give the report's file name" % dest, **result)
        if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
            module.fail_json(msg="the directory of dest %s does not exist" % dest, **result)
        data = to_bytes(render(events, p["format"], skipped=skipped))
        if not _unchanged(dest, data):
            result["changed"] = True
            if not module.check_mode:
                try:
                    _write(dest, data)
                except OSError as exc:
                    module.fail_json(msg="cannot write the report %s: %s" % (dest, exc.strerror or exc), **result)
    if skipped:
        module.warn("%d line(s) of %s are not JSON records and were skipped" % (skipped, p["path"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
