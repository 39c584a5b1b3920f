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
    - The matching machines as the provider shows them.
    - Each also has C(addresses) (IP addresses) and C(network_interfaces) (interfaces with network, MAC address and addresses).
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS, machine_interfaces


class Module(InfoModule):
    kind = KINDS['machine']

    def decorate(self, resource):
        warnings = []
        interfaces = machine_interfaces(self.client, resource, warnings)
        for warning in warnings:
            self.module.warn(warning)
        resource = dict(resource)
        resource['network_interfaces'] = interfaces
        resource['addresses'] = [a for i in interfaces for a in i['addresses']]
        return resource


def main():
    Module()()


if __name__ == '__main__':
    main()
