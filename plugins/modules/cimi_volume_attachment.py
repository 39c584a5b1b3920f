#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_volume_attachment
short_description: Attach a CIMI volume to a machine, or detach it
version_added: 0.1.0
description:
  - Manages the attachment of a Volume to a Machine on a DMTF CIMI provider as a resource of its own,
    an entry of the machine's C(volumes) collection (a CIMI 2.0 located volume, a 1.x MachineVolume).
  - Attaching uses the C(insert) operation of that collection, detaching its C(remove) operation.
  - The volume and the machine must exist (create them with M(cloudmgmt.dmtf.cimi_volume) and
    M(cloudmgmt.dmtf.cimi_machine)). In check mode a missing one is only warned about, as an earlier
    task of the same run may create it.
  - A volume attached to another machine is not moved silently; the task fails and says where it is
    attached. Detach it there first (O(state=absent)).
  - M(cloudmgmt.dmtf.cimi_volume) makes the same attachment with its
    O(cloudmgmt.dmtf.cimi_volume#module:attached_to) option; both share one implementation.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
seealso:
  - module: cloudmgmt.dmtf.cimi_volume
  - module: cloudmgmt.dmtf.cimi_machine
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.wait
options:
  volume:
    description: The volume, by name or href.
    type: str
    required: true
  machine:
    description:
      - The machine, by name or href. Required with O(state=present).
      - With O(state=absent), the volume is detached from this machine only; without it, from every
        machine that holds it.
    type: str
  initial_location:
    description:
      - Device path of the volume in the machine, for example C(/dev/vdb).
      - When the volume is attached to O(machine) at another path, it is detached and attached again.
      - When not set, any path the provider chose is accepted.
    type: str
  state:
    description:
      - V(present) makes sure the volume is attached to O(machine).
      - V(absent) makes sure it is not. A volume or machine that does not exist is then not an error
        (there is nothing to detach).
    type: str
    default: present
    choices: [present, absent]
notes:
  - Supports check mode and diff mode. The diff shows the volume's attachments before and after.
'''

EXAMPLES = r'''
- name: Attach the data volume to web-1
  cloudmgmt.dmtf.cimi_volume_attachment:
    volume: web-data
    machine: web-1
    initial_location: /dev/vdb

- name: Attach a volume by href, without waiting for the job
  cloudmgmt.dmtf.cimi_volume_attachment:
    volume: https://cimi.example.com/cimi/volumes/v1
    machine: https://cimi.example.com/cimi/machines/m1
    wait: false

- name: Detach the data volume from web-1
  cloudmgmt.dmtf.cimi_volume_attachment:
    volume: web-data
    machine: web-1
    state: absent

- name: Detach the data volume from whatever machine holds it
  cloudmgmt.dmtf.cimi_volume_attachment:
    volume: web-data
    state: absent
'''

RETURN = r'''
attachment:
  description:
    - The attachment after the task, as the provider shows it (predicted in check mode or when not waiting).
    - Empty when the volume is attached to no machine (O(state=absent)).
  returned: always
  type: dict
  contains:
    volume:
      description: CIMI id of the volume.
      returned: when O(state=present)
      type: str
      sample: https://cimi.example.com/cimi/volumes/v1
    volume_name:
      description: Name of the volume.
      returned: when O(state=present)
      type: str
      sample: web-data
    machine:
      description: CIMI id of the machine.
      returned: when O(state=present)
      type: str
      sample: https://cimi.example.com/cimi/machines/m1
    machine_name:
      description: Name of the machine.
      returned: when O(state=present)
      type: str
      sample: web-1
    initial_location:
      description: Device path of the volume in the machine, if the provider shows one.
      returned: when O(state=present)
      type: str
      sample: /dev/vdb
    id:
      description: CIMI id of the entry in the machine's C(volumes) collection, if the provider gives one.
      returned: when O(state=present)
      type: str
      sample: https://cimi.example.com/cimi/machines/m1/volumes/v1
actions:
  description: What was done (or would be done in check mode), in order; V(detach) and V(attach).
  returned: always
  type: list
  elements: str
  sample: [attach]
cadf:
  description: Hint for the CADF audit callback; the target is the volume.
  returned: always
  type: dict
  contains:
    typeURI:
      description: CADF type of the target.
      returned: always
      type: str
      sample: storage/volume
    id:
      description: CIMI id of the volume (null when it does not exist).
      returned: always
      type: str
      sample: https://cimi.example.com/cimi/volumes/v1
    name:
      description: Name of the volume.
      returned: always
      type: str
      sample: web-data
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.attachment import Attachments, Change
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.module import CimiModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Reconciler
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import KINDS, wait_spec


class VolumeAttachmentModule(CimiModule):
    argument_spec = dict(
        volume={'type': 'str', 'required': True},
        machine={'type': 'str'},
        initial_location={'type': 'str'},
        state={'type': 'str', 'default': 'present', 'choices': ['present', 'absent']},
        **wait_spec())
    module_kwargs = {'required_if': [('state', 'present', ('machine',))]}

    def run(self):
        p = self.params
        present = p['state'] == 'present'
        engine = Reconciler(self.client, KINDS['volume'], check_mode=self.check_mode,
                            wait=p['wait'], wait_timeout=p['wait_timeout'])
        attachments = Attachments(self.client, engine)
        volume = self.lookup('volumes', p['volume'], 'volume', required=present)
        machine = None
        if p['machine'] is not None:
            machine = self.lookup('machines', p['machine'], 'machine', required=present)
        if present:
            change = attachments.ensure_attached(volume, machine, p['initial_location'], others='fail')
            attachment = self.view(attachments, volume, machine, change)
        else:
            nothing = volume is None or (p['machine'] is not None and machine is None)
            change = Change() if nothing else attachments.ensure_detached(volume, machine)
            attachment = {}
        volume = volume or {}
        result = {'changed': change.changed, 'actions': list(change.actions), 'attachment': attachment,
                  'cadf': {'typeURI': KINDS['volume'].cadf_type, 'id': volume.get('id'), 'name': volume.get('name')}}
        if self.diff_mode:
            result['diff'] = {'before': {'volume': volume.get('id'), 'attachments': change.before},
                              'after': {'volume': volume.get('id'), 'attachments': change.after}}
        return result

    def view(self, attachments, volume, machine, change):
        """The attachment of the result: read again once made, else as predicted."""
        entry = {'machine': machine['id'], 'initial_location': self.params['initial_location'], 'id': None}
        if not (change.changed and (self.check_mode or not self.params['wait'])):
            found = attachments.on_machine(volume['id'], machine) if change.changed else change.kept
            entry = found[0] if found else entry
        return {'volume': volume['id'], 'volume_name': volume.get('name'), 'machine': entry['machine'],
                'machine_name': machine.get('name'), 'initial_location': entry['initial_location'],
                'id': entry['id']}


def main():
    VolumeAttachmentModule()()


if __name__ == '__main__':
    main()
