# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action map: CIMI operations shared by the CIMI modules' states and the provider's API audit."""

from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.actions import (
    CIMI_OPERATIONS, DEFAULT_ACTIONS, check_action_map, cimi_operation_action, resolve_action)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import is_action


@pytest.mark.parametrize("operation, action", [
    ("start", "start"), ("stop", "stop"), ("restart", "start/restart"), ("pause", "stop/pause"),
    ("suspend", "stop/suspend"), ("capture", "capture"), ("attach", "update/attach"),
    ("detach", "update/detach"), ("snapshot", "update/snapshot"), ("Import", "update/import"),
    ("bad name!", "update"), ("", "update"),
])
def test_cimi_operation_action(operation, action):
    assert cimi_operation_action(operation) == action
    assert is_action(action)


def test_cimi_module_states_use_the_operation_map():
    machine = DEFAULT_ACTIONS["cloudmgmt.dmtf.cimi_machine"]
    assert resolve_action(DEFAULT_ACTIONS, "cloudmgmt.dmtf.cimi_machine", "restarted") == CIMI_OPERATIONS["restart"]
    assert resolve_action(DEFAULT_ACTIONS, "cloudmgmt.dmtf.cimi_volume", "attached") == "update/attach"
    attachment = "cloudmgmt.dmtf.cimi_volume_attachment"
    assert resolve_action(DEFAULT_ACTIONS, attachment, "present") == "update/attach"
    assert resolve_action(DEFAULT_ACTIONS, attachment, "absent") == "update/detach"
    assert machine["default"] == "create"
    assert check_action_map(DEFAULT_ACTIONS) == []
