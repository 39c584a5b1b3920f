# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declared lower bounds, installed exactly, in a fresh virtualenv: pip must find them
satisfiable together, and the unit tests, which drive every third-party library through the
plugins, must pass with them. Like ``make setup``, this needs PyPI; libvirt-python builds against
this host's libvirt, which its bound (9.0.0, Debian 12's libvirt) must not be older than."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

WORKTREE = Path(__file__).resolve().parents[3]
RUNTIME_FILES = ('requirements.txt', 'kvm-host-requirements.txt')
# What the unit tests need besides the collection's dependencies, at test-requirements.txt's pins.
TEST_TOOLS = {'ansible-core', 'pytest', 'pytest-timeout', 'pycadf', 'cot'}


def requirements(name):
    for line in (WORKTREE / name).read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if line and not line.startswith('-'):
            yield Requirement(line)


def lower_bounds():
    """{canonical name: version} of every runtime dependency's ``>=`` bound."""
    return {canonicalize_name(req.name): spec.version
            for name in RUNTIME_FILES for req in requirements(name) for spec in req.specifier}


def pinned_test_tools():
    tools = [str(req) for req in requirements('test-requirements.txt')
             if canonicalize_name(req.name) in TEST_TOOLS]
    assert len(tools) == len(TEST_TOOLS), 'test-requirements.txt pins %s' % tools
    return tools


def run(args, **kwargs):
    result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, timeout=900,
                            check=False, **kwargs)
    assert result.returncode == 0, '%s failed:\n%s\n%s' % (args[:4], result.stdout[-4000:], result.stderr[-4000:])
    return result.stdout


@pytest.mark.timeout(1800)
def test_unit_tests_pass_with_the_lower_bounds(tmp_path):
    floors = lower_bounds()
    python = tmp_path / 'venv' / 'bin' / 'python'
    run([sys.executable, '-m', 'venv', tmp_path / 'venv'])
    run([python, '-m', 'pip', 'install', '-q', *('%s==%s' % item for item in floors.items()), *pinned_test_tools()])
    installed = {canonicalize_name(item['name']): item['version']
                 for item in json.loads(run([python, '-m', 'pip', 'list', '--format', 'json']))}
    assert {name: installed.get(name) for name in floors} == floors
    # test_dependency_files.py checks the development pins, which this virtualenv has not.
    run([python, '-m', 'pytest', 'tests/unit', '-q', '-p', 'no:cacheprovider',
         '--ignore', 'tests/unit/test_dependency_files.py'], cwd=WORKTREE)
