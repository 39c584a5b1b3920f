#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_volume
short_description: Create, attach, detach and delete CIMI volumes
version_added: 0.1.0
description:
  - Manages a Volume on a DMTF CIMI 2.0 provider, and its attachment to a machine.
  - Found by O(id), or else by O(name). Only O(name) (when found by O(id)), O(description) and
    O(properties) are updated in place; O(config), O(capacity_gb), O(format), O(type), O(image) and
    O(template) are used at creation only.
  - Attaching inserts the volume into the machine's C(volumes) collection (the C(insert) operation);
    detaching uses its C(remove) operation.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
  - cloudmgmt.dmtf.cimi.wait
options:
  name:
    description: Name of the volume. Required to create one.
    type: str
  id:
    description: CIMI id of an existing volume. With O(name), the volume is renamed.
    type: str
  state:
    description: V(present) makes sure the volume exists; V(absent) deletes it (detaching it first).
    type: str
    default: present
    choices: [present, absent]
  template:
    description: VolumeTemplate (name or href) to create from.
    type: str
  config:
    description: VolumeConfiguration (name or href). Mutually exclusive with O(capacity_gb).
    type: str
  capacity_gb:
    description:
      - Capacity of an inline configuration in decimal gigabytes (10^9 bytes); sent in CIMI kilobytes (10^3 bytes).
    type: float
  format:
    description: Format of an inline configuration, for example C(qcow2) or C(ext4).
    type: str
  type:
    description: Type URI of an inline configuration, for example C(http://schemas.dmtf.org/cimi/2/mapped).
    type: str
  image:
    description: VolumeImage (name or href) to fill the volume from.
    type: str
  attached_to:
    description:
      - Machine (name or href) the volume must be attached to. Other attachments are left alone.
      - If it is attached to that machine at another O(initial_location), it is detached and attached again.
    type: str
  initial_location:
    description: Device path in the machine, for example C(/dev/vdb). Used with O(attached_to).
    type: str
  detached:
    description: Make sure the volume is attached to no machine. Mutually exclusive with O(attached_to).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Data volume
  cloudmgmt.dmtf.cimi_volume:
    name: web-data
    config: small-volume
    state: present

- name: Attach the data volume to web-1
  cloudmgmt.dmtf.cimi_volume:
    name: web-data
    attached_to: web-1
    initial_location: /dev/vdb
    state: present

- name: A 10 GB scratch volume, detached
  cloudmgmt.dmtf.cimi_volume:
    name: scratch
    capacity_gb: 10
    format: qcow2
    detached: true

- name: Delete it
  cloudmgmt.dmtf.cimi_volume:
    name: scratch
    state: absent
'''

RETURN = r'''
volume:
  description: The volume as the provider shows it (empty after deletion; predicted in check mode).
  returned: always
  type: dict
  sample: {"id": "https://cimi.example.com/cimi/volumes/v1", "name": "web-data", "state": "AVAILABLE",
           "capacity": 10000000}
attachments:
  description: Machines the volume is attached to, with the device path.
  returned: when O(attached_to) or O(detached) is set, or the volume is deleted
  type: list
  elements: dict
  sample: [{"machine": "https://cimi.example.com/cimi/machines/m1", "initial_location": "/dev/vdb"}]
id:
  description: CIMI id of the volume.
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
  sample: {"typeURI": "storage/volume", "id": "https://cimi.example.com/cimi/volumes/v1", "name": "web-data"}
'''

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import looks_like_href
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Outcome
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    KINDS, collection_of, common_spec, gb_to_kb)


class VolumeModule(ResourceModule):
    kind = KINDS['volume']
    create_type = 'VolumeCreate'
    argument_spec = dict(
        common_spec(),
        template={'type': 'str'}, config={'type': 'str'}, capacity_gb={'type': 'float'},
        format={'type': 'str'}, type={'type': 'str'}, image={'type': 'str'},
        attached_to={'type': 'str'}, initial_location={'type': 'str'},
        detached={'type': 'bool', 'default': False})
    module_kwargs = dict(ResourceModule.module_kwargs,
                         mutually_exclusive=[('config', 'capacity_gb'), ('attached_to', 'detached')])
    machine = None

    def prepare(self):
        if self.params['attached_to'] and self.params['state'] == 'present':
            self.machine = self.find_machine(self.params['attached_to'])  # a bad name leaves nothing behind

    def before_delete(self, current):
        outcome = Outcome(current)
        for entry in self.attachments(current['id']):
            outcome = outcome.then(self.detach(current, entry))
        return outcome

    def absent_extra(self):
        return {'attachments': []}

    def present_extra(self, outcome):
        if self.machine is not None or self.params['detached']:
            outcome, attachments = self.reconcile_attachment(outcome, self.machine)
            return outcome, {'attachments': attachments}
        return outcome, {}

    def predicted(self, body):
        predicted = super().predicted(body)
        if self.params['capacity_gb'] is not None:
            predicted['capacity'] = gb_to_kb(self.params['capacity_gb'])
        return predicted

    def fill(self, body):
        p = self.params
        template = {}
        if p['template']:
            template.update(self.ref('volumeTemplates', p['template'], 'volume template'))
        if p['config']:
            template['volumeConfig'] = self.ref('volumeConfigs', p['config'], 'volume configuration')
        elif p['capacity_gb'] is not None:
            config = {'resourceURI': compat.type_uri('VolumeConfiguration'), 'capacity': gb_to_kb(p['capacity_gb'])}
            for option, attribute in (('format', 'format'), ('type', 'type')):
                if p[option]:
                    config[attribute] = p[option]
            template['volumeConfig'] = config
        if p['image']:
            template['volumeImage'] = self.ref('volumeImages', p['image'], 'volume image')
        if not template:
            raise CimiMissingCreateInfo('volume %r does not exist; to create it give template, config, '
                                        'capacity_gb or image' % p['name'])
        body['volumeTemplate'] = template
        return body

    def find_machine(self, value):
        ref = self.ref('machines', value, 'machine')
        if self.check_mode and not looks_like_href(ref['href']):
            return {'id': value, 'predicted': True}
        return self.client.get(ref['href'])

    def attachments(self, volume_id, machines=None):
        """[{machine, initial_location, entry}] of every machine holding this volume."""
        if machines is None:
            machines = self.client.list('machines', expand='volumes')
        found = []
        for machine in machines:
            for entry in collection_of(self.client, machine, 'volumes'):
                href = compat.ref_href(entry.get('volume'))
                if href and self.client.resolve(href) == volume_id:
                    found.append({'machine': machine['id'], 'initial_location': entry.get('initialLocation'),
                                  'collection': self.client.resolve(machine['volumes']['href'])})
        return found

    def reconcile_attachment(self, outcome, machine):
        """(outcome, attachments) once the volume of outcome is attached to machine only, or to
        none when machine is None."""
        p = self.params
        volume = outcome.resource
        wanted = [{'machine': machine['id'], 'initial_location': p['initial_location']}] if machine is not None else []
        if not volume.get('id') or (machine or {}).get('predicted'):  # check mode: not created yet
            if machine is None:
                return outcome, []
            outcome = outcome.then(Outcome(volume, ['attach']))
            return outcome.with_diff_field('attachment', [], wanted), wanted
        if machine is not None:
            entries = self.attachments(volume['id'], [self.client.get(machine['id'], {'$expand': 'volumes'})])
            keep = [e for e in entries if not p['initial_location'] or e['initial_location'] == p['initial_location']]
            if keep:
                return outcome, self.public(keep)
            for entry in entries:
                outcome = outcome.then(self.detach(volume, entry))
            outcome = outcome.then(self.attach(volume, machine))
            return outcome.with_diff_field('attachment', self.public(entries), wanted), wanted
        entries = self.attachments(volume['id'])
        for entry in entries:
            outcome = outcome.then(self.detach(volume, entry))
        if entries:
            outcome = outcome.with_diff_field('attachment', self.public(entries), [])
        return outcome, []

    @staticmethod
    def public(entries):
        return [{'machine': e['machine'], 'initial_location': e['initial_location']} for e in entries]

    def attach(self, volume, machine):
        if not self.check_mode:
            job_url = self.client.collection_action(self.client.resolve(machine['volumes']['href']), 'insert',
                                                    volume={'href': volume['id']},
                                                    initialLocation=self.params['initial_location'])
            self.engine.wait_job(job_url, 'attaching volume %r' % volume.get('name'))
        return Outcome(volume, ['attach'])

    def detach(self, volume, entry):
        if not self.check_mode:
            job_url = self.client.collection_action(entry['collection'], 'remove', volume={'href': volume['id']})
            self.engine.wait_job(job_url, 'detaching volume %r' % volume.get('name'))
        return Outcome(volume, ['detach'])


def main():
    VolumeModule()()


if __name__ == '__main__':
    main()
