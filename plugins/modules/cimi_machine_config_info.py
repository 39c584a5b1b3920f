#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_machine_config_info
short_description: List or look up CIMI machine configurations
version_added: 0.1.0
description:
  - Reads machine configurations from a DMTF CIMI provider, all of them or those matching O(name), O(id) or O(filters).
  - An O(id) of another kind of resource is an error naming both kinds.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.info
'''

EXAMPLES = r'''
- name: All machine configurations
  cloudmgmt.dmtf.cimi_machine_config_info:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
  register: found

- name: Some of them
  cloudmgmt.dmtf.cimi_machine_config_info:
    filters:
      cpu: 2
  register: some
'''

RETURN = r'''
machine_configs:
  description: The matching machine configurations as the provider shows them (empty when none matches).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "https://cimi.example.com/cimi/machineConfigs/m1-small", "name": "m1-small", "cpu": 1, "memory": 1048576}]
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS


class Module(InfoModule):
    kind = KINDS['machine_config']
    result_key = 'machine_configs'


def main():
    Module()()


if __name__ == '__main__':
    main()
