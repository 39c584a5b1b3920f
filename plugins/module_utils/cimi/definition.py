# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared run() of modules for resources created by POSTing their own representation
(configurations, templates, credentials, images): present/absent, update of the common attributes.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.module import CimiModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Reconciler
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    base_body, desired_common, require_name_for_create)


class DefinitionModule(CimiModule):
    """Subclasses set kind and implement fill(body) (creation attributes) and predicted()."""

    kind = None
    create_type = None  # resourceURI type of the POST body; defaults to kind.type_name

    def fill(self, body):
        """Add the creation attributes to body; raise CimiMissingCreateInfo if impossible."""
        return body

    def run(self):
        p = self.params
        engine = Reconciler(self.client, self.kind, check_mode=self.check_mode, wait=p.get('wait', True),
                            wait_timeout=p.get('wait_timeout') or 600)
        current = engine.find(resource_id=p['id'], name=p['name'])
        if p['state'] == 'absent':
            if current is not None:
                current = engine.wait_stable(current, fail_ok=True)
            engine.delete(current)
            return engine.result(current if engine.changed else None, diff_mode=self.diff_mode,
                                 actions=engine.actions, **{self.kind.result_key: {}})
        if current is None:
            require_name_for_create(p, self.kind.label)
            body = self.build_create_body(lambda: self.fill(base_body(self.create_type or self.kind.type_name, p)))
            resource = engine.create(body, self.predicted(body))
        else:
            resource = engine.update(engine.wait_stable(current), desired_common(p))
        return engine.result(resource, diff_mode=self.diff_mode, actions=engine.actions)

    def predicted(self, body):
        body = dict(body or {})
        body.pop('resourceURI', None)
        for key in ('password',):
            body.pop(key, None)
        return body
