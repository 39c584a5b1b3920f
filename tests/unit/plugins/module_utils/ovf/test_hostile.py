# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every hostile package is refused with its specific code, and nothing is left behind."""
from __future__ import annotations

import os

import pytest

import hostile
import pipeline
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import OvfError


def _tree(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _dirs, files in os.walk(root) for f in files)


def test_corpus_is_large_enough():
    assert len(hostile.CASES) >= 20


@pytest.mark.parametrize('case', sorted(hostile.CASES))
def test_hostile_package_is_refused(case, tmp_path):
    work = tmp_path / 'work'
    pool = tmp_path / 'pool'
    work.mkdir()
    pool.mkdir()
    path, extra, code = hostile.build_case(case, str(work))
    before = _tree(str(work))
    with pytest.raises(OvfError) as info:
        pipeline.run(path, str(pool), **extra)
    assert info.value.code == code, str(info.value)
    assert 'Traceback' not in str(info.value)
    assert os.listdir(str(pool)) == []
    assert _tree(str(work)) == before
    assert not os.path.exists('/tmp/ovf-absolute')
