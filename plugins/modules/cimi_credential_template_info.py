#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_credential_template_info
short_description: List or look up CIMI credential templates
version_added: 0.1.0
description:
  - Reads credential templates from a DMTF CIMI provider, all of them or those matching O(name), O(id) or O(filters).
  - An O(id) of another kind of resource is an error naming both kinds.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.info
'''

EXAMPLES = r'''
- name: All credential templates
  cloudmgmt.dmtf.cimi_credential_template_info:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
  register: found

- name: Some of them
  cloudmgmt.dmtf.cimi_credential_template_info:
    filters:
      "property[team]": ops
  register: some
'''

RETURN = r'''
credential_templates:
  description: The matching credential templates as the provider shows them (empty when none matches).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "https://cimi.example.com/cimi/credentialTemplates/ct1", "name": "ops-template", "userName": "ops"}]
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS


class Module(InfoModule):
    kind = KINDS['credential_template']
    result_key = 'credential_templates'


def main():
    Module()()


if __name__ == '__main__':
    main()
