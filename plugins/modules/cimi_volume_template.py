#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_volume_template
short_description: Manage CIMI volume templates
version_added: 0.1.0
description:
  - Manages a VolumeTemplate (a volume configuration and optionally a volume image) on a DMTF CIMI 2.0
    provider; volumes can then be created from it with the O(cloudmgmt.dmtf.cimi_volume#module:template) option.
  - Found by O(id), or else by O(name). O(config) and O(image) are compared and updated in place, as are
    O(name) (when found by O(id)), O(description) and O(properties). Volumes created from it earlier keep
    their size.
  - References take a name or an href.
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
  config:
    description: VolumeConfiguration (name or href). Required to create one.
    type: str
  image:
    description: VolumeImage (name or href) the volumes start from.
    type: str
'''

EXAMPLES = r'''
- name: Database data volumes of the small size
  cloudmgmt.dmtf.cimi_volume_template:
    name: db-data
    config: small-volume

- name: A volume from it
  cloudmgmt.dmtf.cimi_volume:
    name: db-1-data
    template: db-data
'''

RETURN = r'''
volume_template:
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
    volumeConfig:
      description: Reference (C(href)) to the volume configuration.
      type: dict
      returned: success
    volumeImage:
      description: Reference (C(href)) to the volume image.
      type: dict
      returned: when set
  sample: {"id": "https://cimi.example.com/cimi/volumeTemplates/vt1", "name": "db-data",
           "volumeConfig": {"href": "https://cimi.example.com/cimi/volumeConfigs/small-volume"}}
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
    COMMON_KWARGS, KINDS, common_spec, desired_common)


class Module(DefinitionModule):
    kind = KINDS['volume_template']
    argument_spec = dict(common_spec(waits=False), config={'type': 'str'}, image={'type': 'str'})
    module_kwargs = COMMON_KWARGS

    def refs(self):
        p = self.params
        refs = {}
        if p['config']:
            refs['volumeConfig'] = self.ref('volumeConfigs', p['config'], 'volume configuration')
        if p['image']:
            refs['volumeImage'] = self.ref('volumeImages', p['image'], 'volume image')
        return refs

    def fill(self, body):
        if not self.params['config']:
            raise CimiMissingCreateInfo('volume template %r does not exist; config is needed to create it'
                                        % self.params['name'])
        body.update(self.refs())
        return body

    def update_fields(self):
        return dict(desired_common(self.params), **self.refs())


def main():
    Module()()


if __name__ == '__main__':
    main()
