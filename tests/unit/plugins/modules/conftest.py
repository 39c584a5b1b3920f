# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'module_utils', 'cimi'))
sys.path.insert(0, HERE)

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from fake_cimi import FakeCimi  # noqa: E402
from fake_store import FakeStore  # noqa: E402


@pytest.fixture
def fake():
    with FakeCimi() as server:
        yield server


@pytest.fixture
def store():
    with FakeStore() as server:
        yield server


@pytest.fixture
def run_module(capsys):
    """Run a module's main() with args; return (result dict, exit code)."""
    def run(module, args, check_mode=False, diff=False):
        args = dict(args)
        if check_mode:
            args['_ansible_check_mode'] = True
        if diff:
            args['_ansible_diff'] = True
        with patch_module_args(args):
            with pytest.raises(SystemExit) as info:
                module.main()
        out = capsys.readouterr().out
        return json.loads(out), info.value.code
    return run
