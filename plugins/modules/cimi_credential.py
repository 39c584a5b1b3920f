#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_credential
short_description: Manage CIMI credentials
version_added: 0.1.0
description:
  - Manages a Credential (user name with password and/or public key) on a DMTF CIMI 2.0 provider.
  - Found by O(id), or else by O(name). Only O(name) (when found by O(id)), O(description) and
    O(properties) are updated in place; secrets are write-only in CIMI, so they are sent only at
    creation and can never be compared (delete and re-create to rotate them).
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
options:
  name:
    description: Name of the credential. Required to create one.
    type: str
  id:
    description: CIMI id of an existing credential. With O(name), it is renamed.
    type: str
  state:
    description: V(present) makes sure the credential exists; V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  user_name:
    description: User name.
    type: str
  secret:
    description:
      - The credential's own password. Never logged nor returned.
      - Not to be confused with O(password), which is the password of the CIMI API login (with O(username)).
        A task that sets O(password) without O(username) and without O(secret) is refused, since it
        would create a credential without a password.
    type: str
    aliases: [credential_password]
  public_key:
    description: SSH public key.
    type: str
'''

EXAMPLES = r'''
- name: A login for new machines (the credential's password is secret, not password)
  cloudmgmt.dmtf.cimi_credential:
    name: ops-login
    user_name: ops
    secret: "{{ vault_ops_machine_password }}"

- name: Admin key for new machines
  cloudmgmt.dmtf.cimi_credential:
    name: ops-key
    user_name: ops
    public_key: "{{ lookup('ansible.builtin.file', '~/.ssh/id_ed25519.pub') }}"
'''

RETURN = r'''
credential:
  description: The credential as the provider shows it (never the password).
  returned: always
  type: dict
id:
  description: CIMI id.
  returned: always
  type: str
actions:
  description: What was done, in order.
  returned: always
  type: list
  elements: str
cadf:
  description: Hint for the CADF audit callback.
  returned: always
  type: dict
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.definition import DefinitionModule, refuse_api_password
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import COMMON_KWARGS, KINDS, common_spec


class Module(DefinitionModule):
    kind = KINDS['credential']
    create_type = 'CredentialCreate'
    argument_spec = dict(common_spec(waits=False), user_name={'type': 'str'},
                         secret={'type': 'str', 'no_log': True, 'aliases': ['credential_password']},
                         public_key={'type': 'str'})
    module_kwargs = COMMON_KWARGS

    def check_options(self):
        refuse_api_password(self.params)

    def fill(self, body):
        p = self.params
        template = {'resourceURI': compat.type_uri('CredentialTemplate')}
        if p['user_name']:
            template['userName'] = p['user_name']
        if p['secret']:
            template['password'] = p['secret']
        if p['public_key']:
            template['key'] = p['public_key']
        if len(template) == 1:
            raise CimiMissingCreateInfo('credential %r does not exist; give user_name, secret or public_key '
                                        'to create it' % p['name'])
        body['credentialTemplate'] = template
        return body

    def predicted(self, body):
        predicted = dict((k, v) for k, v in (body or {}).items() if k in ('name', 'description', 'properties'))
        if self.params['user_name']:
            predicted['userName'] = self.params['user_name']
        return predicted


def main():
    Module()()


if __name__ == '__main__':
    main()
