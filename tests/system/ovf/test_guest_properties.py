# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVF properties in the guest: an OVA of the real guest image, deployed by an ansible-playbook
run of ovf_deploy, boots; cloud-init's OVF data source reads the environment ISO, and the
hostname and SSH key given as properties take effect: we log in with that key, on 127.0.0.1
through the forwarded port, and read that hostname. Then undeploy leaves nothing in libvirt.

One guest, 512 MiB, run as libvirt's domain type that really boots here (tools/guest_accel.sh);
under emulation boot to SSH takes minutes, so the waits are long but bounded.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid

import libvirt
import pytest
from lxml import etree

import guest_ova

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
VENV_BIN = os.path.join(ROOT, '.venv', 'bin')
BOOT_TIMEOUT = 900  # seconds from start to a working SSH login (TCG on a busy host: many minutes)
QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Deploy the guest OVA
      cloudmgmt.dmtf.ovf_deploy:
        src: "{{ ova }}"
        name: "{{ domain }}"
        pool: "{{ pool }}"
        properties:
          hostname: "{{ guest_hostname }}"
          public-keys: "{{ lookup('file', key_file) }}"
          instance-id: "{{ domain }}"
        forward_ports:
          - host_port: "{{ ssh_port | int }}"
            guest_port: 22
        domain_type: "{{ domain_type }}"
        state: "{{ state }}"
      register: deployed

    - name: Show what was done
      ansible.builtin.debug:
        var: deployed
"""


def _free_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _playbook(tmp_path, extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
               ANSIBLE_NOCOLOR='1', ANSIBLE_HOME=str(tmp_path / 'ansible-home'),
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    args = [os.path.join(VENV_BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
            '-e', 'ansible_python_interpreter=%s' % os.path.join(VENV_BIN, 'python'),
            str(tmp_path / 'deploy.yml')]
    for key, value in extra.items():
        args += ['-e', '%s=%s' % (key, value)]
    result = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout
    return result.stdout


def _ssh(key, port, command):
    # stdin from /dev/null: an ssh sharing the test's stdin would leave it non-blocking.
    return subprocess.run(
        ['ssh', '-i', str(key), '-p', str(port), '-o', 'BatchMode=yes',
         '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
         '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', 'debian@127.0.0.1', command],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=60, check=False)


@pytest.fixture(scope='module')
def guest_ova_path(tmp_path_factory):
    return guest_ova.build(str(tmp_path_factory.mktemp('ova') / 'guest.ova'))


@pytest.mark.timeout(1800)  # the OVA, the deployment, BOOT_TIMEOUT, the removal
def test_ovf_properties_in_the_guest(conn, pool, tag, tmp_path, cleanup_domains, guest_ova_path):
    pool_name, pool_path = pool
    name = tag + '-guest'
    cleanup_domains.append(name)
    hostname = 'ovfg-' + uuid.uuid4().hex[:10]
    key = tmp_path / 'id_ed25519'
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'ovf-test', '-f',
                    str(key)], check=True)
    port = _free_port()
    domain_type = subprocess.check_output([os.path.join(ROOT, 'tools', 'guest_accel.sh')],
                                          text=True).strip()
    (tmp_path / 'deploy.yml').write_text(PLAYBOOK)
    extra = {'ova': guest_ova_path, 'domain': name, 'pool': pool_name, 'guest_hostname': hostname,
             'key_file': str(key) + '.pub', 'ssh_port': port, 'domain_type': domain_type,
             'state': 'running'}

    started = time.monotonic()
    _playbook(tmp_path, extra)
    deployed = time.monotonic()

    dom = conn.lookupByName(name)
    xml = etree.fromstring(dom.XMLDesc(0).encode())
    assert xml.get('type') == domain_type
    args = [a.get('value') for a in xml.iter('{%s}arg' % QEMU_NS)]
    assert any('hostfwd=tcp:127.0.0.1:%d-:22' % port in a and 'restrict=on' in a for a in args)
    assert xml.find('devices/disk[@device="cdrom"]') is not None  # the OVF environment ISO

    login = None
    while time.monotonic() - deployed < BOOT_TIMEOUT:
        try:
            login = _ssh(key, port, 'hostname; cloud-id')
        except subprocess.TimeoutExpired:
            continue
        if login.returncode == 0:
            break
        time.sleep(5)
    booted = time.monotonic()
    assert login is not None and login.returncode == 0, (
        'no SSH login with the key given as a property within %ds: %s'
        % (BOOT_TIMEOUT, login.stderr if login else ''))
    lines = login.stdout.split()
    print('\nboot to SSH: %.0f s after ovf_deploy returned (%.0f s including the deployment), '
          'domain type %s' % (booted - deployed, booted - started, domain_type))
    assert lines[0] == hostname
    assert lines[1] == 'ovf'  # cloud-init found its data on the OVF data source

    extra['state'] = 'absent'
    _playbook(tmp_path, extra)
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByName(name)
    assert [d.name() for d in conn.listAllDomains(0) if d.name().startswith(tag)] == []
    assert os.listdir(pool_path) == []
