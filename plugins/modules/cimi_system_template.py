#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_system_template
short_description: Manage CIMI system templates
version_added: 0.1.0
description:
  - Manages a SystemTemplate (a set of machines, volumes and networks) on a DMTF CIMI 2.0 provider.
  - Found by O(id), or else by O(name). Only O(name) (when found by O(id)), O(description) and
    O(properties) are updated in place; O(components) is used at creation only.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
options:
  name:
    description: Name of the template. Required to create one.
    type: str
  id:
    description: CIMI id of an existing template. With O(name), it is renamed.
    type: str
  state:
    description: V(present) makes sure the template exists; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  components:
    description: Component descriptors. Required to create.
    type: list
    elements: dict
    suboptions:
      name:
        description: Component name; with O(components[].quantity) > 1 the resources get suffixes 1..n.
        type: str
        required: true
      type:
        description: Kind of resource.
        type: str
        required: true
        choices: [machine, volume, network]
      quantity:
        description: How many resources of this component.
        type: int
        default: 1
      template:
        description: MachineTemplate, VolumeTemplate or NetworkTemplate (name or href) of the component.
        type: str
      template_value:
        description: The component's template by value, in CIMI JSON form (for example C(machineConfig) and C(machineImage) refs).
        type: dict
'''

EXAMPLES = r'''
- name: A web tier as one system
  cloudmgmt.dmtf.cimi_system_template:
    name: web-tier
    components:
      - name: web
        type: machine
        quantity: 2
        template: web-template
      - name: web-net
        type: network
        template_value:
          initialState: STARTED
'''

RETURN = r'''
system_template:
  description: The system template as the provider shows it (empty after deletion).
  returned: always
  type: dict
id:
  description: CIMI id.
  returned: always
  type: str
actions:
  description: What was done, in order.
  returned: always
  type: list
  elements: str
cadf:
  description: Hint for the CADF audit callback.
  returned: always
  type: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.definition import DefinitionModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import COMMON_KWARGS, KINDS, common_spec

TYPES = {'machine': ('Machine', 'machineTemplate', 'machineTemplates'),
         'volume': ('Volume', 'volumeTemplate', 'volumeTemplates'),
         'network': ('Network', 'networkTemplate', 'networkTemplates')}


class Module(DefinitionModule):
    kind = KINDS['system_template']
    argument_spec = dict(common_spec(waits=False), components={'type': 'list', 'elements': 'dict', 'options': {
        'name': {'type': 'str', 'required': True},
        'type': {'type': 'str', 'required': True, 'choices': list(TYPES)},
        'quantity': {'type': 'int', 'default': 1},
        'template': {'type': 'str'},
        'template_value': {'type': 'dict'}}})
    module_kwargs = COMMON_KWARGS

    def fill(self, body):
        p = self.params
        if not p['components']:
            raise CimiMissingCreateInfo('system template %r does not exist; components are needed to create it'
                                        % p['name'])
        body['componentDescriptors'] = [self.descriptor(c) for c in p['components']]
        return body

    def descriptor(self, component):
        type_name, attribute, collection = TYPES[component['type']]
        descriptor = {'name': component['name'], 'type': compat.type_uri(type_name),
                      'quantity': component['quantity']}
        template = dict(component.get('template_value') or {})
        if component.get('template'):
            template.update(self.ref(collection, component['template'], '%s template' % component['type']))
        descriptor[attribute] = template
        return descriptor


def main():
    Module()()


if __name__ == '__main__':
    main()
