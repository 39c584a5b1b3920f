# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, *(['..'] * 5)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'ovf_fixtures'))
try:
    import ansible_collections.cloudmgmt.dmtf.plugins  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, '.collections'))

import ovfgen  # noqa: E402


@pytest.fixture
def work(tmp_path):
    return str(tmp_path)


@pytest.fixture(scope='session')
def cot_dir():
    import COT
    return os.path.join(os.path.dirname(COT.__file__), 'tests')


@pytest.fixture(scope='session')
def schema_dir():
    return os.path.join(ROOT, 'tests', 'ovf_fixtures', 'schemas')


@pytest.fixture
def standard_ova(tmp_path):
    """A realistic OVA (streamOptimized VMDK + qcow2 disk, SHA256 manifest)."""
    work = str(tmp_path)
    spec, files = ovfgen.standard_spec(work, disk_formats=('vmdk', 'qcow2'))
    path = ovfgen.build(os.path.join(work, 'appliance.ova'), spec, files)
    return path, spec, files
