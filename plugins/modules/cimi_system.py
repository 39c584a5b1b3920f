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
  - Manages a System on a DMTF CIMI 2.0 provider, instantiated from a SystemTemplate.
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
'''

EXAMPLES = r'''
- name: Instantiate the web tier, started
  cloudmgmt.dmtf.cimi_system:
    name: web-tier-prod
    template: web-tier
    state: started

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
cadf:
  description: Hint for the CADF audit callback.
  returned: always
  type: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule, START_STOP
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS, common_spec


class Module(ResourceModule):
    kind = KINDS['system']
    create_type = 'SystemCreate'
    targets = START_STOP
    force_actions = ('stop',)
    argument_spec = dict(common_spec(states=['present', 'absent', 'started', 'stopped']),
                         template={'type': 'str'}, force={'type': 'bool', 'default': False})

    def fill(self, body):
        p = self.params
        if not p['template']:
            raise CimiMissingCreateInfo('system %r does not exist; a template is needed to create it' % p['name'])
        body['systemTemplate'] = self.ref('systemTemplates', p['template'], 'system template')
        return body


def main():
    Module()()


if __name__ == '__main__':
    main()
