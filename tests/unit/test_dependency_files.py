# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's declared Python dependencies against its code and this project's pins:
every third-party import of the plugins is declared (requirements.txt for the controller and
execution environment, kvm-host-requirements.txt for the managed KVM host), with lower bounds only,
and the exact versions of constraints.txt, which the tests run with, satisfy those bounds. That the
lower bounds themselves work is tests/system/ee/test_lower_bounds.py."""
from __future__ import annotations

import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

WORKTREE = Path(__file__).resolve().parents[2]
RUNTIME_FILES = ('requirements.txt', 'kvm-host-requirements.txt')
# Imported by the plugins but installed with ansible-core itself, so never declared.
WITH_ANSIBLE_CORE = {'ansible', 'ansible_collections', 'yaml'}


def requirement_lines(path):
    for line in path.read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            yield line


def declared(name):
    """{canonical name: Requirement} of one runtime file."""
    return {canonicalize_name(req.name): req
            for req in map(Requirement, requirement_lines(WORKTREE / name))}


def pins():
    """{canonical name: version} of constraints.txt."""
    found = {}
    for line in requirement_lines(WORKTREE / 'constraints.txt'):
        name, separator, version = line.partition('==')
        assert separator and version, 'constraints.txt pins exact versions only: %r' % line
        found[canonicalize_name(name)] = version
    return found


def third_party_imports():
    """{top-level module: [files]} of absolute imports in plugins/ that are not the stdlib's."""
    found = {}
    for path in sorted((WORKTREE / 'plugins').rglob('*.py')):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split('.')[0]
                if top not in sys.stdlib_module_names and top != '__future__':
                    found.setdefault(top, []).append(str(path.relative_to(WORKTREE)))
    return found


def test_every_third_party_import_is_declared():
    every = {}
    for name in RUNTIME_FILES:
        every.update(declared(name))
    distributions = metadata.packages_distributions()
    used = set()
    for module, files in third_party_imports().items():
        if module in WITH_ANSIBLE_CORE:
            continue
        owners = {canonicalize_name(dist) for dist in distributions.get(module, [])}
        assert owners & set(every), '%s (imported by %s) is declared in neither %s' % (
            module, ', '.join(sorted(set(files))), ' nor '.join(RUNTIME_FILES))
        used |= owners
    assert set(every) <= used, 'declared but never imported by plugins/: %s' % sorted(set(every) - used)


def test_runtime_files_give_lower_bounds_only():
    for name in RUNTIME_FILES:
        for req in declared(name).values():
            operators = {spec.operator for spec in req.specifier}
            assert operators == {'>='}, '%s: %s must have one lower bound (>=), no pin or cap' % (name, req)


def test_a_package_declared_twice_has_one_bound():
    controller, kvm_host = declared('requirements.txt'), declared('kvm-host-requirements.txt')
    for name in set(controller) & set(kvm_host):
        assert controller[name].specifier == kvm_host[name].specifier, name


def test_pins_satisfy_the_lower_bounds_and_are_installed():
    pinned = pins()
    for name in RUNTIME_FILES:
        for key, req in declared(name).items():
            assert key in pinned, '%s is not pinned in constraints.txt' % req.name
            assert req.specifier.contains(pinned[key]), 'constraints.txt pins %s==%s outside %s (%s)' % (
                req.name, pinned[key], req.specifier, name)
            assert metadata.version(req.name) == pinned[key], '.venv has another %s than constraints.txt' % req.name
