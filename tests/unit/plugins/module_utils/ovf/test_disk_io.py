# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qemu-img I/O engine choice: io_uring when it works, the thread pool otherwise, same result."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

import ovfgen
import pipeline
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import disks
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DiskImageError, OvfError


@pytest.fixture
def fresh_probe(monkeypatch):
    """Forget what an earlier test learnt about io_uring on this host."""
    monkeypatch.setattr(disks, '_IO_URING', {})
    return disks._IO_URING


@pytest.fixture
def no_io_uring(monkeypatch, fresh_probe):
    """A qemu-img that refuses io_uring (old qemu, disabled or seccomp-filtered io_uring)."""
    real_info = disks.info
    calls = []

    def info(opts):
        calls.append(opts)
        if 'aio=io_uring' in opts:
            raise DiskImageError('qemu-img info failed: Unable to use io_uring: Operation not '
                                 'permitted', 'qemu_img_failed')
        return real_info(opts)
    monkeypatch.setattr(disks, 'info', info)
    return calls


def _convert(tmp_path, fmt='vmdk', out_format='qcow2'):
    work = tmp_path / 'w'
    pool = tmp_path / 'pool'
    work.mkdir(parents=True)
    pool.mkdir()
    spec, files = ovfgen.standard_spec(str(work), disk_formats=(fmt,))
    path = ovfgen.build(str(work / 'a.ova'), spec, files)
    return pipeline.run(path, str(pool), out_format=out_format, policy='require')


def _content(tmp_path, image, out_format):
    back = str(tmp_path / 'back.raw')
    subprocess.check_call(['qemu-img', 'convert', '-f', out_format, '-O', 'raw', image, back])
    return ovfgen.read(back)


@pytest.mark.parametrize('out_format', ['qcow2', 'raw'])
def test_falls_back_to_the_thread_pool_without_io_uring(tmp_path, no_io_uring, fresh_probe,
                                                        out_format):
    _appliance, jobs, created = _convert(tmp_path, out_format=out_format)
    assert 'aio=io_uring' in no_io_uring[0]
    assert 'aio=' not in jobs[0].opts
    assert fresh_probe == {'usable': False}
    assert disks.preferred_aio() is None
    assert _content(tmp_path, created[0], out_format).startswith(b'disk1-vmdk\n')
    # Learnt once: the next image goes straight to the thread pool.
    del no_io_uring[:]
    _convert(tmp_path / 'again', out_format=out_format)
    assert no_io_uring and not any('aio=io_uring' in o for o in no_io_uring)


def test_io_uring_output_matches_the_thread_pool_output(tmp_path, fresh_probe, monkeypatch):
    _appliance, jobs, created = _convert(tmp_path / 'a')
    fast = _content(tmp_path / 'a', created[0], 'qcow2')
    if fresh_probe.get('usable'):
        assert 'aio=io_uring' in jobs[0].opts
    monkeypatch.setattr(disks, '_IO_URING', {'usable': False})
    _appliance, jobs, created_plain = _convert(tmp_path / 'b')
    assert 'aio=' not in jobs[0].opts
    assert fast == _content(tmp_path / 'b', created_plain[0], 'qcow2')
    info = json.loads(subprocess.check_output(['qemu-img', 'info', '--output=json',
                                               created[0]]))
    assert info['format'] == 'qcow2' and 'backing-filename' not in info


def test_image_errors_are_not_retried_once_io_uring_is_known_to_work(tmp_path, monkeypatch):
    monkeypatch.setattr(disks, '_IO_URING', {'usable': True})
    calls = []

    def info(opts):
        calls.append(opts)
        raise DiskImageError('qemu-img info failed: Could not open: Invalid argument',
                             'qemu_img_failed')
    monkeypatch.setattr(disks, 'info', info)
    with pytest.raises(OvfError) as failure:
        _convert(tmp_path)
    assert failure.value.code == 'qemu_img_failed'
    assert len(calls) == 1 and 'aio=io_uring' in calls[0]
    assert os.listdir(str(tmp_path / 'pool')) == []


def test_an_image_error_is_reported_from_the_plain_retry(tmp_path, fresh_probe, monkeypatch):
    calls = []

    def info(opts):
        calls.append(opts)
        raise DiskImageError('qemu-img info failed: bad header%s' % (
            ' (io_uring)' if 'io_uring' in opts else ''), 'qemu_img_failed')
    monkeypatch.setattr(disks, 'info', info)
    with pytest.raises(OvfError) as failure:
        _convert(tmp_path)
    assert failure.value.message == 'qemu-img info failed: bad header'
    assert len(calls) == 2 and 'aio=' not in calls[1]
    assert fresh_probe == {}
