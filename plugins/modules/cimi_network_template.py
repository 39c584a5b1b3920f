#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_network_template
short_description: Manage CIMI network templates
version_added: 0.1.0
description:
  - Manages a NetworkTemplate on a DMTF CIMI 2.0 provider; networks can then be created from it with the
    O(cloudmgmt.dmtf.cimi_network#module:template) option.
  - Found by O(id), or else by O(name). O(initial_state) and O(host_address) are compared and updated in
    place, as are O(name) (when found by O(id)), O(description) and O(properties). Networks created from
    it earlier keep their settings.
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
  initial_state:
    description: State the networks are created in.
    type: str
    choices: [STARTED, STOPPED]
  host_address:
    description:
      - The host's own IPv4 address on the networks, with the prefix length (for example C(169.254.10.1/24)),
        which is the C(hostAddress) extension of the reference provider.
    type: str
'''

EXAMPLES = r'''
- name: Isolated management networks, started
  cloudmgmt.dmtf.cimi_network_template:
    name: mgmt
    initial_state: STARTED
    host_address: 169.254.10.1/24

- name: A network from it
  cloudmgmt.dmtf.cimi_network:
    name: mgmt-1
    template: mgmt
'''

RETURN = r'''
network_template:
  description: The template as the provider shows it (empty after deletion; predicted in check mode).
  returned: always
  type: dict
  contains:
    id:
      description: CIMI id (URI).
      type: str
      returned: success
    name:
      description: Name.
      type: str
      returned: success
    initialState:
      description: State the networks are created in.
      type: str
      returned: when set
    hostAddress:
      description: The host's address on the networks with its prefix length.
      type: str
      returned: when set
  sample: {"id": "https://cimi.example.com/cimi/networkTemplates/nt1", "name": "mgmt", "initialState": "STARTED",
           "hostAddress": "169.254.10.1/24"}
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

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.definition import DefinitionModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    COMMON_KWARGS, KINDS, common_spec, desired_common)


class Module(DefinitionModule):
    kind = KINDS['network_template']
    argument_spec = dict(common_spec(waits=False), initial_state={'type': 'str', 'choices': ['STARTED', 'STOPPED']},
                         host_address={'type': 'str'})
    module_kwargs = COMMON_KWARGS

    def settings(self):
        return {'initialState': self.params['initial_state'], 'hostAddress': self.params['host_address']}

    def fill(self, body):
        body.update((k, v) for k, v in self.settings().items() if v is not None)
        return body

    def update_fields(self):
        return dict(desired_common(self.params), **self.settings())


def main():
    Module()()


if __name__ == '__main__':
    main()
