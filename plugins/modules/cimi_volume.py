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
    O(template) are used at creation.
  - Of an existing volume, the capacity (O(capacity_gb), or that of O(config)) is compared; a difference is
    handled as O(on_drift) says (by default a warning). The others are not compared.
  - Attaching inserts the volume into the machine's C(volumes) collection (the C(insert) operation);
    detaching uses its C(remove) operation.
  - To manage the attachment as a resource of its own (attach, move, detach; an error when the volume
    is attached to another machine), use M(cloudmgmt.dmtf.cimi_volume_attachment). O(attached_to) and
    O(detached) share its implementation.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
seealso:
  - module: cloudmgmt.dmtf.cimi_volume_attachment
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
  - cloudmgmt.dmtf.cimi.wait
  - cloudmgmt.dmtf.cimi.drift
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
      - M(cloudmgmt.dmtf.cimi_volume_attachment) does the same as a task of its own.
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
  contains:
    id:
      description: CIMI id (URI) of the volume.
      type: str
      returned: success
    name:
      description: Name of the volume.
      type: str
      returned: success
    state:
      description: State, for example C(AVAILABLE).
      type: str
      returned: success
    capacity:
      description:
        - Capacity in CIMI kilobytes (10^3 bytes). The O(capacity_gb) option is in decimal gigabytes, so a
          volume of O(capacity_gb=10) shows C(10000000) here.
      type: int
      returned: success
    volumeConfig:
      description: Reference (C(href)) to the VolumeConfiguration it was created from (a provider extension).
      type: dict
      returned: when the provider tells it
    properties:
      description: Consumer properties, including the C(cloudmgmt.dmtf/request-id) tag of its creation.
      type: dict
      returned: success
  sample: {"id": "https://cimi.example.com/cimi/volumes/v1", "name": "web-data", "state": "AVAILABLE",
           "capacity": 10000000}
attachments:
  description: Machines the volume is attached to, with the device path.
  returned: when O(attached_to) or O(detached) is set, or the volume is deleted
  type: list
  elements: dict
  sample: [{"machine": "https://cimi.example.com/cimi/machines/m1", "initial_location": "/dev/vdb"}]
drift:
  description:
    - The creation-only options the task sets whose value differs from the existing resource (see O(on_drift)).
    - Empty when nothing differs, when the resource was created or deleted.
  returned: always
  type: list
  elements: dict
  contains:
    option:
      description: The module option, for example C(config) or C(capacity_gb).
      type: str
      returned: always
    current:
      description: Its current value, as the option is written (a name, GB, MiB).
      type: raw
      returned: always
    desired:
      description: The value the task sets.
      type: raw
      returned: always
    attributes:
      description: The CIMI attributes an in-place update (O(on_drift=update)) changes.
      type: list
      elements: str
      returned: always
  sample: [{"option": "capacity_gb", "current": 5, "desired": 50, "attributes": ["capacity"]}]
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
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.attachment import Attachments
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.drift import ON_DRIFT_SPEC, Drift
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Outcome
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    KINDS, common_spec, gb_to_kb, kb_to_gb)


class VolumeModule(ResourceModule):
    kind = KINDS['volume']
    create_type = 'VolumeCreate'
    drift_checked = True
    expand = 'volumeConfig'  # compared by name without a look-up
    argument_spec = dict(
        dict(common_spec(), **ON_DRIFT_SPEC),
        template={'type': 'str'}, config={'type': 'str'}, capacity_gb={'type': 'float'},
        format={'type': 'str'}, type={'type': 'str'}, image={'type': 'str'},
        attached_to={'type': 'str'}, initial_location={'type': 'str'},
        detached={'type': 'bool', 'default': False})
    module_kwargs = dict(ResourceModule.module_kwargs,
                         mutually_exclusive=[('config', 'capacity_gb'), ('attached_to', 'detached')])
    machine = None

    def prepare(self):
        if self.params['attached_to'] and self.params['state'] == 'present':  # a bad name leaves nothing behind
            self.machine = self.lookup('machines', self.params['attached_to'], 'machine')

    def before_delete(self, current):
        change = Attachments(self.client, self.engine).ensure_detached(current)
        return Outcome(current, change.actions)

    @staticmethod
    def with_change(outcome, change):
        """outcome followed by an attachment change, the attachments in its --diff views."""
        if not change.changed:
            return outcome
        return outcome.then(Outcome(outcome.resource, change.actions)).with_diff_field(
            'attachment', change.before, change.after)

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

    def creation_drift(self, current):
        """The capacity (inline, or of the configuration named) the task sets, where the volume differs."""
        p = self.params
        have = current.get('capacity')
        ref = self.collapse_refs(current, ('volumeConfig',)).get('volumeConfig')
        if p['config']:
            if self.same_ref(ref, p['config']) and (ref.get('capacity') is None or ref['capacity'] == have):
                return []
            config = self.lookup('volumeConfigs', p['config'], 'volume configuration', required=False)
            want = (config or {}).get('capacity')
            if config is None or config.get('predicted') or want is None or have is None or have == want:
                return []
            was = (ref.get('name') or self.name_of(ref['href'])) if ref else 'another configuration'
            return [Drift('config', '%s (%s GB)' % (was, kb_to_gb(have)),
                          '%s (%s GB)' % (config.get('name') or config['id'], kb_to_gb(want)), {'capacity': want})]
        if p['capacity_gb'] is not None and have is not None and have != gb_to_kb(p['capacity_gb']):
            return [Drift('capacity_gb', kb_to_gb(have), p['capacity_gb'], {'capacity': gb_to_kb(p['capacity_gb'])})]
        return []

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

    def reconcile_attachment(self, outcome, machine):
        """(outcome, attachments) once the volume of outcome is attached to machine (other
        machines left alone), or to none when machine is None."""
        attachments = Attachments(self.client, self.engine)
        if machine is not None:
            change = attachments.ensure_attached(outcome.resource, machine, self.params['initial_location'])
        else:
            change = attachments.ensure_detached(outcome.resource)
        return self.with_change(outcome, change), change.after


def main():
    VolumeModule()()


if __name__ == '__main__':
    main()
