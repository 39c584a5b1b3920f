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
  - O(host_address) is used at creation; of an existing network it is compared, and a difference is
    handled as O(on_drift) says (by default a warning).
  - The CIMI NetworkTemplate has no portable address range, MTU or network type; the reference provider's
    extension C(hostAddress) is the one addressing option (its networks are always isolated). The MTU of
    an interface is set per machine (O(cloudmgmt.dmtf.cimi_machine#module:interfaces[].mtu)).
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
  - cloudmgmt.dmtf.cimi.wait
  - cloudmgmt.dmtf.cimi.drift
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
  host_address:
    description:
      - The host's own IPv4 address on the network with its prefix length, for example C(169.254.10.1/24)
        (the C(hostAddress) extension of the reference provider's NetworkTemplate); it also sets the
        network's address range. Without it, the host has no address on the network.
      - A provider without the extension ignores it or refuses the create (its error is shown).
    type: str
'''

EXAMPLES = r'''
- name: Private network
  cloudmgmt.dmtf.cimi_network:
    name: web-net
    state: started

- name: An isolated network the host reaches as 169.254.10.1
  cloudmgmt.dmtf.cimi_network:
    name: mgmt-net
    host_address: 169.254.10.1/24
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
  contains:
    id:
      description: CIMI id (URI) of the network.
      type: str
      returned: success
    name:
      description: Name of the network.
      type: str
      returned: success
    state:
      description: State, C(STARTED) or C(STOPPED) once settled.
      type: str
      returned: success
    hostAddress:
      description: The host's address on the network with its prefix length (reference provider extension).
      type: str
      returned: when set at creation
    properties:
      description: Consumer properties.
      type: dict
      returned: success
  sample: {"id": "https://cimi.example.com/cimi/networks/n1", "name": "web-net", "state": "STARTED"}
drift:
  description:
    - The creation-only options the task sets whose value differs from the existing resource (see O(on_drift)).
    - Empty when nothing differs, when the resource was created or deleted.
  returned: always
  type: list
  elements: dict
  contains:
    option:
      description: The module option, for example C(config) or C(capacity_gb).
      type: str
      returned: always
    current:
      description: Its current value, as the option is written (a name, GB, MiB).
      type: raw
      returned: always
    desired:
      description: The value the task sets.
      type: raw
      returned: always
    attributes:
      description: The CIMI attributes an in-place update (O(on_drift=update)) changes.
      type: list
      elements: str
      returned: always
  sample: [{"option": "host_address", "current": null, "desired": "169.254.10.1/24", "attributes": ["hostAddress"]}]
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
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.drift import ON_DRIFT_SPEC, Drift
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS, common_spec


class NetworkModule(ResourceModule):
    kind = KINDS['network']
    create_type = 'NetworkCreate'
    targets = START_STOP
    drift_checked = True
    argument_spec = dict(common_spec(states=['present', 'absent', 'started', 'stopped']),
                         template={'type': 'str'}, host_address={'type': 'str'}, **ON_DRIFT_SPEC)

    def creation_drift(self, current):
        want = self.params['host_address']
        if want is not None and current.get('hostAddress') != want:
            return [Drift('host_address', current.get('hostAddress'), want, {'hostAddress': want})]
        return []

    def predicted(self, body):
        predicted = super().predicted(body)
        if self.params['host_address']:
            predicted['hostAddress'] = self.params['host_address']
        return predicted

    def fill(self, body):
        p = self.params
        template = self.ref('networkTemplates', p['template'], 'network template') if p['template'] else {}
        if p['host_address']:
            template['hostAddress'] = p['host_address']
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
