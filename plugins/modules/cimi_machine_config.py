#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_machine_config
short_description: Manage CIMI machine configurations
version_added: 0.1.0
description:
  - Manages a MachineConfiguration (CPU, memory, disks) on a DMTF CIMI 2.0 provider.
  - Found by O(id), or else by O(name). Only O(name) (when found by O(id)), O(description) and
    O(properties) are updated in place; the hardware options are used at creation only.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
options:
  name:
    description: Name of the machine configuration. Required to create one.
    type: str
  id:
    description: CIMI id of an existing machine configuration. With O(name), it is renamed.
    type: str
  state:
    description: V(present) makes sure the machine configuration exists; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  cpu:
    description: Number of CPUs. Required to create.
    type: int
  memory:
    description: Memory in MiB (2^20 bytes); sent as KiB (x 1024), the CIMI unit. Required to create.
    type: int
  cpu_arch:
    description: CPU architecture, for example C(x86_64).
    type: str
  cpu_speed:
    description: CPU speed in MHz.
    type: int
  disks:
    description: Disks.
    type: list
    elements: dict
    suboptions:
      capacity_gb:
        description: Capacity in decimal gigabytes; sent in CIMI kilobytes (10^3 bytes).
        type: float
        required: true
      format:
        description: Disk or file system format.
        type: str
      initial_location:
        description: Device path, for example C(/dev/vda).
        type: str
'''

EXAMPLES = r'''
- name: A small configuration
  cloudmgmt.dmtf.cimi_machine_config:
    name: m1-custom
    cpu: 2
    memory: 4096
    disks:
      - capacity_gb: 20
        format: qcow2
'''

RETURN = r'''
machine_config:
  description: The configuration as the provider shows it (C(memory) in KiB, disk C(capacity) in kilobytes).
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

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.definition import DefinitionModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    COMMON_KWARGS, KINDS, common_spec, gb_to_kb, mib_to_kib)


class Module(DefinitionModule):
    kind = KINDS['machine_config']
    argument_spec = dict(
        common_spec(waits=False), cpu={'type': 'int'}, memory={'type': 'int'}, cpu_arch={'type': 'str'},
        cpu_speed={'type': 'int'},
        disks={'type': 'list', 'elements': 'dict', 'options': {
            'capacity_gb': {'type': 'float', 'required': True}, 'format': {'type': 'str'},
            'initial_location': {'type': 'str'}}})
    module_kwargs = COMMON_KWARGS

    def fill(self, body):
        p = self.params
        if p['cpu'] is None or p['memory'] is None:
            raise CimiMissingCreateInfo('machine configuration %r does not exist; cpu and memory are needed to '
                                        'create it' % p['name'])
        body.update(cpu=p['cpu'], memory=mib_to_kib(p['memory']))
        if p['cpu_arch']:
            body['cpuArch'] = p['cpu_arch']
        if p['cpu_speed'] is not None:
            body['cpuSpeed'] = p['cpu_speed']
        if p['disks']:
            body['disks'] = []
            for disk in p['disks']:
                entry = {'capacity': gb_to_kb(disk['capacity_gb'])}
                if disk.get('format'):
                    entry['format'] = disk['format']
                if disk.get('initial_location'):
                    entry['initialLocation'] = disk['initial_location']
                body['disks'].append(entry)
        return body


def main():
    Module()()


if __name__ == '__main__':
    main()
