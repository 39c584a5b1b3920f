#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_machine_info
short_description: List or look up CIMI machines
version_added: 0.1.0
description:
  - Reads machines from a DMTF CIMI provider, all of them or those matching O(name), O(id) or O(filters).
  - Filters are sent as a CIMI C($filter) expression (values always quoted safely) and paging follows
    the collection's C(count).
  - The interfaces and their addresses are read with the machines (C($expand=interfaces,interfaces/endpoints)),
    so listing N machines takes about N / O(page_size) requests, not one or more per machine.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.info
'''

EXAMPLES = r'''
- name: All machines
  cloudmgmt.dmtf.cimi_machine_info:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
  register: all_machines

- name: Some of them
  cloudmgmt.dmtf.cimi_machine_info:
    filters:
      property[role]: web
  register: some
'''

RETURN = r'''
machines:
  description:
    - The matching machines as the provider shows them, with C(interfaces) and C(addresses) in the
      same shape as M(cloudmgmt.dmtf.cimi_machine) returns them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: CIMI id (URI) of the machine.
      type: str
      returned: always
    name:
      description: Name of the machine.
      type: str
      returned: when the machine has one
    state:
      description: State, for example C(STARTED) or C(STOPPED).
      type: str
      returned: always
    cpu:
      description: Number of CPUs.
      type: int
      returned: when the provider knows it
    memory:
      description:
        - Memory in KiB (2^10 bytes), the unit CIMI uses; the O(cloudmgmt.dmtf.cimi_machine#module:memory)
          option of M(cloudmgmt.dmtf.cimi_machine) is in MiB (divide by 1024).
      type: int
      returned: when the provider knows it
    properties:
      description: Consumer properties (string map).
      type: dict
      returned: always
    interfaces:
      description:
        - The machine's network interfaces (replacing the provider's C(interfaces) collection).
        - The same list is also returned as C(network_interfaces), its earlier name, which
          is kept for existing playbooks and will be removed in 1.0.0.
      type: list
      elements: dict
      returned: always
      contains:
        id:
          description: CIMI id of the interface.
          type: str
          returned: always
        network:
          description: Href of the network.
          type: str
          returned: when the provider links it
        mac_address:
          description: MAC address.
          type: str
          returned: when known
        mtu:
          description: MTU in bytes.
          type: int
          returned: when known
        state:
          description: State of the interface, for example C(ENABLED).
          type: str
          returned: always
        addresses:
          description: IP addresses of the interface.
          type: list
          elements: str
          returned: always
        ports:
          description:
            - Address -> TCP port, for the addresses through which the provider forwards a port to
              the guest (its SSH), as the reference provider does with C(--libvirt-forward-ports)
              (address C(127.0.0.1)). Empty otherwise.
          type: dict
          returned: always
          sample: {127.0.0.1: 42201}
    addresses:
      description: Every IP address of the machine, in interface order.
      type: list
      elements: str
      returned: always
  sample:
    - id: https://cimi.example.com/cimi/machines/3f2a
      name: web-1
      state: STARTED
      cpu: 1
      memory: 1048576
      properties: {role: web}
      interfaces:
        - id: https://cimi.example.com/cimi/machines/3f2a/interfaces/0
          network: https://cimi.example.com/cimi/networks/n1
          mac_address: "52:54:00:12:34:56"
          mtu: 1500
          state: ENABLED
          addresses: [192.0.2.10]
          ports: {}
      addresses: [192.0.2.10]
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS, machine_interfaces


class Module(InfoModule):
    kind = KINDS['machine']
    default_expand = ('interfaces', 'interfaces/endpoints')

    def decorate(self, resource):
        warnings = []
        interfaces = machine_interfaces(self.client, resource, warnings)
        for warning in warnings:
            self.module.warn(warning)
        resource = dict(resource)
        resource['interfaces'] = interfaces
        resource['network_interfaces'] = interfaces  # the earlier name, kept for playbooks using it (until 1.0.0)
        resource['addresses'] = [a for i in interfaces for a in i['addresses']]
        return resource


def main():
    Module()()


if __name__ == '__main__':
    main()
