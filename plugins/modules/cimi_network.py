#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

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
options:
  name:
    description: Name of the network. Required to create one.
    type: str
  id:
    description: CIMI id of an existing network. With O(name), the network is renamed.
    type: str
  description:
    description: Description of the network.
    type: str
  properties:
    description: Consumer properties (string map); when set, made exactly this map.
    type: dict
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
  wait:
    description: Wait for jobs and for the network to settle.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each job or state change.
    type: int
    default: 600
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

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.module import CimiModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Reconciler
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    COMMON_KWARGS, KINDS, base_body, common_spec, desired_common, require_name_for_create)

KIND = KINDS['network']
TARGET = {'started': ('start', 'STARTED'), 'stopped': ('stop', 'STOPPED')}


class NetworkModule(CimiModule):
    argument_spec = dict(common_spec(states=['present', 'absent', 'started', 'stopped']),
                         template={'type': 'str'})
    module_kwargs = COMMON_KWARGS

    def run(self):
        p = self.params
        engine = Reconciler(self.client, KIND, check_mode=self.check_mode, wait=p['wait'],
                            wait_timeout=p['wait_timeout'])
        current = engine.find(resource_id=p['id'], name=p['name'])
        if p['state'] == 'absent':
            if current is not None:
                current = engine.wait_stable(current, fail_ok=True)
            engine.delete(current)
            return engine.result(current if engine.changed else None, diff_mode=self.diff_mode,
                                 actions=engine.actions, network={})
        if current is None:
            require_name_for_create(p, 'network')
            body = base_body('NetworkCreate', p)
            if p['template']:
                template = self.ref('networkTemplates', p['template'], 'network template')
            else:
                template = {}
            if p['state'] in TARGET:
                template['initialState'] = TARGET[p['state']][1]
            body['networkTemplate'] = template
            predicted = dict((k, v) for k, v in body.items() if k in ('name', 'description', 'properties'))
            if 'initialState' in template:
                predicted['state'] = template['initialState']
            network = engine.create(body, predicted)
        else:
            network = engine.update(engine.wait_stable(current), desired_common(p))
        if p['state'] in TARGET and (network.get('state') or '').upper() != TARGET[p['state']][1] \
                and not (self.check_mode and 'create' in engine.actions):
            action, target = TARGET[p['state']]
            network = engine.act(network, action, [target])
        return engine.result(network, diff_mode=self.diff_mode, actions=engine.actions)


def main():
    NetworkModule()()


if __name__ == '__main__':
    main()
