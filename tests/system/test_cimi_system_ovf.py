# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cimi_system imports an OVA as a System and exports it again, through ansible-playbook,
against the real reference provider (memory backend, asynchronous jobs) with import and export
roots: check mode, idempotence and an honest ``changed``."""
from __future__ import annotations

import sys
import tarfile
from pathlib import Path

import pytest

WORKTREE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(WORKTREE / 'tests' / 'ovf_fixtures'))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import realworld  # noqa: E402
from test_playbooks import Api, playbook  # noqa: E402
from server import ProviderProcess  # noqa: E402

PLAY = '''
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/cloudmgmt.dmtf.cimi:
      endpoint: "{{ lookup('env', 'CIMI_ENDPOINT') }}"
  vars:
    system: &system
      name: it-shop
      import_source: "file://%(root)s/shop.ova"
      import_properties:
        web.hostname: it-web
      state: present
  tasks:
    - name: Import (check mode)
      cloudmgmt.dmtf.cimi_system: *system
      check_mode: true
      register: check1
    - name: Import
      cloudmgmt.dmtf.cimi_system: *system
      register: first
    - name: Import again (check mode)
      cloudmgmt.dmtf.cimi_system: *system
      check_mode: true
      register: check2
    - name: Import again
      cloudmgmt.dmtf.cimi_system: *system
      register: second
    - name: Stopped and exported
      cloudmgmt.dmtf.cimi_system: &export
        name: it-shop
        state: stopped
        force: true
        export_destination: "file://%(exports)s/it-shop.ova"
      register: exported
    - name: Exported again (the file exists, nothing changes)
      cloudmgmt.dmtf.cimi_system: *export
      register: again
    - name: Outcomes
      ansible.builtin.assert:
        that:
          - check1 is changed and check1.actions == ['import']
          - first is changed and first.actions == ['import']
          - first.system.softwareIdentity.name == 'Shop'
          - check2 is not changed and second is not changed
          - exported is changed and exported.exported
          - again is not changed and not again.exported
    - name: Remove it
      cloudmgmt.dmtf.cimi_system:
        name: it-shop
        state: absent
'''


@pytest.fixture()
def provider(tmp_path):
    root, exports = tmp_path / 'root', tmp_path / 'exports'
    root.mkdir()
    exports.mkdir()
    realworld.vapp(str(root), 'shop')
    with ProviderProcess(tmp_path / 'cimi.db', '--latency', '0.05', '--import-root', str(root),
                         '--export-root', str(exports)) as prov:
        yield prov, root, exports


def test_import_and_export_with_cimi_system(provider, tmp_path):
    prov, root, exports = provider
    book = tmp_path / 'ovf.yml'
    book.write_text(PLAY % {'root': root, 'exports': exports})
    api = Api(prov)
    playbook(tmp_path, prov, book)
    with tarfile.open(exports / 'it-shop.ova') as tar:
        names = tar.getnames()
    assert names[:2] == ['it-shop.ovf', 'it-shop.mf'] and 'it-shop.swidtag' in names
    assert api.items('systems') == [] and api.items('machines') == []
