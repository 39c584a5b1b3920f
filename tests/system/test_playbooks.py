# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection playbooks provision and teardown, run by name with example-fleet.yml against the
real reference provider (memory backend, asynchronous jobs, port chosen by the OS), checked through
the CIMI API."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
import yaml

WORKTREE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(WORKTREE / 'provider' / 'tests'))

from server import ProviderProcess  # noqa: E402  (the provider's own test launcher)

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY  # noqa: E402

BIN = Path(sys.executable).parent
FLEET_FILE = WORKTREE / 'example-fleet.yml'
FLEET = yaml.safe_load(FLEET_FILE.read_text())
RECAP = re.compile(r'localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)')


@pytest.fixture(scope='module')
def provider(tmp_path_factory):
    work = tmp_path_factory.mktemp('provider')
    with ProviderProcess(work / 'cimi.db', '--latency', '0.05') as prov:
        yield prov


class Api:
    """Reads the provider directly, independently of the collection's client."""

    def __init__(self, provider):
        self.base = provider.base
        self.session = requests.Session()
        self.session.headers['Accept'] = 'application/json'

    def get(self, url):
        response = self.session.get(url, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def items(self, kind):
        return self.get(self.base + kind).get(kind, [])

    def named(self, kind, names):
        return dict((doc['name'], doc) for doc in self.items(kind) if doc.get('name') in names)

    def tagged(self, kind, fleet):
        return [doc for doc in self.items(kind) if doc.get('properties', {}).get('fleet') == fleet]


def playbook(tmp_path, provider, name, *args, check=True):
    """Run the collection's playbook ``name`` (or the playbook file at the path ``name``)."""
    env = dict(os.environ)
    env.update({'ANSIBLE_COLLECTIONS_PATH': str(WORKTREE / '.collections'),
                'PATH': '%s:%s' % (BIN, env.get('PATH', '')), 'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_LOCALHOST_WARNING': '0', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
                'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
                'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
                'CIMI_ENDPOINT': provider.cep_url})
    for secret in ('CIMI_USERNAME', 'CIMI_PASSWORD', 'CIMI_TOKEN'):
        env.pop(secret, None)
    target = str(name) if os.sep in str(name) else 'cloudmgmt.dmtf.' + name
    result = subprocess.run([str(BIN / 'ansible-playbook'), target, *args],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert 'Traceback' not in output, output
    if check:
        assert result.returncode == 0, output
    recap = RECAP.search(result.stdout)
    assert recap, output
    return result, int(recap.group(2))


def expected_machines():
    names = {}
    for machine in FLEET['cimi_fleet_machines']:
        state = machine.get('state', 'started').upper()
        if machine.get('count') is None:
            names[machine['name']] = (state, machine['properties'])
        else:
            for index in range(1, machine['count'] + 1):
                names['%s-%d' % (machine['name'], index)] = (state, machine['properties'])
    return names


def test_provision_then_teardown_leaves_nothing(provider, tmp_path):
    api = Api(provider)
    fleet = FLEET['cimi_fleet_name']
    machines = expected_machines()
    volume = FLEET['cimi_fleet_volumes'][0]
    network = FLEET['cimi_fleet_networks'][0]['name']
    assert len(machines) == 4

    changed = playbook(tmp_path, provider, 'provision', '-e', '@%s' % FLEET_FILE, '--check')[1]
    assert changed > 0
    assert api.tagged('machines', fleet) == [] and api.named('machines', machines) == {}

    result, changed = playbook(tmp_path, provider, 'provision', '-e', '@%s' % FLEET_FILE)
    assert changed > 0
    made = api.named('machines', machines)
    assert sorted(made) == sorted(machines)
    for name, (state, properties) in machines.items():
        assert made[name]['state'] == state
        tagged = dict(made[name]['properties'])
        assert uuid.UUID(tagged.pop(REQUEST_ID_PROPERTY))  # the create's request id, kept
        assert tagged == dict(properties, fleet=fleet)
    networks = api.named('networks', [network])
    assert networks[network]['state'] == 'STARTED'
    volumes = api.named('volumes', [volume['name']])
    assert list(volumes) == [volume['name']]
    attached = api.get(api.get(made[volume['attached_to']]['id'])['volumes']['href'])
    located = [(entry['volume']['href'], entry.get('initialLocation')) for entry in attached.get('volumes', [])]
    assert located == [(volumes[volume['name']]['id'], volume['initial_location'])]
    assert '"name": "example-web-1"' in result.stdout  # the summary the playbook prints

    # Idempotent, in check mode and for real.
    assert playbook(tmp_path, provider, 'provision', '-e', '@%s' % FLEET_FILE, '--check')[1] == 0
    assert playbook(tmp_path, provider, 'provision', '-e', '@%s' % FLEET_FILE)[1] == 0

    changed = playbook(tmp_path, provider, 'teardown', '-e', '@%s' % FLEET_FILE)[1]
    assert changed > 0
    for kind in ('machines', 'volumes', 'networks'):
        assert api.tagged(kind, fleet) == [], kind
    assert api.named('machines', machines) == {}
    assert api.named('volumes', [volume['name']]) == {}
    assert api.named('networks', [network]) == {}
    assert playbook(tmp_path, provider, 'teardown', '-e', '@%s' % FLEET_FILE)[1] == 0


def test_lowered_count_prunes_and_teardown_finds_undeclared_leftovers(provider, tmp_path):
    api = Api(provider)
    fleet = dict(FLEET, cimi_fleet_name='prune-test', cimi_fleet_volumes=[],
                 cimi_fleet_networks=[{'name': 'prune-net'}],
                 cimi_fleet_machines=[{'name': 'prune', 'count': 3, 'config': 'm1-small',
                                       'image': 'debian-12', 'interfaces': [{'network': 'prune-net'}]}])
    path = tmp_path / 'fleet.yml'
    path.write_text(yaml.safe_dump(fleet))
    playbook(tmp_path, provider, 'provision', '-e', '@%s' % path)
    assert sorted(m['name'] for m in api.tagged('machines', 'prune-test')) == ['prune-1', 'prune-2', 'prune-3']

    fleet['cimi_fleet_machines'][0]['count'] = 1
    path.write_text(yaml.safe_dump(fleet))
    assert playbook(tmp_path, provider, 'provision', '-e', '@%s' % path)[1] > 0
    assert [m['name'] for m in api.tagged('machines', 'prune-test')] == ['prune-1']

    # A file that no longer declares the machine at all still removes what carries the tag.
    fleet['cimi_fleet_machines'] = []
    path.write_text(yaml.safe_dump(fleet))
    playbook(tmp_path, provider, 'teardown', '-e', '@%s' % path)
    for kind in ('machines', 'volumes', 'networks'):
        assert api.tagged(kind, 'prune-test') == [], kind


def test_misspelt_field_fails_before_anything_is_made(provider, tmp_path):
    api = Api(provider)
    fleet = {'cimi_fleet_name': 'typo-test',
             'cimi_fleet_networks': [{'name': 'typo-net'}],
             'cimi_fleet_machines': [{'name': 'typo', 'cuont': 2, 'image': 'debian-12'}]}
    path = tmp_path / 'fleet.yml'
    path.write_text(yaml.safe_dump(fleet))
    result = playbook(tmp_path, provider, 'provision', '-e', '@%s' % path, check=False)[0]
    assert result.returncode != 0
    assert 'cuont' in result.stdout + result.stderr
    assert api.named('networks', ['typo-net']) == {}
    assert api.tagged('machines', 'typo-test') == []


def test_duplicate_names_fail_with_a_clear_message(provider, tmp_path):
    api = Api(provider)
    fleet = {'cimi_fleet_name': 'dup-test',
             'cimi_fleet_networks': [{'name': 'dup-net'}],
             'cimi_fleet_machines': [{'name': 'dup', 'count': 2, 'image': 'debian-12', 'config': 'm1-small'},
                                     {'name': 'dup-1', 'image': 'debian-12', 'config': 'm1-small'}]}
    path = tmp_path / 'fleet.yml'
    path.write_text(yaml.safe_dump(fleet))
    result = playbook(tmp_path, provider, 'provision', '-e', '@%s' % path, check=False)[0]
    assert result.returncode != 0
    assert "The fleet 'dup-test' is not valid" in result.stdout
    assert api.named('networks', ['dup-net']) == {}
