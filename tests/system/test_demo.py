# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo` (tools/demo.sh) end to end on the libvirt backend: every step shown, the appliance
deployed and its properties read back, the audit trail verified and a tampered copy rejected,
nothing left in libvirt, and the appliance's password never in the output."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

WORKTREE = Path(__file__).resolve().parents[2]
PASSWORD = 'Demo-pw-' + os.urandom(6).hex()


def test_demo_tells_the_whole_story():
    subprocess.run([str(WORKTREE / 'tools' / 'libvirtd.sh')], check=True)
    env = dict(os.environ, DEMO_APPLIANCE_PASSWORD=PASSWORD)
    env.pop('DEMO_BACKEND', None)
    proc = subprocess.run([str(WORKTREE / 'tools' / 'demo.sh')], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]

    headings = re.findall(r'^== Step (\d)/6: (.*)$', proc.stdout, re.M)
    assert [number for number, _title in headings] == ['1', '2', '3', '4', '5', '6'], headings
    for (_number, title), word in zip(headings, ('raw CIMI session', 'fleet playbooks', 'inventory',
                                                 'OVA appliance', 'CADF audit trail', 'teardown')):
        assert word in title

    # 2 and 3: the fleet on libvirt, seen through the inventory plugin.
    assert 'NOTICE' not in out
    assert re.search(r'^localhost .* changed=0 ', proc.stdout, re.M)
    assert '@cimi_property_role_web:' in proc.stdout and '|--example-db' in proc.stdout

    # 4: deployed, and the values the playbook set read back from the environment ISO.
    ova = re.search(r'"name": "(demo-ova-[0-9a-f]+)",\s+"state": "running"', proc.stdout)
    assert ova, 'the appliance domain is not shown running'
    assert 'ovf-env.xml property hostname        = %s\n' % ova.group(1) in proc.stdout
    assert 'ovf-env.xml property port            = 8443' in proc.stdout
    assert "ovf-env.xml property admin_password  = (set, matches the playbook's value)" in proc.stdout

    # 5: cadf_verify accepts the trail and rejects the copy with one byte changed.
    assert 'cadf_verify: the trail is intact' in proc.stdout
    assert 'verdict:      INTACT' in proc.stdout and 'verdict:      NOT INTACT' in proc.stdout
    assert 'cadf_verify: the tampered copy is rejected' in proc.stdout

    # 6: nothing left, checked by the demo and here.
    assert 'nothing left in libvirt' in proc.stdout
    domains = subprocess.run(['virsh', '-q', '-c', 'qemu:///system', 'list', '--all', '--name'],
                             capture_output=True, text=True, check=True).stdout.split()
    assert ova.group(1) not in domains
    assert '== demo OK (libvirt backend)' in proc.stdout

    assert PASSWORD not in out
