# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who and what runs a playbook, as the controller's OS tells it (not as the environment claims).

The initiator of a record is the process's real account (``os.getuid`` looked up with ``pwd``);
``USER``, ``LOGNAME`` and ``SUDO_USER`` are only claims, recorded apart. The playbook's path and
the git commit of the repository holding it say which code ran. Operator tags (a change ticket)
come as ``name=value`` strings or a mapping and are checked before they reach a record.
"""

import os
import pwd
import re
import socket
import subprocess

# Environment variables whose value is the user someone claims to be (getpass reads the first ones).
CLAIM_VARIABLES = ("USER", "LOGNAME", "LNAME", "USERNAME", "SUDO_USER", "SUDO_UID")
MAX_TAGS = 20
_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_MAX_TAG_VALUE = 256
_GIT_TIMEOUT = 5


class TagError(ValueError):
    """Operator tags that cannot be recorded."""


def os_account():
    """(uid, name) of the real user of this process; the name is None when the uid has no entry."""
    uid = os.getuid()
    try:
        return uid, pwd.getpwuid(uid).pw_name
    except KeyError:
        return uid, None


def environment_claims(environ=None):
    """{variable: value} of the user names the environment claims (only the variables set)."""
    environ = os.environ if environ is None else environ
    return dict((name, environ[name][:255]) for name in CLAIM_VARIABLES if environ.get(name))


def controller_host():
    """(short host name, fully qualified name) of the controller."""
    name = socket.gethostname()
    try:
        fqdn = socket.getfqdn(name)
    except OSError:
        fqdn = name
    return name, fqdn or name


def git_commit(path):
    """The commit checked out in the git work tree that holds ``path``, or None (no git, no repository)."""
    folder = os.path.dirname(os.path.abspath(path)) if not os.path.isdir(path) else path
    try:
        proc = subprocess.run(["git", "-C", folder, "rev-parse", "--verify", "-q", "HEAD"],
                              capture_output=True, text=True, timeout=_GIT_TIMEOUT, check=False,
                              env=dict(os.environ, GIT_TERMINAL_PROMPT="0"))
    except (OSError, subprocess.SubprocessError):
        return None
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and re.match(r"^[0-9a-f]{40,64}$", commit) else None


def parse_tags(value):
    """{name: value} from a mapping or a list of ``name=value`` strings; raises TagError."""
    if value in (None, "", [], {}):
        return {}
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, (list, tuple)):
        pairs = []
        for entry in value:
            if not isinstance(entry, str) or "=" not in entry:
                raise TagError("tag %r is not name=value" % (entry,))
            name, _sep, val = entry.partition("=")
            pairs.append((name.strip(), val.strip()))
    elif isinstance(value, dict):
        pairs = list(value.items())
    else:
        raise TagError("tags must be a mapping or a list of name=value strings")
    if len(pairs) > MAX_TAGS:
        raise TagError("at most %d tags are recorded" % MAX_TAGS)
    tags = {}
    for name, val in pairs:
        if not isinstance(name, str) or not _TAG_NAME.match(name):
            raise TagError("tag name %r must be a letter then letters, digits, _ . - (64 at most)" % (name,))
        if isinstance(val, bool) or not isinstance(val, (str, int, float)):
            raise TagError("tag %s must have a text or number value" % name)
        val = str(val)
        if not val or len(val) > _MAX_TAG_VALUE or any(ord(c) < 32 for c in val):
            raise TagError("tag %s must have a value of 1 to %d printable characters" % (name, _MAX_TAG_VALUE))
        tags[name] = val
    return tags
