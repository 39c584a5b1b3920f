#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_job_info
short_description: Read CIMI jobs
version_added: 0.1.0
description:
  - Reads Jobs from a DMTF CIMI provider, one by O(id) or those matching O(filters).
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.info
'''

EXAMPLES = r'''
- name: Failed jobs
  cloudmgmt.dmtf.cimi_job_info:
    filters:
      state: FAILED
  register: failed_jobs
'''

RETURN = r'''
jobs:
  description: The matching jobs (state, action, progress, returnCode, statusMessage, targetResource...).
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.info import InfoModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS


class Module(InfoModule):
    kind = KINDS['job']


def main():
    Module()()


if __name__ == '__main__':
    main()
