# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared qemu-img wrapper: limits applied, and the images it refuses (real qemu-img)."""
from __future__ import annotations

import os
import subprocess

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import qemuimg
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt.errors import ImageError


def _qcow2(path, *options):
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2'] + list(options) + [path, '8M'],
                   check=True)
    return path


def _checked(path, fmt):
    data = qemuimg.info(['-f', fmt, '--', path])
    return qemuimg.check_self_contained(data, 'image %s' % os.path.basename(path), fmt)


def test_limits_are_set_in_the_child():
    # /bin/sh stands in for qemu-img: it reports the limits it was started under.
    out = qemuimg.run(['-c', 'ulimit -t; ulimit -v'], limits={'cpu': 7, 'address_space': 64 << 20},
                      qemu_img='sh')
    assert out.split() == ['7', str(64 << 10)]
    assert qemuimg.run(['-c', 'ulimit -t; ulimit -v'], qemu_img='sh').split() == [
        '30', str((1 << 30) >> 10)]


def test_a_plain_qcow2_passes(tmp_path):
    specific = _checked(_qcow2(str(tmp_path / 'ok.qcow2')), 'qcow2')
    assert specific['compat'] == '1.1' and 'data-file' not in specific


def test_backing_file_is_refused(tmp_path):
    base = _qcow2(str(tmp_path / 'base.qcow2'))
    top = _qcow2(str(tmp_path / 'top.qcow2'), '-b', base, '-F', 'qcow2')
    with pytest.raises(ImageError) as info:
        _checked(top, 'qcow2')
    assert info.value.code == 'backing_file' and 'top.qcow2 has a backing file' in info.value.message


def test_external_data_file_is_refused(tmp_path):
    image = _qcow2(str(tmp_path / 'd.qcow2'), '-o', 'data_file=%s' % (tmp_path / 'outside.raw'))
    with pytest.raises(ImageError) as info:
        _checked(image, 'qcow2')
    assert info.value.code == 'data_file'


def test_format_other_than_named_is_refused(tmp_path):
    image = _qcow2(str(tmp_path / 'q.qcow2'))
    with pytest.raises(ImageError) as info:
        qemuimg.check_self_contained(qemuimg.info(['--', image]), 'q', 'raw')
    assert info.value.code == 'format_mismatch'


def test_failures_are_image_errors(tmp_path, monkeypatch):
    with pytest.raises(ImageError) as info:
        qemuimg.info(['-f', 'qcow2', '--', str(tmp_path / 'missing.qcow2')])
    assert info.value.code == 'qemu_img_failed' and 'qemu-img info failed' in info.value.message
    with pytest.raises(ImageError) as info:
        qemuimg.run(['info'], qemu_img=str(tmp_path / 'no-such-qemu-img'))
    assert info.value.code == 'qemu_img_missing'
    monkeypatch.setattr(qemuimg, 'run', lambda *args, **kwargs: 'not json')
    with pytest.raises(ImageError) as info:
        qemuimg.info(['--', 'x'])
    assert info.value.code == 'qemu_img_output'


def test_spawn_and_finish_report_the_failing_step(tmp_path):
    proc = qemuimg.spawn(['convert', '-O', 'qcow2', str(tmp_path / 'missing'), str(tmp_path / 'o')],
                         qemuimg.CONVERT_LIMITS)
    with pytest.raises(ImageError) as info:
        qemuimg.finish(proc, 'converting disk1', 'convert_failed')
    assert info.value.code == 'convert_failed' and info.value.message.startswith(
        'converting disk1 failed: ')
