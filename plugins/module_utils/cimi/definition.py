# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Modules for resources created by POSTing their own representation (configurations, templates,
credentials, images): present/absent, update of the common attributes.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule


def refuse_api_password(params):
    """A CimiError for the common misreading of cimi_credential(_template): password (the API login's)
    given as the credential's, with no username (so no login) and no secret."""
    if params['password'] and not params['username'] and not params['token'] and params['secret'] is None \
            and params['state'] != 'absent':
        raise CimiError('password is the password of the CIMI API login (used with username), not the '
                        "credential's: set secret (or credential_password) to give the credential a password, "
                        'and username as well if password is meant for the API login')


class DefinitionModule(ResourceModule):
    """Subclasses set kind and implement fill(body); check mode predicts the body itself."""

    def predicted(self, body):
        body = dict(body or {})
        for key in ('resourceURI', 'password'):
            body.pop(key, None)
        return body
