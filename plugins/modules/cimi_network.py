#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_network
short_description: Create, start, stop and delete CIMI networks
version_added: 0.1.0
description:
  - Manages a Network on a DMTF CIMI 2.0 provider. Found by O(id), or else by O(name).
  - Only O(name) (when found by O(id)), O(description) and O(properties) are updated in place.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
  - cloudmgmt.dmtf.cimi.wait
options:
  name:
    description: Name of the network. Required to create one.
    type: str
  id:
    description: CIMI id of an existing network. With O(name), the network is renamed.
    type: str
  state:
    description:
      - V(present) makes sure the network exists (created in the provider's default state).
      - V(started) and V(stopped) also make sure it is in that state. V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent, started, stopped]
  template:
    description: NetworkTemplate (name or href) to create from.
    type: str
'''

EXAMPLES = r'''
- name: Private network
  cloudmgmt.dmtf.cimi_network:
    name: web-net
    state: started

- name: Remove it
  cloudmgmt.dmtf.cimi_network:
    name: web-net
    state: absent
'''

RETURN = r'''
network:
  description: The network as the provider shows it (empty after deletion; predicted in check mode).
  returned: always
  type: dict
  sample: {"id": "https://cimi.example.com/cimi/networks/n1", "name": "web-net", "state": "STARTED"}
id:
  description: CIMI id of the network.
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
  sample: {"typeURI": "network", "id": "https://cimi.example.com/cimi/networks/n1", "name": "web-net"}
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule, START_STOP
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS, common_spec


class NetworkModule(ResourceModule):
    kind = KINDS['network']
    create_type = 'NetworkCreate'
    targets = START_STOP
    argument_spec = dict(common_spec(states=['present', 'absent', 'started', 'stopped']),
                         template={'type': 'str'})

    def fill(self, body):
        p = self.params
        template = self.ref('networkTemplates', p['template'], 'network template') if p['template'] else {}
        if self.initial_state():
            template['initialState'] = self.initial_state()
        body['networkTemplate'] = template
        return body

    def initial_state(self):
        return self.targets.get(self.params['state'], (None, None))[1]


def main():
    NetworkModule()()


if __name__ == '__main__':
    main()
