#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_cloud_info
short_description: Read a CIMI provider's Cloud Entry Point and capabilities
version_added: 0.1.0
description:
  - Reads the Cloud Entry Point of a DMTF CIMI provider, the collections it offers and, when it
    publishes ResourceMetadata, the capabilities of each resource type.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
options:
  capabilities:
    description: Also read ResourceMetadata and return the capabilities.
    type: bool
    default: true
notes:
  - Read-only; supports check mode.
'''

EXAMPLES = r'''
- name: What does this cloud offer?
  cloudmgmt.dmtf.cimi_cloud_info:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
  register: cloud

- name: Show the collections
  ansible.builtin.debug:
    var: cloud.cloud.collections
'''

RETURN = r'''
cloud:
  description: The Cloud Entry Point, summarised.
  returned: success
  type: dict
  contains:
    id:
      description: URI of the Cloud Entry Point.
      type: str
      sample: https://cimi.example.com/cimi/cloudEntryPoint
    name:
      description: Name of the cloud.
      type: str
    description:
      description: Description of the cloud.
      type: str
    base_uri:
      description: The baseURI every relative href resolves against.
      type: str
    collections:
      description: Absolute URL of each collection the provider offers, by Cloud Entry Point key.
      type: dict
      sample: {"machines": "https://cimi.example.com/cimi/machines"}
    capabilities:
      description: Capabilities by resource type name, each a map from capability name to value.
      type: dict
      sample: {"Machine": {"DefaultInitialState": "STOPPED"}, "CloudEntryPoint": {"FilterParameter": "true"}}
    cep:
      description: The Cloud Entry Point as the provider sent it.
      type: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.module import CimiModule


class CloudInfoModule(CimiModule):
    argument_spec = {'capabilities': {'type': 'bool', 'default': True}}

    def run(self):
        cep = self.client.cep
        collections = {}
        for key, value in cep.items():
            href = compat.ref_href(value) if isinstance(value, dict) else None
            if href and key not in ('operations',):
                collections[key] = self.client.resolve(href)
        cloud = {'id': cep.get('id'), 'name': cep.get('name'), 'description': cep.get('description'),
                 'base_uri': self.client.base_uri, 'collections': collections, 'cep': cep,
                 'capabilities': {}}
        if self.params['capabilities'] and self.client.has_collection('resourceMetadata'):
            for metadata in self.client.list('resourceMetadata'):
                type_name = compat.last_segment(metadata.get('typeURI')) or metadata.get('name')
                caps = cloud['capabilities'].setdefault(type_name, {})
                for capability in metadata.get('capabilities') or []:
                    name = capability.get('name') or compat.last_segment(capability.get('uri'))
                    caps[name] = capability.get('value')
        return {'changed': False, 'cloud': cloud}


def main():
    CloudInfoModule()()


if __name__ == '__main__':
    main()
