# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Modules for resources created by POSTing their own representation (configurations, templates,
credentials, images): present/absent, update of the common attributes.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule


class DefinitionModule(ResourceModule):
    """Subclasses set kind and implement fill(body); check mode predicts the body itself."""

    def predicted(self, body):
        body = dict(body or {})
        for key in ('resourceURI', 'password'):
            body.pop(key, None)
        return body
