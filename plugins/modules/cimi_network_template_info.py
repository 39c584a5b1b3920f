#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_network_template_info
short_description: List or look up CIMI network templates
version_added: 0.1.0
description:
  - Reads network templates from a DMTF CIMI provider, all of them or those matching O(name), O(id) or O(filters).
  - An O(id) of another kind of resource is an error naming both kinds.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.info
'''

EXAMPLES = r'''
- name: All network templates
  cloudmgmt.dmtf.cimi_network_template_info:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
  register: found

- name: Some of them
  cloudmgmt.dmtf.cimi_network_template_info:
    filters:
      "property[tier]": web
  register: some
'''

RETURN = r'''
network_templates:
  description: The matching network templates as the provider shows them (empty when none matches).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "https://cimi.example.com/cimi/networkTemplates/nt1", "name": "isolated", "initialState": "STARTED"}]
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS


class Module(InfoModule):
    kind = KINDS['network_template']
    result_key = 'network_templates'


def main():
    Module()()


if __name__ == '__main__':
    main()
