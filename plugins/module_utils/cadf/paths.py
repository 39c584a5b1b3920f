# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refuse audit settings whose files collide before anything is written.

A digest written into the trail, a spool inside the trail's path, or a signing key that is also
the trail would corrupt the record (or, with ``flock`` on the same file twice, hang the run).
The callback and the provider's API audit both ask here first.
"""

from __future__ import annotations

import os


def _norm(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def _same_file(one: str, two: str) -> bool:
    """Hard links: two names, one file."""
    try:
        return os.path.samefile(one, two)
    except OSError:
        return False


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def path_conflicts(paths: dict) -> list:
    """Every collision among ``paths`` (role -> file or directory path; unset ones skipped).

    Two roles may not share a path, and none may lie inside another: a folder under a file's
    path cannot exist, and a file inside the spool folder would be taken for a spool segment.
    Returns one message per collision, naming both roles.
    """
    entries = [(role, _norm(path)) for role, path in paths.items() if path]
    problems = []
    for index, (role, path) in enumerate(entries):
        for other, other_path in entries[index + 1:]:
            if path == other_path or _same_file(path, other_path):
                problems.append("%s and %s are the same path (%s)" % (role, other, path))
            elif _inside(path, other_path):
                problems.append("%s (%s) lies inside %s (%s)" % (role, path, other, other_path))
            elif _inside(other_path, path):
                problems.append("%s (%s) lies inside %s (%s)" % (other, other_path, role, path))
    return problems
