#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_machine_template
short_description: Manage CIMI machine templates
version_added: 0.1.0
description:
  - Manages a MachineTemplate on a DMTF CIMI 2.0 provider; machines can then be created from it
    with the O(cloudmgmt.dmtf.cimi_machine#module:template) option.
  - Found by O(id), or else by O(name). Only O(name) (when found by O(id)), O(description) and
    O(properties) are updated in place; the other options are used at creation only.
  - References take a name or an href.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
options:
  name:
    description: Name of the machine template. Required to create one.
    type: str
  id:
    description: CIMI id of an existing machine template. With O(name), it is renamed.
    type: str
  state:
    description: V(present) makes sure the template exists; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  config:
    description: MachineConfiguration (name or href). Required to create.
    type: str
  image:
    description: MachineImage (name or href). Required to create.
    type: str
  credential:
    description: Credential (name or href).
    type: str
  initial_state:
    description: State machines created from the template start in.
    type: str
    choices: [STARTED, STOPPED]
  user_data:
    description:
      - User data as plain text; base64-encoded by the module.
      - Kept out of logs (C(no_log)); results show the C(userData) attribute as
        C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER).
    type: str
  networks:
    description: Networks (names or hrefs), one interface each.
    type: list
    elements: str
'''

EXAMPLES = r'''
- name: Template for web machines
  cloudmgmt.dmtf.cimi_machine_template:
    name: web-template
    config: m1-small
    image: debian-12
    networks: [web-net]
    initial_state: STARTED
'''

RETURN = r'''
machine_template:
  description: The machine template as the provider shows it (empty after deletion; predicted in check mode).
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
cadf:
  description: Hint for the CADF audit callback.
  returned: always
  type: dict
'''

import base64

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.definition import DefinitionModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import COMMON_KWARGS, KINDS, common_spec


class Module(DefinitionModule):
    kind = KINDS['machine_template']
    argument_spec = dict(common_spec(waits=False), config={'type': 'str'}, image={'type': 'str'},
                         credential={'type': 'str'},
                         initial_state={'type': 'str', 'choices': ['STARTED', 'STOPPED']},
                         user_data={'type': 'str', 'no_log': True}, networks={'type': 'list', 'elements': 'str'})
    module_kwargs = COMMON_KWARGS

    def fill(self, body):
        p = self.params
        if not p['config'] or not p['image']:
            raise CimiMissingCreateInfo('machine template %r does not exist; config and image are needed to '
                                        'create it' % p['name'])
        body['machineConfig'] = self.ref('machineConfigs', p['config'], 'machine configuration')
        body['machineImage'] = self.ref('machineImages', p['image'], 'machine image')
        if p['credential']:
            body['credential'] = self.ref('credentials', p['credential'], 'credential')
        if p['initial_state']:
            body['initialState'] = p['initial_state']
        if p['user_data'] is not None:
            body['userData'] = base64.b64encode(p['user_data'].encode('utf-8')).decode('ascii')
        if p['networks']:
            body['interfaceTemplates'] = [{'network': self.ref('networks', n, 'network')} for n in p['networks']]
        return body


def main():
    Module()()


if __name__ == '__main__':
    main()
