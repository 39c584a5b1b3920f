#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_volume_info
short_description: List or look up CIMI volumes
version_added: 0.1.0
description:
  - Reads volumes from a DMTF CIMI provider, all of them or those matching O(name), O(id) or O(filters).
  - Filters are sent as a CIMI C($filter) expression (values always quoted safely) and paging follows
    the collection's C(count).
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.info
'''

EXAMPLES = r'''
- name: All volumes
  cloudmgmt.dmtf.cimi_volume_info:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
  register: all_volumes

- name: Some of them
  cloudmgmt.dmtf.cimi_volume_info:
    filters:
      state: AVAILABLE
  register: some
'''

RETURN = r'''
volumes:
  description: The matching volumes as the provider shows them.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS


class Module(InfoModule):
    kind = KINDS['volume']


def main():
    Module()()


if __name__ == '__main__':
    main()
