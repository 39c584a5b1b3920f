# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'ovf_fixtures'))
try:
    import ansible_collections.cloudmgmt.dmtf.plugins  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, '.collections'))

import hostile  # noqa: E402
import ovfgen  # noqa: E402
from modrun import run_module  # noqa: E402
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.envelope import parse_envelope  # noqa: E402
from ansible_collections.cloudmgmt.dmtf.plugins.modules import ovf_info  # noqa: E402


@pytest.fixture(scope='module')
def cot_dir():
    import COT
    return os.path.join(os.path.dirname(COT.__file__), 'tests')


def test_info_on_ova(tmp_path, capsys):
    spec, files = ovfgen.standard_spec(str(tmp_path), disk_formats=('vmdk', 'raw'))
    path = ovfgen.build(str(tmp_path / 'a.ova'), spec, files)
    result, failed = run_module(ovf_info, {'src': path, 'manifest': 'require'}, capsys)
    assert not failed, result
    assert result['changed'] is False
    assert result['product']['vendor'] == 'cloudmgmt'
    assert [c['id'] for c in result['deployment_options']] == ['small', 'medium', 'large']
    assert result['manifest']['status'] == 'verified'
    assert [d['detected_format'] for d in result['disks']] == ['vmdk', 'raw']
    assert result['transports'] == ['iso']


@pytest.mark.parametrize('policy', ['warn', 'require'])
def test_info_refuses_an_incomplete_manifest(tmp_path, capsys, policy):
    path = hostile.manifest_omits_disk(str(tmp_path))
    result, failed = run_module(ovf_info, {'src': path, 'manifest': policy}, capsys)
    assert failed and result['error_code'] == 'manifest_incomplete'
    assert 'bad-disk1.vmdk' in result['msg'] and 'Traceback' not in result['msg']


def test_info_schema_lint(tmp_path, capsys):
    spec, files = ovfgen.standard_spec(str(tmp_path))
    path = ovfgen.build(str(tmp_path / 'a.ova'), spec, files)
    result, failed = run_module(ovf_info, {'src': path, 'schema_lint': True, 'schema_dir':
                                           os.path.join(ROOT, 'tests', 'ovf_fixtures', 'schemas')},
                                capsys)
    assert not failed and result['schema']['valid'] is True


@pytest.mark.parametrize('name,version,os_id', [
    ('input.ovf', '1.x', 100), ('vmware.ovf', '1.x', 80), ('csr1000v.ovf', '1.x', 100),
    ('iosv.ovf', '1.x', 100), ('ubuntu.2.0.ovf', '2.x', 94), ('v0.9.ovf', '0.9', 107)])
def test_info_real_world_ova(tmp_path, capsys, cot_dir, name, version, os_id):
    """Pack each COT descriptor (with the files it references that COT ships) into an OVA."""
    desc = ovfgen.read(os.path.join(cot_dir, name))
    members = [(name, desc)]
    env = parse_envelope(desc)
    for f in env.files.values():
        src = os.path.join(cot_dir, f.href)
        if os.path.exists(src):
            members.append((f.href, src))
    path = ovfgen.write_tar(str(tmp_path / 'real.ova'), members)
    shipped = len(members) - 1 == len(env.files)
    result, failed = run_module(ovf_info, {'src': path}, capsys)
    if shipped:
        assert not failed, result
        assert result['ovf_version'] == version
        assert result['operating_system']['id'] == os_id
    else:
        assert failed and result['error_code'] == 'missing_file'


def test_info_real_world_with_manifest(capsys, cot_dir):
    result, failed = run_module(ovf_info, {'src': os.path.join(cot_dir, 'ubuntu.2.0.ovf'),
                                           'manifest': 'require'}, capsys)
    assert not failed, result
    assert result['manifest']['status'] == 'verified'
    assert result['disks'][0]['detected_format'] == 'vmdk'


def test_info_rejects_invalid(capsys, cot_dir):
    result, failed = run_module(ovf_info, {'src': os.path.join(cot_dir, 'invalid.ovf')}, capsys)
    assert failed
    assert result['error_code'] == 'dangling_reference'
    assert 'flash2' in result['msg']


@pytest.mark.parametrize('case', ['xxe', 'symlink_member', 'path_traversal', 'bad_signature'])
def test_info_hostile(tmp_path, capsys, case):
    path, extra, code = hostile.build_case(case, str(tmp_path))
    result, failed = run_module(ovf_info, dict({'src': path}, **extra), capsys)
    assert failed and result['error_code'] == code
    assert 'Traceback' not in result['msg']
