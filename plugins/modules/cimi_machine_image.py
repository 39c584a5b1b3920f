#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_machine_image
short_description: Register, capture and delete CIMI machine images
version_added: 0.1.0
description:
  - Manages a MachineImage on a DMTF CIMI 2.0 provider, registered from an O(image_location) URI
    or captured from a machine (O(capture_from)).
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
    description: Name of the machine image. Required to create one.
    type: str
  id:
    description: CIMI id of an existing machine image. With O(name), it is renamed.
    type: str
  state:
    description: V(present) makes sure the image exists; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  image_location:
    description: URI of the image to register, for example C(file:///srv/images/debian-12.qcow2).
    type: str
  capture_from:
    description: Machine (name or href) to capture the image from.
    type: str
'''

EXAMPLES = r'''
- name: Register an image
  cloudmgmt.dmtf.cimi_machine_image:
    name: debian-12-custom
    image_location: file:///srv/images/debian-12-custom.qcow2

- name: Capture a configured machine
  cloudmgmt.dmtf.cimi_machine_image:
    name: web-golden
    capture_from: web-1
'''

RETURN = r'''
machine_image:
  description: The machine image as the provider shows it (empty after deletion; predicted in check mode).
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

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.definition import DefinitionModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import COMMON_KWARGS, KINDS, common_spec


class Module(DefinitionModule):
    kind = KINDS['machine_image']
    argument_spec = dict(common_spec(), image_location={'type': 'str'}, capture_from={'type': 'str'})
    module_kwargs = dict(COMMON_KWARGS, mutually_exclusive=[('image_location', 'capture_from')])

    def fill(self, body):
        p = self.params
        if p['capture_from']:
            body['imageLocation'] = self.ref('machines', p['capture_from'], 'machine')['href']
        elif p['image_location']:
            body['imageLocation'] = p['image_location']
        else:
            raise CimiMissingCreateInfo('machine image %r does not exist; give image_location or capture_from '
                                        'to create it' % p['name'])
        return body


def main():
    Module()()


if __name__ == '__main__':
    main()
