# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection option table and the doc fragment must say the same thing."""
from __future__ import annotations

import yaml

from ansible_collections.cloudmgmt.dmtf.plugins.doc_fragments.cimi import ModuleDocFragment
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.options import (
    CONNECTION_OPTIONS, connection_argument_spec)


def test_doc_fragment_matches_option_table():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    plugin_env = yaml.safe_load(ModuleDocFragment.PLUGINS)['options']
    assert set(documented) == set(CONNECTION_OPTIONS)
    for name, definition in CONNECTION_OPTIONS.items():
        assert documented[name]['type'] == definition['type'], name
        assert documented[name].get('default') == definition.get('default'), name
        env = [e['name'] for e in plugin_env.get(name, {}).get('env', [])]
        assert env == ([definition['env']] if definition.get('env') else []), name


def test_argument_spec_has_fallbacks_and_no_log():
    spec = connection_argument_spec()
    assert spec['password']['no_log'] and spec['token']['no_log']
    assert spec['endpoint']['fallback'][1] == ['CIMI_ENDPOINT']
    assert 'no_log' not in spec['username']
