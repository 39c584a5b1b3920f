# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real guests for the system tests: the guest image, a libvirt provider that forwards each
machine's SSH from 127.0.0.1, a throwaway key pair, and a bounded wait for SSH.

Nothing here sends a packet beyond loopback: the guests' only NIC is QEMU user-mode networking
with ``restrict=on``, reached through ports on 127.0.0.1."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import libvirt

WORKTREE = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(WORKTREE / 'provider' / 'tests'))
sys.path.insert(0, str(WORKTREE / 'provider' / 'tests' / 'libvirt'))

from libvirt_helpers import LIBVIRT_URI, ProviderProcess, cleanup_prefix  # noqa: E402

SSH_OPTIONS = ('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
               '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR')
SSH_WAIT = 600  # seconds: KVM boots the cloud kernel in a few; TCG (qemu) takes minutes


def guest_image():
    """The bootable guest image: $CIMI_GUEST_IMAGE, else built or reused by tools/guest_image.sh
    (make guest-image)."""
    if os.environ.get('CIMI_GUEST_IMAGE'):
        return Path(os.environ['CIMI_GUEST_IMAGE'])
    result = subprocess.run([str(WORKTREE / 'tools' / 'guest_image.sh'), 'build'], cwd=WORKTREE,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=3600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def domain_type():
    """$CIMI_GUEST_DOMAIN_TYPE, else what tools/guest_accel.sh finds really boots the guest here:
    kvm, or qemu (TCG) on hosts whose KVM starts a domain but cannot run a Linux kernel."""
    if os.environ.get('CIMI_GUEST_DOMAIN_TYPE'):
        return os.environ['CIMI_GUEST_DOMAIN_TYPE']
    result = subprocess.run([str(WORKTREE / 'tools' / 'guest_accel.sh')], cwd=WORKTREE,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def key_pair(directory):
    """A throwaway ed25519 key pair: (private key path, public key line)."""
    key = Path(directory) / 'id_ed25519'
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'cimi-guest-test',
                    '-f', str(key)], stdin=subprocess.DEVNULL, check=True)
    return key, key.with_suffix('.pub').read_text().strip()


def ssh(port, key, user, command='true', timeout=30):
    # stdin from /dev/null: an ssh sharing the test's stdin leaves it non-blocking, which
    # ansible-playbook then refuses.
    return subprocess.run(['ssh', *SSH_OPTIONS, '-i', str(key), '-p', str(port),
                           '%s@127.0.0.1' % user, command], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, check=False)


def wait_for_ssh(port, key, user, deadline=SSH_WAIT):
    """Seconds until ``ssh user@127.0.0.1 -p port true`` first succeeds (bounded)."""
    start = time.monotonic()
    last = None
    while time.monotonic() - start < deadline:
        try:
            last = ssh(port, key, user, timeout=15)
        except subprocess.TimeoutExpired:
            continue
        if last.returncode == 0:
            return time.monotonic() - start
        time.sleep(0.5)
    raise AssertionError('no SSH on 127.0.0.1:%d within %ds: %s' % (
        port, deadline, last.stderr if last else 'no answer'))


class GuestProvider(ProviderProcess):
    """The reference provider on qemu:///system with forwarded ports, importing from the image's
    directory only; its libvirt objects carry a prefix of their own and are removed at the end."""

    def __init__(self, workdir, image, ports):
        super().__init__(workdir, 'g%s-' % uuid.uuid4().hex[:8], 'guests',
                         extra_args=('--libvirt-forward-ports', '%d-%d' % ports,
                                     '--libvirt-domain-type', domain_type()),
                         import_roots=[image.parent])

    def close(self):
        try:
            self.stop()
        finally:
            conn = libvirt.open(LIBVIRT_URI)
            try:
                cleanup_prefix(conn, self.prefix)
            finally:
                conn.close()


def guest_provider(image, ports):
    """Started GuestProvider in a private directory under /var/tmp (qemu must reach the pool)."""
    subprocess.run([str(WORKTREE / 'tools' / 'libvirtd.sh')], check=True)
    workdir = Path('/var/tmp') / ('cimi-guests-%s' % uuid.uuid4().hex[:8])
    workdir.mkdir(mode=0o755)
    provider = GuestProvider(workdir, image, ports)
    provider.start()
    return provider, workdir


def remove_workdir(workdir):
    shutil.rmtree(workdir, ignore_errors=True)


CAPTION = re.compile(r'^\s*:caption:\s*(\S+)\s*$')


def guide_files(guide):
    """{file name: text} of the guide's code blocks that carry a ``:caption:`` (the files the
    guide tells the user to write), dedented as the user would copy them."""
    files, name, lines = {}, None, []
    for line in Path(guide).read_text(encoding='utf-8').splitlines() + ['.. end']:
        match = CAPTION.match(line)
        if match:
            name, lines = match.group(1), []
            continue
        if name is None:
            continue
        if line.strip() and not line.startswith('   '):
            files[name] = '\n'.join(lines).strip('\n') + '\n'
            name = None
            continue
        lines.append(line[3:])
    return files
