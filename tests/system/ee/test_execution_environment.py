# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as an execution environment (EE) build sees it: the Galaxy artifact is built and
installed into a temporary collections path, ansible-builder introspects it as an EE build does,
and the sample EE definition of the docs becomes a build context. Container images cannot be
pulled here, so no image is built: ``ansible-builder create`` is as far as a test can go."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bindep.depends import Depends

WORKTREE = Path(__file__).resolve().parents[3]
GUIDE = WORKTREE / 'docs' / 'docsite' / 'rst' / 'execution_environments.rst'
SAMPLE = WORKTREE / 'docs' / 'execution-environment'
BIN = Path(sys.executable).parent
PLATFORMS = ('platform:rpm', 'platform:dpkg')

# What the guide says an EE build installs: no system package in the image, and build-only ones in
# the builder stage (bindep profile compile).
EE_BUILD_ONLY = {
    'platform:rpm': {'gcc', 'python3-devel', 'libxml2-devel', 'libxslt-devel'},
    'platform:dpkg': {'gcc', 'python3-dev', 'libxml2-dev', 'libxslt1-dev'},
}
# Daemons, hypervisors and this project's test tools: none may be named anywhere an EE build reads.
NEVER_IN_AN_EE = re.compile(
    r'libvirt-daemon.*|libvirt-clients|qemu-system.*|qemu-kvm|dnsmasq.*|shellcheck|rsync|chromium.*|'
    r'pytest.*|molecule.*|ansible-lint|ansible-builder|ansible-test|antsibull.*|bindep|tox|'
    r'schemathesis|cot|pycadf|starlette|uvicorn|cimi-provider', re.IGNORECASE)


def run(args, env=None, cwd=None):
    result = subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=300, check=False,
                            env=dict(os.environ, **(env or {})))
    assert result.returncode == 0, '%s failed:\n%s\n%s' % (' '.join(args), result.stdout, result.stderr)
    return result.stdout


def package_name(line):
    return re.split(r'[\s\[<>=!~;]', line.strip(), maxsplit=1)[0]


@pytest.fixture(scope='module')
def collections_path(tmp_path_factory):
    """A collections path holding the collection installed from its Galaxy artifact."""
    work = tmp_path_factory.mktemp('ee')
    run([str(BIN / 'ansible-galaxy'), 'collection', 'build', '--output-path', str(work), str(WORKTREE)])
    tarball, = work.glob('cloudmgmt-dmtf-*.tar.gz')
    path = work / 'collections'
    # --force: the checkout linked under ~/.ansible/collections would count as installed already.
    run([str(BIN / 'ansible-galaxy'), 'collection', 'install', '--offline', '--force', '-p', str(path), str(tarball)],
        env={'ANSIBLE_COLLECTIONS_PATH': str(path)})
    return path


@pytest.fixture(scope='module')
def introspection(collections_path, tmp_path_factory):
    """What ``ansible-builder introspect --sanitize`` prints (parsed) and the bindep file it writes
    for the EE build."""
    bindep_file = tmp_path_factory.mktemp('introspect') / 'bindep.txt'
    out = run([str(BIN / 'ansible-builder'), 'introspect', '--sanitize', str(collections_path),
               '--write-bindep', str(bindep_file)])
    return {'printed': yaml.safe_load(out.split('\n---\n', 1)[1]),
            'bindep': bindep_file.read_text(encoding='utf-8')}


def documented_introspection():
    """The introspection the guide shows, parsed."""
    lines = GUIDE.read_text(encoding='utf-8').splitlines()
    start = lines.index('   $ ansible-builder introspect --sanitize ~/.ansible/collections')
    block = []
    for line in lines[start + 1:]:
        if line and not line.startswith('   '):
            break
        block.append(line[3:])
    return yaml.safe_load('\n'.join(block).split('\n---\n', 1)[1])


def installed_by_bindep(bindep_text, profiles):
    depends = Depends(bindep_text)
    return {rule[0] for rule in depends.active_rules(profiles)}


def test_introspection_is_what_the_guide_shows(introspection):
    printed = introspection['printed']
    assert printed == documented_introspection()


def test_python_packages_are_the_controller_ones(introspection):
    printed = introspection['printed']
    assert {package_name(line) for line in printed['python']} == {'requests', 'lxml', 'cryptography'}


@pytest.mark.parametrize('platform', PLATFORMS)
def test_ee_image_gets_no_system_package(introspection, platform):
    bindep_text = introspection['bindep']
    assert installed_by_bindep(bindep_text, ['default', platform]) == set()


@pytest.mark.parametrize('platform', PLATFORMS)
def test_ee_builder_stage_gets_build_only_packages(introspection, platform):
    bindep_text = introspection['bindep']
    assert installed_by_bindep(bindep_text, ['compile', platform]) == EE_BUILD_ONLY[platform]


def test_no_test_tool_or_daemon_is_named(introspection):
    printed = introspection['printed']
    names = {package_name(line) for line in printed['python'] + printed['system']}
    leaks = sorted(name for name in names if NEVER_IN_AN_EE.fullmatch(name))
    assert not leaks, 'an execution environment would be told about %s' % leaks


def test_guide_shows_the_sample_definition():
    guide = GUIDE.read_text(encoding='utf-8')
    sample = (SAMPLE / 'execution-environment.yml').read_text(encoding='utf-8')
    indented = ''.join(('   ' + line if line.strip() else line) for line in sample.splitlines(True))
    assert '.. code-block:: yaml\n\n' + indented in guide


def test_sample_definition_makes_a_build_context(tmp_path):
    """No container runtime is needed: PATH holds the virtualenv's commands only."""
    assert shutil.which('podman', path=str(BIN)) is None and shutil.which('docker', path=str(BIN)) is None
    shutil.copytree(SAMPLE, tmp_path / 'ee')
    run([str(BIN / 'ansible-builder'), 'create', '-f', 'execution-environment.yml', '-c', 'context',
         '--output-filename', 'Containerfile'], env={'PATH': str(BIN)}, cwd=tmp_path / 'ee')
    context = tmp_path / 'ee' / 'context'
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'introspect.py introspect' in containerfile
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert [item['name'] for item in galaxy['collections']] == ['cloudmgmt.dmtf']
