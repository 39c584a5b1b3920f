# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guide "From CIMI machine to configured host" (docs/docsite/rst/guests.rst), run as
written against real guests: cimi_fleet provisions three machines from the guest image, the
``*.cimi.yml`` inventory finds them on 127.0.0.1 with their forwarded ports, a playbook
configures them over SSH (a second run changes nothing), and the teardown removes them and frees
their ports. Boot-to-SSH of every guest is printed (docs/performance.md records it)."""
from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import requests

from guests_support import (WORKTREE, guest_image, guest_provider, guide_files, key_pair,
                            remove_workdir, ssh, wait_for_ssh)

BIN = Path(sys.executable).parent
GUIDE = WORKTREE / 'docs' / 'docsite' / 'rst' / 'guests.rst'
PORTS = (42300, 42399)
USER = 'ops'
RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


@pytest.fixture(scope='module')
def provider():
    prov, workdir = guest_provider(guest_image(), PORTS)
    try:
        yield prov
    finally:
        prov.close()
        remove_workdir(workdir)


def run(tmp_path, provider, *args, key=None):
    env = dict(os.environ)
    env.update({'ANSIBLE_COLLECTIONS_PATH': str(WORKTREE / '.collections'),
                'PATH': '%s:%s' % (BIN, env.get('PATH', '')), 'ANSIBLE_NOCOLOR': '1',
                'ANSIBLE_LOCALHOST_WARNING': '0', 'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
                'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
                'CIMI_ENDPOINT': provider.cep_url,
                # TCG guests on a busy host can take longer than 10 s to connect or answer sudo.
                'ANSIBLE_TIMEOUT': '120'})
    if '-i' in args:  # an inventory that cannot be read fails the command, not just warns
        env['ANSIBLE_INVENTORY_UNPARSED_FAILED'] = '1'
    for secret in ('CIMI_USERNAME', 'CIMI_PASSWORD', 'CIMI_TOKEN'):
        env.pop(secret, None)
    if key is not None:
        env['ANSIBLE_PRIVATE_KEY_FILE'] = str(key)
    result = subprocess.run([str(BIN / args[0]), *args[1:]], env=env, cwd=tmp_path,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=900, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and 'Traceback' not in output, output
    return result.stdout


def recap(stdout):
    return dict((host, (int(ok), int(changed))) for host, ok, changed, unreachable, failed
                in RECAP.findall(stdout))


def listening(port):
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(('127.0.0.1', port)) == 0


# Three guests boot at once: minutes under TCG (tools/guest_accel.sh says qemu on hosts whose
# KVM cannot run a kernel), beyond the suite's default 600 s.
@pytest.mark.timeout(1800)
def test_guide_provision_inventory_configure_teardown(tmp_path, provider):
    for name, text in guide_files(GUIDE).items():
        (tmp_path / name).write_text(text)
    key, public = key_pair(tmp_path)
    image = guest_image()

    run(tmp_path, provider, 'ansible-playbook', 'guests_provision.yml',
        '-e', 'guest_image_path=%s' % image, '-e', 'guest_public_key=%r' % public)

    inventory = json.loads(run(tmp_path, provider, 'ansible-inventory', '-i', 'guests.cimi.yml',
                               '--list'))
    hostvars = dict((host, dict((k, _plain(v)) for k, v in hostvar.items()))
                    for host, hostvar in inventory['_meta']['hostvars'].items())
    assert sorted(hostvars) == ['guest-1', 'guest-2', 'guest-3']
    assert sorted(inventory['role_web']['hosts']) == sorted(hostvars)
    ports = dict((name, v['ansible_port']) for name, v in hostvars.items())
    assert all(v.get('ansible_host') == '127.0.0.1' and v.get('ansible_user') == USER
               for v in hostvars.values()), hostvars
    assert len(set(ports.values())) == 3 and all(PORTS[0] <= p <= PORTS[1] for p in ports.values())

    # Boot-to-SSH: from the provider's STARTED (the machine's last update, right after its
    # domain started) to the first successful login, the three guests booting at once.
    machines = requests.get(provider.base + 'machines', timeout=30).json()['machines']
    started = dict((m['name'], _epoch(m['updated'])) for m in machines)

    def ready_at(name):
        wait_for_ssh(ports[name], key, USER)
        return time.time()

    with ThreadPoolExecutor(3) as pool:
        boot = dict((n, at - started[n]) for n, at in zip(ports, pool.map(ready_at, ports)))
    figures = sorted(boot.values())
    print('\nboot-to-SSH (s) per guest: %s; median %.1f, range %.1f-%.1f' % (
        ', '.join('%s %.1f' % item for item in sorted(boot.items())),
        statistics.median(figures), figures[0], figures[-1]))

    first = run(tmp_path, provider, 'ansible-playbook', '-i', 'guests.cimi.yml',
                'guests_configure.yml', key=key)
    assert sorted(recap(first)) == sorted(hostvars)
    assert all(counts[1] >= 4 for counts in recap(first).values()), first  # (ok, changed)
    again = run(tmp_path, provider, 'ansible-playbook', '-i', 'guests.cimi.yml',
                'guests_configure.yml', key=key)
    assert all(counts[1] == 0 for counts in recap(again).values()), again
    # The result, seen over SSH independently of Ansible.
    page = ssh(ports['guest-2'], key, USER, 'systemctl is-active site && cat /srv/site/index.html')
    assert page.returncode == 0 and page.stdout.splitlines() == ['active', 'guest-2 configured by Ansible']

    run(tmp_path, provider, 'ansible-playbook', 'guests_teardown.yml')
    assert requests.get(provider.base + 'machines', timeout=30).json().get('machines', []) == []
    assert not any(listening(p) for p in ports.values())


def _plain(value):
    """A value of ``ansible-inventory --list``, which marks the provider's values unsafe."""
    return value['__ansible_unsafe'] if isinstance(value, dict) and '__ansible_unsafe' in value else value


def _epoch(stamp):
    return datetime.fromisoformat(stamp.replace('Z', '+00:00')).timestamp()
