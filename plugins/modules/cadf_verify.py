#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cadf_verify
short_description: Verify a CADF audit trail written by the cloudmgmt.dmtf.cadf callback
version_added: 0.1.0
description:
  - Checks a trail offline and returns a report. Fails when anything is wrong
    (edited, deleted, reordered or duplicated records, gaps, truncation, invalid CADF,
    forged or edited digests, bad signatures), listing each problem.
  - Reads files only; it never changes anything, so check mode behaves like a normal run.
author:
  - cloudmgmt.dmtf developers (@cloudmgmt)
options:
  path:
    description:
      - The trail file (JSON Lines), or a directory of rotated trails.
      - In a directory every file whose first line is a sealed record is a trail (its digests in the file of the
        same name with C(.digest) appended, or, as C(logrotate) names them, C(t.digest.1) for C(t.1)); they are
        checked one by one and ordered by their first sequence number, and each must continue the chain where
        the one before ends. The oldest must start at sequence 1
        (older files removed are reported as a truncated head).
    type: path
    required: true
  digest_path:
    description: The digest file. Defaults to O(path) with C(.digest) appended. Not used when O(path) is a directory.
    type: path
  anchor:
    description:
      - The anchor file the callback keeps for this trail (its option O(cloudmgmt.dmtf.cadf#callback:anchor_path),
        by default C(~/.ansible/cadf/anchors/<hash>.json) on the controller), or a copy kept elsewhere.
      - The trail must still hold the record the anchor names, where the anchor says it ends; otherwise the trail
        was erased, truncated or replaced (problem C(anchor_lost)). Every reset the anchor remembers is a problem
        (C(trail_reset)). With O(key_file) the anchor must be signed by that key (C(bad_anchor)).
    type: path
    version_added: 0.1.0
  key_file:
    description:
      - The HMAC secret, or the Ed25519 public (or private) key in PEM, that signed the digests.
      - When given, every digest must carry a valid signature by this key and the digest file must exist.
    type: path
  require_sealed:
    description: Also fail when records after the last digest are not sealed (a run still going or interrupted).
    type: bool
    default: false
requirements:
  - cryptography (only for Ed25519 keys)
attributes:
  check_mode:
    description: Can run in check mode and return the same report.
    support: full
  diff_mode:
    description: Returns no diff; nothing is changed.
    support: none
notes:
  - Records written after the last digest can be removed without trace; signed digests and O(require_sealed)
    narrow this, and keeping the key off the audited host keeps digests unforgeable.
"""

EXAMPLES = r"""
- name: Verify the trail
  cloudmgmt.dmtf.cadf_verify:
    path: /var/log/ansible/audit.cadf.jsonl
    key_file: /etc/ansible/audit.key

- name: Verify a directory of rotated trails and that nothing was erased since the last run
  cloudmgmt.dmtf.cadf_verify:
    path: /var/log/ansible/audit
    key_file: /etc/ansible/audit.key
    anchor: /root/.ansible/cadf/anchors/0f3c2a9d5e1b4c7a8d6e2f1a3b5c7d9e.json

- name: Verify an Ed25519-signed trail with the public key only, allowing a run in progress
  cloudmgmt.dmtf.cadf_verify:
    path: /var/log/ansible/audit.cadf.jsonl
    key_file: /etc/ansible/audit.pub.pem
  register: audit
"""

RETURN = r"""
valid:
  description: Whether the trail passed every check.
  returned: always
  type: bool
records:
  description: Number of sealed records in the trail.
  returned: always
  type: int
first_seq:
  description: Sequence number of the first record.
  returned: always
  type: int
last_seq:
  description: Highest sequence number seen.
  returned: always
  type: int
runs:
  description: Number of distinct runs in the trail.
  returned: always
  type: int
digests:
  description: Number of digests read.
  returned: always
  type: int
signed_digests:
  description: Number of digests whose signature was verified with O(key_file).
  returned: always
  type: int
unsealed_records:
  description: Records after the last digest.
  returned: always
  type: int
problem_count:
  description: Number of problems found (only the first 200 are listed).
  returned: always
  type: int
problems:
  description: The problems found.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: >-
        One of truncated, unparseable, not_canonical, invalid_record, unsealed_record, gap, reordered,
        broken_link, bad_digest, unsigned_digest, bad_signature, digest_chain, edited, missing_digests,
        unsealed_records, trail_reset, anchor_lost, bad_anchor, missing_trail.
      type: str
    file:
      description: The file of a directory of rotated trails the problem is in.
      type: str
      returned: when O(path) is a directory and the problem is in one file
    message:
      description: What is wrong.
      type: str
    line:
      description: Line of the trail, when the problem is one record.
      type: int
      returned: when relevant
    seq:
      description: Sequence number of that record.
      type: int
      returned: when relevant
files:
  description: The trail files of a directory, in chain order.
  returned: when O(path) is a directory
  type: list
  elements: dict
  contains:
    file:
      description: File name.
      type: str
    records:
      description: Sealed records in the file.
      type: int
    first_seq:
      description: Its first sequence number.
      type: int
    last_seq:
      description: Its highest sequence number.
      type: int
verify_warnings:
  description: Things that are not failures but limit what was checked.
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.anchor import AnchorError, read_anchor
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.digest import default_digest_path
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.signing import SigningKeyError, load_key
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.verify import verify_directory, verify_trail


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            digest_path=dict(type="path"),
            key_file=dict(type="path", no_log=False),
            anchor=dict(type="path"),
            require_sealed=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    if not os.path.isfile(path) and not os.path.isdir(path):
        module.fail_json(msg="audit trail %s does not exist or is not a file or a directory" % path)
    key = anchor = None
    if module.params["key_file"]:
        try:
            key = load_key(module.params["key_file"])
        except SigningKeyError as exc:
            module.fail_json(msg=str(exc))
    if module.params["anchor"]:
        try:
            anchor = read_anchor(module.params["anchor"])
        except AnchorError as exc:
            module.fail_json(msg=str(exc))
        if anchor is None:
            module.fail_json(msg="anchor %s does not exist" % module.params["anchor"])
    try:
        if os.path.isdir(path):
            report = verify_directory(path, key=key, require_sealed=module.params["require_sealed"], anchor=anchor)
        else:
            report = verify_trail(path, module.params["digest_path"] or default_digest_path(path), key=key,
                                  require_sealed=module.params["require_sealed"], anchor=anchor)
    except (IOError, OSError) as exc:
        module.fail_json(msg="cannot read audit trail %s: %s" % (path, exc.strerror or exc))
    report["verify_warnings"] = report.pop("warnings")
    report.pop("size", None)
    for warning in report["verify_warnings"]:
        module.warn(warning)
    if not report["valid"]:
        first = report["problems"][0]["message"] if report["problems"] else "unknown problem"
        module.fail_json(msg="audit trail %s failed verification: %d problem(s); first: %s"
                         % (path, report["problem_count"], first), **report)
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()
