# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The getting-started guide, followed word for word as a new user would: every ``$`` command of
its console blocks runs, in order, in one shell from the checkout, and what the guide says the user
will see is checked. The one deviation: the provider's port (8780 in the guide) is a free one, so
the test never collides with a provider the developer is running."""
from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
from pathlib import Path

WORKTREE = Path(__file__).resolve().parents[3]
GUIDE = WORKTREE / 'docs' / 'docsite' / 'rst' / 'getting_started.rst'
GUIDE_PORT = '8780'
MARK = '=== getting-started command'
PROVISION = 'ansible-playbook cloudmgmt.dmtf.provision -e @example-fleet.yml'
RECAP = re.compile(r'localhost\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0')


def guide_commands():
    """The ``$`` lines of the guide's console blocks, in order, with the one step the guide gives in
    prose ("Run the same command again") written out after the provisioning run."""
    commands, in_console = [], False
    for line in GUIDE.read_text(encoding='utf-8').splitlines():
        if line.strip().startswith('.. code-block::'):
            in_console = line.strip().endswith('console')
        elif in_console and line.strip().startswith('$ '):
            commands.append(line.strip()[2:])
            if commands[-1] == PROVISION:
                commands.append(PROVISION)
    return commands


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def shell_script(commands, port, work):
    """One bash script: the provider (the guide's second terminal) in the background, every other
    command in the foreground, each followed by a marker with its exit status."""
    lines = ['set -u']
    for index, command in enumerate(commands):
        command = command.replace(GUIDE_PORT, str(port))
        if command == 'make provider':
            lines += ['make provider > %s 2>&1 &' % shlex.quote(str(work / 'provider.log')),
                      'for _ in $(seq 1 150); do curl -sf -o /dev/null http://127.0.0.1:%d/cimi/cloudEntryPoint '
                      '&& break; sleep 0.2; done' % port]
            command = 'curl -sf -o /dev/null http://127.0.0.1:%d/cimi/cloudEntryPoint' % port
        lines += [command, 'echo "%s %d rc=$?"' % (MARK, index)]
    return '\n'.join(lines) + '\n'


def split_outputs(stdout, count):
    """{index: (rc, output of that command)} from the markers."""
    results, chunk = {}, []
    for line in stdout.splitlines():
        found = re.match(r'%s (\d+) rc=(\d+)$' % MARK, line)
        if found:
            results[int(found.group(1))] = (int(found.group(2)), '\n'.join(chunk))
            chunk = []
        else:
            chunk.append(line)
    assert sorted(results) == list(range(count)), stdout
    return results


def test_getting_started_word_for_word(tmp_path):
    commands = guide_commands()
    assert 'make provider' in commands and len(commands) >= 10, commands
    port = free_port()
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(('ANSIBLE_', 'CIMI_', 'VIRTUAL_ENV')))
    env.update({'PROVIDER_LISTEN': '127.0.0.1:%d' % port, 'PROVIDER_DB': str(tmp_path / 'provider.db'),
                'ANSIBLE_HOME': str(tmp_path / 'ansible-home'), 'ANSIBLE_NOCOLOR': '1'})
    inventory_file = WORKTREE / 'fleet.cimi.yml'
    assert not inventory_file.exists(), 'fleet.cimi.yml is left in the checkout from an earlier run'
    try:
        run = subprocess.run(['bash', '-c', shell_script(commands, port, tmp_path)], cwd=WORKTREE, env=env,
                             capture_output=True, text=True, timeout=900, check=False)
    finally:
        subprocess.run(['pkill', '-INT', '-f', 'listen 127.0.0.1:%d' % port], check=False)
        inventory_file.unlink(missing_ok=True)
    results = split_outputs(run.stdout, len(commands))
    provider_log = (tmp_path / 'provider.log').read_text() if (tmp_path / 'provider.log').exists() else ''
    for index, (status, output) in results.items():
        details = (commands[index], output, run.stderr, provider_log)
        assert status == 0, 'guide command %r failed:\n%s\n%s\n%s' % details
    assert 'Traceback' not in run.stdout + run.stderr

    def output_of(prefix, occurrence=0):
        return [results[i][1] for i, c in enumerate(commands) if c.startswith(prefix)][occurrence]

    def runs_of(command):
        return [results[i][1] for i, c in enumerate(commands) if c == command]

    # step 2: the Cloud Entry Point answers
    assert '"baseURI"' in output_of('curl -s $CIMI_ENDPOINT')
    # step 4: the check run and the real run change things; the same command again: changed=0
    assert commands.count(PROVISION) == 2 and PROVISION + ' --check' in commands, commands
    changes = [int(RECAP.search(output).group(1)) for output in
               runs_of(PROVISION + ' --check') + runs_of(PROVISION)]
    assert changes[0] > 0 and changes[1] > 0 and changes[2] == 0, changes
    assert '"cimi_fleet_summary"' in runs_of(PROVISION)[0] and '192.0.2.' in runs_of(PROVISION)[0]
    # step 5: the inventory groups the fleet by state, configuration and property
    graph = output_of('ansible-inventory')
    for group in ('cimi_property_role_web', 'cimi_state_started', 'cimi_state_stopped', 'cimi_config_m1_small'):
        assert '@' + group in graph, graph
    for host in ('example-web-1', 'example-web-2', 'example-web-3', 'example-db'):
        assert host in graph, graph
    # step 6: the teardown summary is empty
    teardown = output_of('ansible-playbook cloudmgmt.dmtf.teardown')
    assert re.search(r'"machines": \[\],\s*"networks": \[\],\s*"state": "absent",\s*"volumes": \[\]',
                     teardown), teardown
