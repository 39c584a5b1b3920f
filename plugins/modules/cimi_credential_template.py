#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_credential_template
short_description: Manage CIMI credential templates
version_added: 0.1.0
description:
  - Manages a CredentialTemplate (a user name with a password and/or public key) on a DMTF CIMI 2.0
    provider, from which credentials can be created.
  - Found by O(id), or else by O(name). O(user_name) is compared and updated in place, as are O(name)
    (when found by O(id)), O(description) and O(properties). O(public_key) is sent at creation. The password
    is write-only in CIMI, so it is sent at creation and can never be compared (delete and re-create to rotate it).
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
options:
  name:
    description: Name of the template. Required to create one.
    type: str
  id:
    description: CIMI id of an existing template. With O(name), it is renamed.
    type: str
  state:
    description: V(present) makes sure the template exists; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  user_name:
    description: User name.
    type: str
  secret:
    description:
      - The template's password. Never logged nor returned.
      - Not O(password), which is the password of the CIMI API login (with O(username)).
    type: str
    aliases: [credential_password]
  public_key:
    description: SSH public key.
    type: str
'''

EXAMPLES = r'''
- name: The ops login, as a template
  cloudmgmt.dmtf.cimi_credential_template:
    name: ops-login
    user_name: ops
    public_key: "{{ lookup('ansible.builtin.file', '~/.ssh/id_ed25519.pub') }}"
'''

RETURN = r'''
credential_template:
  description: The template as the provider shows it (never the password; predicted in check mode).
  returned: always
  type: dict
  contains:
    id:
      description: CIMI id (URI).
      type: str
      returned: success
    name:
      description: Name.
      type: str
      returned: success
    userName:
      description: User name.
      type: str
      returned: when set
  sample: {"id": "https://cimi.example.com/cimi/credentialTemplates/ct1", "name": "ops-login", "userName": "ops"}
id:
  description: CIMI id.
  returned: always
  type: str
actions:
  description: What was done (or would be done in check mode), in order.
  returned: always
  type: list
  elements: str
cadf:
  description: Hint for the CADF audit callback.
  returned: always
  type: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.definition import DefinitionModule, refuse_api_password
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    COMMON_KWARGS, KINDS, common_spec, desired_common)


class Module(DefinitionModule):
    kind = KINDS['credential_template']
    argument_spec = dict(common_spec(waits=False), user_name={'type': 'str'},
                         secret={'type': 'str', 'no_log': True, 'aliases': ['credential_password']},
                         public_key={'type': 'str'})
    module_kwargs = COMMON_KWARGS

    def check_options(self):
        refuse_api_password(self.params)

    def fill(self, body):
        p = self.params
        if not (p['user_name'] or p['public_key'] or p['secret']):
            raise CimiMissingCreateInfo('credential template %r does not exist; give user_name, secret or public_key '
                                        'to create it' % p['name'])
        for attribute, option in (('userName', 'user_name'), ('key', 'public_key'), ('password', 'secret')):
            if p[option]:
                body[attribute] = p[option]
        return body

    def update_fields(self):
        return dict(desired_common(self.params), userName=self.params['user_name'])


def main():
    Module()()


if __name__ == '__main__':
    main()
