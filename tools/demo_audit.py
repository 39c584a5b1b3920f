#!/usr/bin/env python3
"""The demo's look at a CADF trail written by the cloudmgmt.dmtf.cadf callback.

``demo_audit.py count TRAIL``: the records by action and outcome, playbook runs apart.
``demo_audit.py tamper TRAIL COPY``: copy the trail and its digest file, then change one byte of
one change record (the last character of its target's name) in the copy, the way someone editing
the trail by hand would; the digest file is copied untouched.
"""
from __future__ import annotations

import collections
import json
import shutil
import sys

RUN_MARKERS = ("run_start", "run_stop")


def load(path: str) -> list:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def reason(record: dict) -> str:
    return (record.get("reason") or {}).get("reasonCode", "")


def count(path: str) -> None:
    records = load(path)
    changes = [r for r in records if reason(r) not in RUN_MARKERS]
    runs = sum(reason(r) == "run_start" for r in records)
    by_kind = collections.Counter((r["action"], r["outcome"], r["target"]["typeURI"]) for r in changes)
    print(f"   {len(records)} records: {runs} playbook runs (a start and a stop record each) "
          f"and {len(changes)} changes:")
    for (action, outcome, target), n in sorted(by_kind.items()):
        print(f"   {n:>5}  {action:<8} {outcome:<8} {target}")


def tamper(path: str, copy: str) -> None:
    shutil.copyfile(path + ".digest", copy + ".digest")
    with open(path, "rb") as handle:
        lines = handle.read().split(b"\n")
    changed = [i for i, line in enumerate(lines) if line and reason(json.loads(line)) == "changed"]
    index = changed[len(changed) // 2]
    name = json.loads(lines[index])["target"]["name"]
    needle = b'"name":' + json.dumps(name).encode()
    at = lines[index].index(needle) + len(needle) - 2  # the name's last character
    record = bytearray(lines[index])
    record[at] ^= 0x01
    lines[index] = bytes(record)
    with open(copy, "wb") as handle:
        handle.write(b"\n".join(lines))
    forged = json.loads(lines[index])["target"]["name"]
    print(f"   tampered copy: record {index + 1}, one byte changed: target {name!r} -> {forged!r}")


def main(argv: list) -> int:
    if len(argv) == 3 and argv[1] == "count":
        count(argv[2])
    elif len(argv) == 4 and argv[1] == "tamper":
        tamper(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
