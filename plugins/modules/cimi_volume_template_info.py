#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_volume_template_info
short_description: List or look up CIMI volume templates
version_added: 0.1.0
description:
  - Reads volume templates from a DMTF CIMI provider, all of them or those matching O(name), O(id) or O(filters).
  - An O(id) of another kind of resource is an error naming both kinds.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.info
'''

EXAMPLES = r'''
- name: All volume templates
  cloudmgmt.dmtf.cimi_volume_template_info:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
  register: found

- name: Some of them
  cloudmgmt.dmtf.cimi_volume_template_info:
    filters:
      "property[tier]": db
  register: some
'''

RETURN = r'''
volume_templates:
  description: The matching volume templates as the provider shows them (empty when none matches).
  returned: always
  type: list
  elements: dict
  sample:
    - id: https://cimi.example.com/cimi/volumeTemplates/vt1
      name: db-data
      volumeConfig:
        href: https://cimi.example.com/cimi/volumeConfigs/small-volume
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS


class Module(InfoModule):
    kind = KINDS['volume_template']
    result_key = 'volume_templates'


def main():
    Module()()


if __name__ == '__main__':
    main()
