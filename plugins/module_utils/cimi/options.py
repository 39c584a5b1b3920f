# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CIMI connection options: one definition for modules and the inventory plugin.

Modules turn it into an argument_spec (env fallbacks included); the inventory plugin reads the
same names with get_option() (its documentation extends the ``cloudmgmt.dmtf.cimi`` and
``cloudmgmt.dmtf.cimi.plugins`` doc fragments, which a unit test keeps in step with this table).
"""

from __future__ import annotations

import copy

from ansible.module_utils.basic import env_fallback

# name -> type, default, no_log, env (environment fallback)
CONNECTION_OPTIONS = {
    'endpoint': {'type': 'str', 'env': 'CIMI_ENDPOINT'},
    'username': {'type': 'str', 'env': 'CIMI_USERNAME'},
    'password': {'type': 'str', 'env': 'CIMI_PASSWORD', 'no_log': True},
    'token': {'type': 'str', 'env': 'CIMI_TOKEN', 'no_log': True},
    'validate_certs': {'type': 'bool', 'default': True, 'env': 'CIMI_VALIDATE_CERTS'},
    'ca_path': {'type': 'path', 'env': 'CIMI_CA_PATH'},
    'client_cert': {'type': 'path'},
    'client_key': {'type': 'path'},
    'timeout': {'type': 'float', 'default': 30.0},
    'retries': {'type': 'int', 'default': 3},
}


def connection_argument_spec():
    """argument_spec entries for AnsibleModule."""
    spec = {}
    for name, definition in CONNECTION_OPTIONS.items():
        entry = {'type': definition['type']}
        if 'default' in definition:
            entry['default'] = definition['default']
        if definition.get('no_log'):
            entry['no_log'] = True
        if definition.get('env'):
            entry['fallback'] = (env_fallback, [definition['env']])
        spec[name] = entry
    return copy.deepcopy(spec)


def connection_options(get):
    """{name: value} of the connection options, read through get(name)."""
    return dict((name, get(name)) for name in CONNECTION_OPTIONS)
