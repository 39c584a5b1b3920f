#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_system
short_description: Instantiate, start, stop and delete CIMI systems
version_added: 0.1.0
description:
  - Manages a System on a DMTF CIMI 2.0 provider, instantiated from a SystemTemplate, or imported
    from an OVF package (OVA or OVF) with the SystemCollection C(import) operation (O(import_source)).
  - With O(export_destination), the System is exported as an OVA (the System C(export) operation) once
    it is in the state asked for; the provider never overwrites a file, so an existing destination
    is reported as unchanged.
  - Starting or stopping a system starts or stops all its components; deleting it deletes them.
  - Found by O(id), or else by O(name). Only O(name) (when found by O(id)), O(description) and
    O(properties) are updated in place.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
  - cloudmgmt.dmtf.cimi.wait
options:
  name:
    description: Name of the system. Required to create one.
    type: str
  id:
    description: CIMI id of an existing system. With O(name), it is renamed.
    type: str
  state:
    description:
      - V(present) makes sure the system exists; V(started) and V(stopped) also start or stop all its
        components; V(absent) deletes it with its components.
    type: str
    default: present
    choices: [present, absent, started, stopped]
  template:
    description: SystemTemplate (name or href). Required to create.
    type: str
  force:
    description: Force the stop of the components.
    type: bool
    default: false
  import_source:
    description:
      - V(file:///path/name.ova) (or C(.ovf)) on the provider's host, under one of its import roots
        (C(cimi-provider serve --import-root)). When the system does not exist, it is imported from
        this package instead of created from O(template); an existing system is left as it is.
      - Each VirtualSystem becomes a Machine, each disk a Volume, each OVF network a new isolated
        Network of the system unless O(import_networks) maps it.
    type: str
  import_properties:
    description:
      - OVF ProductSection property values, by key, C(class.key.instance) or C(<system id>.key) in a
        vApp. The machines get them in their OVF environment; values of password properties are never
        shown by the provider.
    type: dict
  import_networks:
    description: OVF network name to an existing CIMI Network (name or href).
    type: dict
  deployment_option:
    description: The OVF DeploymentOptionSection configuration to import.
    type: str
  export_destination:
    description:
      - V(file:///path/name.ova) under one of the provider's export roots (C(cimi-provider serve
        --export-root)). The system must be stopped (use O(state=stopped)).
      - A destination that already exists is not overwritten and the task reports no change.
    type: str
  export_format:
    description: The package format of the export.
    type: str
    default: application/ovf
    choices: [application/ovf]
'''

EXAMPLES = r'''
- name: Instantiate the web tier, started
  cloudmgmt.dmtf.cimi_system:
    name: web-tier-prod
    template: web-tier
    state: started

- name: Import a three-tier vApp as a System (its machines start in StartupSection order)
  cloudmgmt.dmtf.cimi_system:
    name: shop
    import_source: file:///srv/cimi-images/shop.ova
    import_properties:
      web.hostname: shop-web
    import_networks:
      Frontend: dmz
    state: started

- name: Export it as an OVA (stopped first)
  cloudmgmt.dmtf.cimi_system:
    name: shop
    state: stopped
    force: true
    export_destination: file:///srv/cimi-exports/shop-2024-06.ova

- name: Tear it down
  cloudmgmt.dmtf.cimi_system:
    name: web-tier-prod
    state: absent
'''

RETURN = r'''
system:
  description: The system as the provider shows it (empty after deletion; predicted in check mode).
  returned: always
  type: dict
id:
  description: CIMI id.
  returned: always
  type: str
actions:
  description: What was done (or would be done in check mode), in order.
  returned: always
  type: list
  elements: str
exported:
  description: Whether the task wrote O(export_destination) (false when it already existed).
  returned: when O(export_destination) is set
  type: bool
cadf:
  description: Hint for the CADF audit callback.
  returned: always
  type: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiHTTPError, CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Outcome
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule, START_STOP
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS, common_spec


class Module(ResourceModule):
    kind = KINDS['system']
    create_type = 'SystemCreate'
    targets = START_STOP
    force_actions = ('stop',)
    argument_spec = dict(common_spec(states=['present', 'absent', 'started', 'stopped']),
                         template={'type': 'str'}, force={'type': 'bool', 'default': False},
                         import_source={'type': 'str'},
                         import_properties={'type': 'dict', 'no_log': True},
                         import_networks={'type': 'dict'}, deployment_option={'type': 'str'},
                         export_destination={'type': 'str'},
                         export_format={'type': 'str', 'default': 'application/ovf',
                                        'choices': ['application/ovf']})

    def create(self, body):
        p = self.params
        if not p['import_source']:
            return super().create(body)
        engine = self.engine
        predicted = self.predicted(body)
        if self.check_mode:
            return Outcome(predicted, ['import'], {}, engine.view(predicted))
        networks = dict((k, self.ref('networks', v, 'network')['href'])
                        for k, v in (p['import_networks'] or {}).items())
        created = self.client.collection_operation(
            'systems', 'import', source=p['import_source'], name=p['name'],
            description=p['description'], deploymentOption=p['deployment_option'],
            networkMap=networks or None,
            ovfProperties=dict((k, str(v)) for k, v in (p['import_properties'] or {}).items()) or None)
        engine.wait_job(created.job_url, 'importing system %r' % p['name'])
        resource = engine.wait_stable(self.client.get(created.url))
        return Outcome(resource, ['import'], {}, engine.view(resource))

    def created_in_check_mode(self, outcome):
        return self.check_mode and ('import' in outcome.actions or outcome.created)

    def present_extra(self, outcome):
        p = self.params
        if not p['export_destination']:
            return outcome, {}
        if self.check_mode:
            self.module.warn('check mode cannot tell whether %s exists on the provider; the '
                             'export is reported as a change' % p['export_destination'])
            return outcome.then(Outcome(outcome.resource, ['export'])), {'exported': True}
        try:
            job = self.client.action(outcome.resource, 'export', destination=p['export_destination'],
                                     format=p['export_format'])
        except CimiHTTPError as exc:
            if exc.status == 409 and 'already exists' in exc.message:
                return outcome, {'exported': False}
            raise
        self.engine.wait_job(job, 'exporting system %r' % outcome.resource.get('name'))
        return outcome.then(Outcome(outcome.resource, ['export'])), {'exported': True}

    def fill(self, body):
        p = self.params
        if p['import_source']:
            return body  # imported: the package, not a template, says what the system holds
        if not p['template']:
            raise CimiMissingCreateInfo('system %r does not exist; a template is needed to create it' % p['name'])
        body['systemTemplate'] = self.ref('systemTemplates', p['template'], 'system template')
        return body


def main():
    Module()()


if __name__ == '__main__':
    main()
