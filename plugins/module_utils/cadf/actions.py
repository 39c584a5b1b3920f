# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Map an Ansible module (FQCN) and its ``state`` to a CADF action.

An entry is either an action string, or a dict with ``states`` ({state: action})
and ``default`` (action when the state is absent or not listed). Users extend or
override entries with a YAML/JSON file (callback option ``action_map_file``);
the ``state`` argument is only used as a lookup key, never copied into a record.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import is_action

# Action for a changed result of a module that is in no map.
FALLBACK_ACTION = "update"

_PRESENCE = {"present": "create", "absent": "delete", "latest": "update"}
_SERVICE = {"started": "start", "stopped": "stop", "restarted": "start/restart",
            "reloaded": "update/reload"}
# CIMI operations (DSP0263 actions and volume attach/detach) and their CADF action; the CIMI
# modules' states below and the reference provider's own API audit both use this map.
CIMI_OPERATIONS = {"start": "start", "stop": "stop", "restart": "start/restart", "pause": "stop/pause",
                   "suspend": "stop/suspend", "capture": "capture", "attach": "update/attach",
                   "detach": "update/detach"}
_CIMI = {"present": "create", "absent": "delete", "started": CIMI_OPERATIONS["start"],
         "stopped": CIMI_OPERATIONS["stop"], "restarted": CIMI_OPERATIONS["restart"],
         "suspended": CIMI_OPERATIONS["suspend"], "paused": CIMI_OPERATIONS["pause"],
         "attached": CIMI_OPERATIONS["attach"], "detached": CIMI_OPERATIONS["detach"]}

DEFAULT_ACTIONS = {
    "ansible.builtin.file": {"states": {"absent": "delete", "directory": "create", "touch": "update",
                                        "link": "create", "hard": "create", "file": "update"},
                             "default": "update"},
    "ansible.builtin.copy": "update/config",
    "ansible.builtin.template": "update/config",
    "ansible.builtin.lineinfile": "update/config",
    "ansible.builtin.blockinfile": "update/config",
    "ansible.builtin.replace": "update/config",
    "ansible.builtin.ini_file": "update/config",
    "community.general.ini_file": "update/config",
    "ansible.builtin.package": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.apt": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.dnf": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.pip": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.user": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.group": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.apt_repository": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.yum_repository": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.cron": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.authorized_key": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.known_hosts": {"states": _PRESENCE, "default": "create"},
    "ansible.builtin.service": {"states": _SERVICE, "default": "update"},
    "ansible.builtin.systemd": {"states": _SERVICE, "default": "update"},
    "ansible.builtin.systemd_service": {"states": _SERVICE, "default": "update"},
    "ansible.builtin.sysvinit": {"states": _SERVICE, "default": "update"},
    "ansible.builtin.command": "update",
    "ansible.builtin.shell": "update",
    "ansible.builtin.raw": "update",
    "ansible.builtin.script": "update",
    "ansible.builtin.reboot": "start/reboot",
    "ansible.builtin.git": "update",
    "ansible.builtin.get_url": "create",
    "ansible.builtin.unarchive": "create",
    "ansible.builtin.uri": "send",
    "ansible.builtin.debug": "notify",
    "ansible.builtin.set_fact": "update",
    "cloudmgmt.dmtf.cimi_machine": {"states": _CIMI, "default": "create"},
    "cloudmgmt.dmtf.cimi_volume": {"states": _CIMI, "default": "create"},
    "cloudmgmt.dmtf.cimi_volume_attachment": {"states": {"present": CIMI_OPERATIONS["attach"],
                                                         "absent": CIMI_OPERATIONS["detach"]},
                                              "default": CIMI_OPERATIONS["attach"]},
    "cloudmgmt.dmtf.cimi_network": {"states": _CIMI, "default": "create"},
    "cloudmgmt.dmtf.cimi_system": {"states": _CIMI, "default": "create"},
    "cloudmgmt.dmtf.cimi_credential": {"states": _PRESENCE, "default": "create"},
    "cloudmgmt.dmtf.cimi_machine_template": {"states": _PRESENCE, "default": "create"},
    "cloudmgmt.dmtf.cimi_machine_config": {"states": _PRESENCE, "default": "create"},
    "cloudmgmt.dmtf.cimi_machine_image": {"states": _PRESENCE, "default": "create"},
    "cloudmgmt.dmtf.cimi_system_template": {"states": _PRESENCE, "default": "create"},
    "cloudmgmt.dmtf.ovf_deploy": {"states": {"present": "deploy", "running": "deploy",
                                             "stopped": "deploy", "absent": "undeploy"},
                                  "default": "deploy"},
    "cloudmgmt.dmtf.cadf_verify": "evaluate",
}


def check_action_map(mapping):
    """Return problems in a user action map (empty list when usable)."""
    problems = []
    if not isinstance(mapping, dict):
        return ["the action map must be a mapping of module name to action"]
    for module, entry in mapping.items():
        if isinstance(entry, str):
            actions = [entry]
        elif isinstance(entry, dict) and set(entry) <= {"states", "default"} \
                and isinstance(entry.get("states", {}), dict):
            actions = list(entry.get("states", {}).values()) + ([entry["default"]] if "default" in entry else [])
        else:
            problems.append("%s: entry must be an action or {states: {...}, default: ...}" % module)
            continue
        problems.extend("%s: %r is not a CADF action" % (module, a) for a in actions if not is_action(a))
    return problems


def resolve_action(mapping, module, state=None):
    """The CADF action for ``module`` (FQCN) with ``state`` (may be None)."""
    entry = mapping.get(module)
    if entry is None and module and "." not in module:
        entry = mapping.get("ansible.builtin." + module)
    if entry is None:
        return FALLBACK_ACTION
    if isinstance(entry, str):
        return entry
    if isinstance(state, str) and state in entry.get("states", {}):
        return entry["states"][state]
    return entry.get("default", FALLBACK_ACTION)


def cimi_operation_action(operation):
    """The CADF action for a CIMI operation name (``start``, ``capture``...): the shared map,
    else ``update/<operation>`` when the name is a valid taxonomy segment, else ``update``."""
    if operation in CIMI_OPERATIONS:
        return CIMI_OPERATIONS[operation]
    candidate = "update/%s" % str(operation).lower()
    return candidate if is_action(candidate) else FALLBACK_ACTION


# What a module reports in its ``actions`` return value -> CADF action (the rest via cimi_operation_action).
_PERFORMED = {"create": "create", "update": "update", "delete": "delete"}
# Notes in ``actions`` that are not changes of their own.
_NOT_CHANGES = frozenset(["recovered-after-ambiguous-create"])


def performed_actions(result):
    """[(module's step, CADF action)] of what a module did, from its ``actions`` return value
    (this collection's modules: a list of step names next to a ``cadf`` hint), or None when the
    result does not say what was done."""
    steps = result.get("actions") if isinstance(result, dict) else None
    if not isinstance(result.get("cadf") if isinstance(result, dict) else None, dict) \
            or not isinstance(steps, list) or not all(isinstance(s, str) and s for s in steps):
        return None
    performed = [(s, _PERFORMED.get(s) or cimi_operation_action(s)) for s in steps if s not in _NOT_CHANGES]
    return performed or None
