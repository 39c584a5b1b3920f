# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""USAGE.md's examples as written there: the web-tier playbook against the reference provider with
HTTP Basic authentication (user ``ops``), --check --diff first, then for real, then again, checked
through the CIMI API; and the audit set-up (its ansible.cfg, then its offline check of the trail).
Only endpoint URLs and file paths are pointed at the test's own; the password never shows up."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

WORKTREE = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(WORKTREE / 'provider' / 'tests'))

from cimi_provider.http.auth import hash_password  # noqa: E402
from server import ProviderProcess  # noqa: E402  (the provider's own test launcher)

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY  # noqa: E402

BIN = Path(sys.executable).parent
HERE = Path(__file__).parent
WRITTEN_ENDPOINT = 'https://cimi.example.com/cimi/cloudEntryPoint'
WRITTEN_TRAIL, WRITTEN_KEY = '/var/log/ansible/audit.cadf.jsonl', '/etc/ansible/audit.key'
PASSWORD = 'usage-canary-Pa55word-7f3a'
RECAP = re.compile(r'localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0')


@pytest.fixture()
def provider(tmp_path_factory):  # one per test: each starts from an empty cloud
    work = tmp_path_factory.mktemp('usage-provider')
    users = work / 'users.json'
    users.write_text(json.dumps({'users': {'ops': {'password_hash': hash_password(PASSWORD, iterations=1000)}}}))
    with ProviderProcess(work / 'cimi.db', '--users', str(users), '--latency', '0.05') as prov:
        yield prov


def as_written(name, tmp_path, provider, target=None):
    """A USAGE.md file copied into tmp_path with its endpoint and paths pointed at the test's own."""
    text = (HERE / name).read_text()
    for written, ours in ((WRITTEN_ENDPOINT, provider.cep_url), (WRITTEN_TRAIL, str(tmp_path / 'audit.cadf.jsonl')),
                          (WRITTEN_KEY, str(tmp_path / 'audit.key'))):
        text = text.replace(written, ours)
    path = tmp_path / (target or name)
    path.write_text(text)
    return path


def run_playbook(tmp_path, provider, playbook='web_tier.yml', *args, cwd=None, succeeds=True):
    """ansible-playbook from cwd (default tmp_path, where an ansible.cfg is picked up), the password
    from -e as a vault variable would arrive."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('CIMI_', 'ANSIBLE_')))
    env.update({'ANSIBLE_COLLECTIONS_PATH': str(WORKTREE / '.collections'), 'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_LOCALHOST_WARNING': '0', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
                'ANSIBLE_HOME': str(tmp_path / 'ansible-home'), 'PATH': '%s:%s' % (BIN, env.get('PATH', ''))})
    result = subprocess.run([str(BIN / 'ansible-playbook'), str(as_written(playbook, tmp_path, provider)), '-v',
                             '-e', json.dumps({'vault_cimi_password': PASSWORD}), *args],
                            env=env, cwd=cwd or tmp_path, capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert (result.returncode == 0) == succeeds and 'Traceback' not in output, output
    assert PASSWORD not in output
    return output


def changed_lines(output):
    return [line for line in output.splitlines() if line.startswith('changed: ')]


def test_web_tier_as_written(provider, tmp_path):
    api = requests.Session()
    api.auth = ('ops', PASSWORD)
    api.headers['Accept'] = 'application/json'

    def named(kind):
        response = api.get(provider.base + kind, timeout=30)
        assert response.status_code == 200, response.text
        return dict((doc['name'], doc) for doc in response.json().get(kind, []))

    # --check --diff reports every step it would take, and makes nothing
    output = run_playbook(tmp_path, provider, 'web_tier.yml', '--check', '--diff')
    assert int(RECAP.search(output).group(2)) == 5, output
    assert len(changed_lines(output)) == 7, output      # network, volume, 3 machines, attach, stop
    assert not any(name.startswith('web') for kind in ('machines', 'volumes', 'networks') for name in named(kind))

    run_playbook(tmp_path, provider)
    machines = named('machines')
    assert sorted(name for name in machines if name.startswith('web-')) == ['web-1', 'web-2', 'web-3']
    assert [machines['web-%d' % i]['state'] for i in (1, 2, 3)] == ['STARTED', 'STARTED', 'STOPPED']
    for i in (1, 2, 3):
        tagged = dict(machines['web-%d' % i]['properties'])
        assert uuid.UUID(tagged.pop(REQUEST_ID_PROPERTY))  # the create's request id, kept
        assert tagged == {'role': 'web'}
    assert named('networks')['web-net']['state'] == 'STARTED'
    attached = api.get(machines['web-1']['id'] + '/volumes', timeout=30).json().get('volumes', [])
    volume = named('volumes')['web-data']
    assert [(a['volume']['href'], a['initialLocation']) for a in attached] == [(volume['id'], '/dev/vdb')]

    # Again: everything is in place, except what the playbook itself undoes: its loop starts web-3,
    # its last task stops it again, so exactly those two report a change.
    output = run_playbook(tmp_path, provider, 'web_tier.yml', '--diff')
    changed = changed_lines(output)
    assert len(changed) == 2 and 'web-3' in changed[0] and int(RECAP.search(output).group(2)) == 2, output
    assert named('machines')['web-3']['state'] == 'STOPPED'


def test_audit_as_written(provider, tmp_path):
    (tmp_path / 'audit.key').write_bytes(os.urandom(32).hex().encode())
    as_written('audit_ansible.cfg', tmp_path, provider, target='ansible.cfg')
    run_playbook(tmp_path, provider)
    trail = (tmp_path / 'audit.cadf.jsonl').read_text()
    assert PASSWORD not in trail
    events = [json.loads(line) for line in trail.splitlines()]
    machines = [e for e in events if e.get('target', {}).get('typeURI') == 'compute/machine']
    assert sorted(set(e['target']['name'] for e in machines)) == ['web-1', 'web-2', 'web-3']
    assert all(e['outcome'] == 'success' for e in machines)

    # offline, on the audit host (no callback there)
    audit_host = tmp_path / 'audit-host'
    audit_host.mkdir()
    output = run_playbook(tmp_path, provider, 'verify_trail.yml', cwd=audit_host)
    assert re.search(r'"valid": true', output) and re.search(r'"signed_digests": [1-9]', output), output

    # the check is real: an edited record fails it
    lines = trail.splitlines()
    edited = next(i for i, line in enumerate(lines) if '"outcome":"success"' in line)
    lines[edited] = lines[edited].replace('"outcome":"success"', '"outcome":"failure"')
    (tmp_path / 'audit.cadf.jsonl').write_text('\n'.join(lines) + '\n')
    output = run_playbook(tmp_path, provider, 'verify_trail.yml', cwd=audit_host, succeeds=False)
    assert 'fatal: [localhost]' in output, output
