# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the inventory system tests: the real provider and the real ansible-inventory.

The provider runs as a subprocess (memory backend, SQLite in tmp, port chosen by the OS) through
provider/tests/server.py; the data set is created through its CIMI API. ansible-inventory and
ansible-playbook run from the worktree's venv with ANSIBLE_COLLECTIONS_PATH=<worktree>/.collections.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

WORKTREE = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(WORKTREE / 'provider' / 'tests'))

from server import ProviderProcess  # noqa: E402  (the provider's own test launcher)

BIN = Path(sys.executable).parent
NS = 'http://schemas.dmtf.org/cimi/2/'


class Cloud:
    """A running provider plus helpers to seed it through the CIMI API."""

    def __init__(self, provider: ProviderProcess):
        self.provider = provider
        self.ids: dict[str, str] = {}     # real id URI -> stable placeholder
        self.session = requests.Session()

    @property
    def cep(self) -> str:
        return self.provider.cep_url

    def _post(self, collection: str, body: dict) -> dict:
        response = self.session.post(self.provider.base + collection, json=body, timeout=30)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    def network(self, name: str) -> str:
        doc = self._post('networks', {'resourceURI': NS + 'NetworkCreate', 'name': name,
                                      'networkTemplate': {'initialState': 'STARTED'}})
        self.ids[doc['id']] = 'NETWORK-%s' % name
        return doc['id']

    def machine(self, name: str, config='m1-small', state='STARTED', properties=None, networks=()):
        base = self.provider.base
        body = {'resourceURI': NS + 'MachineCreate', 'name': name,
                'machineTemplate': {'machineConfig': {'href': base + 'machineConfigs/' + config},
                                    'machineImage': {'href': base + 'machineImages/debian-12'},
                                    'initialState': state,
                                    'interfaceTemplates': [{'network': {'href': n}} for n in networks]}}
        if properties:
            body['properties'] = properties
        doc = self._post('machines', body)
        self.ids[doc['id']] = 'MACHINE-%d' % (sum(1 for v in self.ids.values() if v.startswith('MACHINE')) + 1)
        return doc['id']

    def normalise(self, text: str) -> str:
        """Output with run-specific parts (port, generated ids, timestamps) replaced."""
        for real in sorted(self.ids, key=len, reverse=True):
            text = text.replace(real, self.ids[real])
            text = text.replace(real.rsplit('/', 1)[-1], self.ids[real])
        text = text.replace('127.0.0.1:%d' % self.provider.port, 'PROVIDER')
        return re.sub(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z', 'TIME', text)

    def config(self, tmp_path: Path, text: str, name='test.cimi.yml') -> Path:
        path = tmp_path / name
        path.write_text('plugin: cloudmgmt.dmtf.cimi\nendpoint: %s\n%s' % (self.cep, text))
        return path


def ansible_env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': str(WORKTREE / '.collections'),
        'PATH': '%s:%s' % (BIN, env.get('PATH', '')),
        'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        'ANSIBLE_INVENTORY_UNPARSED_FAILED': '1', 'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': '1',
        'ANSIBLE_DEPRECATION_WARNINGS': '0',
    })
    for name in ('CIMI_ENDPOINT', 'CIMI_USERNAME', 'CIMI_PASSWORD', 'CIMI_TOKEN'):
        env.pop(name, None)
    return env


def run(tmp_path: Path, *args: str, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / args[0]), *args[1:]], env=ansible_env(tmp_path), cwd=tmp_path, check=False,
                            capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def inventory_list(tmp_path: Path, config: Path, *extra: str) -> dict:
    """ansible-inventory --list as JSON, untrusted strings still as {"__ansible_unsafe": ...}."""
    return json.loads(run(tmp_path, 'ansible-inventory', '-i', str(config), '--list', *extra).stdout)


def plain(value):
    """The values without ansible-inventory's {"__ansible_unsafe": ...} wrappers."""
    if isinstance(value, dict):
        if list(value) == ['__ansible_unsafe']:
            return value['__ansible_unsafe']
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.fixture
def cloud(tmp_path):
    env = {'PYTHONPATH': str(WORKTREE / 'provider')}
    provider = ProviderProcess(tmp_path / 'cimi.db', env=env, workdir=tmp_path)
    provider.start()
    try:
        yield Cloud(provider)
    finally:
        provider.stop()


def seed_fixed(cloud: Cloud) -> None:
    """The fixed data set of the golden tests (7 machines: 3 pages of 3 at page_size 3)."""
    front = cloud.network('front')
    back = cloud.network('back')
    for n in (1, 2, 3):
        cloud.machine('web-%d' % n, properties={'role': 'web', 'tier': 'prod'}, networks=[front])
    cloud.machine('db-1', config='m1-medium', properties={'role': 'db'}, networks=[front, back])
    cloud.machine('batch', state='STOPPED', properties={'role': 'worker'})
    cloud.machine('dup', properties={'role': 'web', 'tier': 'test'}, networks=[back])
    cloud.machine('dup', config='m1-medium', state='STOPPED', networks=[back])
