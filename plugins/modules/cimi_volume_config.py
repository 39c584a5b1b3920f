#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_volume_config
short_description: Manage CIMI volume configurations
version_added: 0.1.0
description:
  - Manages a VolumeConfiguration (capacity, format, type) on a DMTF CIMI 2.0 provider, the size a
    volume is created with (O(cloudmgmt.dmtf.cimi_volume#module:config)).
  - Found by O(id), or else by O(name). O(capacity_gb), O(format) and O(type) are compared and updated in
    place, as are O(name) (when found by O(id)), O(description) and O(properties). Volumes created
    from it earlier keep their size.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
options:
  name:
    description: Name of the configuration. Required to create one.
    type: str
  id:
    description: CIMI id of an existing configuration. With O(name), it is renamed.
    type: str
  state:
    description: V(present) makes sure the configuration exists; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  capacity_gb:
    description:
      - Capacity in decimal gigabytes (10^9 bytes); sent in CIMI kilobytes (10^3 bytes). Required to create one.
    type: float
  format:
    description: Format of the volumes, for example C(qcow2) or C(raw).
    type: str
  type:
    description: Type URI of the volumes (provider-defined), for example C(http://schemas.dmtf.org/cimi/2/VolumeType/ssd).
    type: str
'''

EXAMPLES = r'''
- name: A 50 GB qcow2 configuration
  cloudmgmt.dmtf.cimi_volume_config:
    name: data-50g
    capacity_gb: 50
    format: qcow2

- name: A volume of that size
  cloudmgmt.dmtf.cimi_volume:
    name: db-data
    config: data-50g

- name: Remove the configuration
  cloudmgmt.dmtf.cimi_volume_config:
    name: data-50g
    state: absent
'''

RETURN = r'''
volume_config:
  description: The configuration as the provider shows it (empty after deletion; predicted in check mode).
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
    capacity:
      description: Capacity in CIMI kilobytes (10^3 bytes); O(capacity_gb) x 1,000,000.
      type: int
      returned: success
    format:
      description: Format, when set.
      type: str
      returned: when set
  sample: {"id": "https://cimi.example.com/cimi/volumeConfigs/vc1", "name": "data-50g", "capacity": 50000000,
           "format": "qcow2"}
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
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    COMMON_KWARGS, KINDS, common_spec, desired_common, gb_to_kb)


class Module(DefinitionModule):
    kind = KINDS['volume_config']
    argument_spec = dict(common_spec(waits=False), capacity_gb={'type': 'float'}, format={'type': 'str'},
                         type={'type': 'str'})
    module_kwargs = COMMON_KWARGS

    def sizes(self):
        p = self.params
        return {'capacity': gb_to_kb(p['capacity_gb']), 'format': p['format'], 'type': p['type']}

    def fill(self, body):
        if self.params['capacity_gb'] is None:
            raise CimiMissingCreateInfo('volume configuration %r does not exist; capacity_gb is needed to create it'
                                        % self.params['name'])
        body.update((k, v) for k, v in self.sizes().items() if v is not None)
        return body

    def update_fields(self):
        return dict(desired_common(self.params), **self.sizes())


def main():
    Module()()


if __name__ == '__main__':
    main()
