# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qemu-img under CPU and address-space limits, and the checks every image passes before use.

A hostile image must neither exhaust the host (the limits) nor make a guest read
another host file (no backing file, no external data file, format always named
by the caller: ``-f`` or ``--image-opts driver=``, never probed on the way in).
"""

from __future__ import annotations

import json
import resource
import subprocess

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt.errors import ImageError

INFO_LIMITS = {'cpu': 30, 'address_space': 1 << 30}
CONVERT_LIMITS = {'cpu': None, 'address_space': 4 << 30}


def _limits(limits):
    def apply():  # in the child, between fork and exec
        if limits.get('cpu'):
            resource.setrlimit(resource.RLIMIT_CPU, (limits['cpu'], limits['cpu']))
        if limits.get('address_space'):
            resource.setrlimit(resource.RLIMIT_AS,
                               (limits['address_space'], limits['address_space']))
    return apply


def _failure(err):
    return err.decode('utf-8', 'replace').strip()[-500:]


def spawn(args, limits, qemu_img='qemu-img', stdout=subprocess.DEVNULL, pass_fds=()):
    """Start qemu-img under ``limits`` (stderr piped; ``pass_fds``: files it reads as /dev/fd/N)."""
    inherit = {'pass_fds': tuple(pass_fds)} if pass_fds else {}
    try:
        return subprocess.Popen([qemu_img] + list(args), stdout=stdout, stderr=subprocess.PIPE,
                                preexec_fn=_limits(limits), close_fds=True, **inherit)
    except OSError as exc:
        raise ImageError('cannot run qemu-img: %s' % exc.strerror, 'qemu_img_missing')


def finish(proc, what, code):
    """Wait for ``proc``; a failure raises ``ImageError(what failed: <stderr tail>, code)``."""
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise ImageError('%s failed: %s' % (what, _failure(err)), code)
    return out


def run(args, limits=None, qemu_img='qemu-img', pass_fds=()):
    """Run qemu-img to the end under ``limits`` (default INFO_LIMITS); returns its stdout text."""
    proc = spawn(args, limits or INFO_LIMITS, qemu_img, subprocess.PIPE, pass_fds)
    return finish(proc, 'qemu-img %s' % args[0], 'qemu_img_failed').decode('utf-8', 'replace')


def info(target_args, pass_fds=()):
    """``qemu-img info --output=json <target_args>`` as a dict (INFO_LIMITS apply)."""
    out = run(['info', '--output=json'] + list(target_args), pass_fds=pass_fds)
    try:
        return json.loads(out)
    except ValueError:
        raise ImageError('unreadable qemu-img output', 'qemu_img_output')


def check_self_contained(data, name, fmt):
    """Refuse an image (its ``info`` dict) not of ``fmt``, with a backing file or a data file."""
    if data.get('format') != fmt:
        raise ImageError('%s opened as %s, expected %s' % (name, data.get('format'), fmt),
                         'format_mismatch')
    if data.get('backing-filename') or data.get('full-backing-filename'):
        raise ImageError('%s has a backing file; refused (flatten it first: qemu-img convert)'
                         % name, 'backing_file')
    specific = (data.get('format-specific') or {}).get('data') or {}
    if specific.get('data-file') or specific.get('data-file-raw'):
        raise ImageError('%s has an external data file; refused' % name, 'data_file')
    return specific
