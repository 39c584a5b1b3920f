#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: cimi_machine
short_description: Create, change, start, stop and delete CIMI machines
version_added: 0.1.0
description:
  - Manages a Machine on a DMTF CIMI provider (DSP0263).
  - A machine is found by O(id), or else by O(name) (an error if several machines share the name).
  - Only the options you set are compared. O(name) (when found by O(id)), O(description) and
    O(properties) are updated in place; the creation options (O(template), O(config), O(image), O(cpu),
    O(memory), O(disks), O(credential), O(user_data), O(volumes), O(interfaces)) are used when the
    machine is created.
  - Of an existing machine, O(config) (or O(cpu) and O(memory)) and O(image) are compared; a difference is
    handled as O(on_drift) says (by default a warning). The others are not compared.
  - References (O(template), O(config), O(image), O(credential), networks and volumes) take a name or
    an href; a value containing C(/) is an href.
author:
  - cloudmgmt.dmtf contributors (@cloudmgmt)
extends_documentation_fragment:
  - cloudmgmt.dmtf.cimi
  - cloudmgmt.dmtf.cimi.resource
  - cloudmgmt.dmtf.cimi.wait
  - cloudmgmt.dmtf.cimi.drift
options:
  name:
    description:
      - Name of the machine. Required to create one.
    type: str
  id:
    description:
      - CIMI id (URI) of an existing machine. When given with O(name), the machine is renamed.
    type: str
  state:
    description:
      - V(present) makes sure the machine exists (its initial state is the provider's default).
      - V(started), V(stopped), V(paused), V(suspended) make sure it exists and is in that state,
        starting it first when the state cannot be reached directly.
      - V(restarted) restarts a started machine (always reports a change) or starts a stopped one.
      - V(absent) deletes it (a running machine is stopped first when the provider requires it).
    type: str
    default: present
    choices: [present, absent, started, stopped, restarted, paused, suspended]
  template:
    description: MachineTemplate to create from (name or href); other creation options override it.
    type: str
  config:
    description: MachineConfiguration (name or href). Mutually exclusive with O(cpu)/O(memory)/O(disks).
    type: str
  cpu:
    description: Number of CPUs of an inline configuration (with O(memory)).
    type: int
  memory:
    description:
      - Memory of an inline configuration, in MiB (2^20 bytes). Sent as KiB (O(memory) x 1024),
        the unit CIMI uses.
    type: int
  disks:
    description: Disks of an inline configuration.
    type: list
    elements: dict
    suboptions:
      capacity_gb:
        description: Capacity in decimal gigabytes (10^9 bytes); sent in CIMI kilobytes (10^3 bytes).
        type: float
        required: true
      format:
        description: File system or disk format, for example C(ext4) or C(qcow2).
        type: str
      initial_location:
        description: Where the disk appears in the machine, for example C(/dev/vda).
        type: str
  image:
    description: MachineImage (name or href).
    type: str
  credential:
    description: Credential (name or href) installed in the machine.
    type: str
  user_data:
    description:
      - User data (for example cloud-init) as plain text; the module base64-encodes it.
      - Kept out of logs (C(no_log)); results show the C(userData) attribute as
        C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER).
    type: str
  volumes:
    description: Existing volumes to attach at creation.
    type: list
    elements: dict
    suboptions:
      volume:
        description: Volume name or href.
        type: str
        required: true
      initial_location:
        description: Device path in the machine, for example C(/dev/vdb).
        type: str
  interfaces:
    description: Network interfaces to create the machine with.
    type: list
    elements: dict
    suboptions:
      network:
        description: Network name or href (the C(network) attribute of an interface template is a provider extension).
        type: str
        required: true
      mtu:
        description: MTU of the interface.
        type: int
  force:
    description: Force stop and restart (the C(force) flag of the CIMI stop and restart actions).
    type: bool
    default: false
notes:
  - Check mode is supported (only reads are sent); diff mode shows the name, description, properties and state.
seealso:
  - module: cloudmgmt.dmtf.cimi_machine_info
'''

EXAMPLES = r'''
- name: Three web machines, started
  cloudmgmt.dmtf.cimi_machine:
    endpoint: https://cimi.example.com/cimi/cloudEntryPoint
    username: ops
    password: "{{ vault_cimi_password }}"
    name: "web-{{ item }}"
    config: m1-small
    image: debian-12
    interfaces:
      - network: web-net
    properties:
      role: web
    state: started
    wait: true
    wait_timeout: 600
  loop: [1, 2, 3]
  register: web

- name: An inline configuration (2 CPUs, 2 GiB, one 20 GB disk)
  cloudmgmt.dmtf.cimi_machine:
    name: batch-1
    cpu: 2
    memory: 2048
    disks:
      - capacity_gb: 20
    image: debian-12
    user_data: |
      #cloud-config
      hostname: batch-1
    state: stopped

- name: Stop web-3 for maintenance, forcing after the timeout
  cloudmgmt.dmtf.cimi_machine:
    name: web-3
    state: stopped
    force: true

- name: Delete it
  cloudmgmt.dmtf.cimi_machine:
    name: web-3
    state: absent
'''

RETURN = r'''
machine:
  description: The machine as the provider shows it (empty after deletion; predicted in check mode).
  returned: always
  type: dict
  contains:
    id:
      description: CIMI id (URI) of the machine.
      type: str
      returned: success
    name:
      description: Name of the machine.
      type: str
      returned: success
    state:
      description: State, for example C(STARTED), C(STOPPED) or C(PAUSED).
      type: str
      returned: success
    cpu:
      description: Number of CPUs.
      type: int
      returned: when the provider knows it
    memory:
      description:
        - Memory in KiB (2^10 bytes), the unit CIMI uses. The O(memory) option is in MiB, so a machine
          created with O(memory=2048) shows C(2097152) here.
      type: int
      returned: when the provider knows it
    machineConfig:
      description: Reference (C(href)) to the MachineConfiguration it was created from (a provider extension).
      type: dict
      returned: when the provider tells it
    machineImage:
      description: Reference (C(href)) to the MachineImage it was created from (a provider extension).
      type: dict
      returned: when the provider tells it
    properties:
      description: Consumer properties, including the C(cloudmgmt.dmtf/request-id) tag of its creation.
      type: dict
      returned: success
    userData:
      description: Always C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER) when set (O(user_data) is never shown).
      type: str
      returned: when the machine has user data
  sample: {"id": "https://cimi.example.com/cimi/machines/3f2a", "name": "web-1", "state": "STARTED",
           "cpu": 1, "memory": 1048576, "properties": {"role": "web"}}
interfaces:
  description:
    - The machine's network interfaces with their IP addresses (the same shape as C(interfaces) of each
      machine of M(cloudmgmt.dmtf.cimi_machine_info)).
  returned: always (empty when unknown, e.g. in check mode before creation, or after deletion)
  type: list
  elements: dict
  contains:
    id:
      description: CIMI id of the interface.
      type: str
      returned: always
    network:
      description: Href of the network.
      type: str
      returned: when the provider links it
    mac_address:
      description: MAC address.
      type: str
      returned: when known
    mtu:
      description: MTU in bytes.
      type: int
      returned: when known
    state:
      description: State of the interface, for example C(ENABLED).
      type: str
      returned: always
    addresses:
      description: IP addresses of the interface.
      type: list
      elements: str
      returned: always
  sample: [{"network": "https://cimi.example.com/cimi/networks/n1", "mac_address": "52:54:00:12:34:56",
            "addresses": ["192.0.2.10"], "state": "ENABLED", "mtu": 1500}]
addresses:
  description: All IP addresses of the machine, in interface order.
  returned: always (empty when unknown)
  type: list
  elements: str
  sample: ["192.0.2.10"]
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
  sample: [{"option": "config", "current": "m1-small", "desired": "m1-medium", "attributes": ["cpu", "memory"]}]
id:
  description: CIMI id of the machine.
  returned: always
  type: str
actions:
  description: What was done (or would be done in check mode), in order, e.g. C(create), C(start).
  returned: always
  type: list
  elements: str
cadf:
  description: Hint for the CADF audit callback.
  returned: always
  type: dict
  sample: {"typeURI": "compute/machine", "id": "https://cimi.example.com/cimi/machines/3f2a", "name": "web-1"}
'''

import base64

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.drift import ON_DRIFT_SPEC, Drift
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiMissingCreateInfo
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Outcome
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resource_module import ResourceModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    KINDS, common_spec, gb_to_kb, machine_interfaces, mib_to_kib)

STATES = ['present', 'absent', 'started', 'stopped', 'restarted', 'paused', 'suspended']
TARGET = {'started': 'STARTED', 'stopped': 'STOPPED', 'paused': 'PAUSED', 'suspended': 'SUSPENDED'}


class MachineModule(ResourceModule):
    kind = KINDS['machine']
    create_type = 'MachineCreate'
    force_actions = ('stop', 'restart')
    # the interfaces and addresses the result returns, read with the machine (path notation is
    # ignored by providers without it: then only the endpoints are read one by one)
    expand = 'interfaces,interfaces/endpoints,machineConfig,machineImage'
    drift_checked = True
    argument_spec = dict(
        dict(common_spec(states=STATES), **ON_DRIFT_SPEC),
        template={'type': 'str'},
        config={'type': 'str'},
        cpu={'type': 'int'},
        memory={'type': 'int'},
        disks={'type': 'list', 'elements': 'dict', 'options': {
            'capacity_gb': {'type': 'float', 'required': True},
            'format': {'type': 'str'},
            'initial_location': {'type': 'str'}}},
        image={'type': 'str'},
        credential={'type': 'str'},
        user_data={'type': 'str', 'no_log': True},
        volumes={'type': 'list', 'elements': 'dict', 'options': {
            'volume': {'type': 'str', 'required': True},
            'initial_location': {'type': 'str'}}},
        interfaces={'type': 'list', 'elements': 'dict', 'options': {
            'network': {'type': 'str', 'required': True},
            'mtu': {'type': 'int'}}},
        force={'type': 'bool', 'default': False},
    )
    module_kwargs = dict(ResourceModule.module_kwargs,
                         mutually_exclusive=[('config', 'cpu'), ('config', 'memory'), ('config', 'disks')],
                         required_together=[('cpu', 'memory')])

    def absent_extra(self):
        return {'interfaces': [], 'addresses': []}

    def present_extra(self, outcome):
        resource = outcome.resource
        extra = {'interfaces': [], 'addresses': []}
        if resource.get('id') and ('interfaces' in resource or 'networkInterfaces' in resource):
            warnings = []
            interfaces = machine_interfaces(self.client, resource, warnings)
            for warning in warnings:  # the machine is there: what it shows is no reason to fail
                self.module.warn(warning)
            extra['interfaces'] = interfaces
            extra['addresses'] = [a for i in interfaces for a in i['addresses']]
        return outcome, extra

    def creation_drift(self, current):
        """The configuration (by name, or cpu and memory) and image the task sets, where the machine differs."""
        p = self.params
        drifts = []
        refs = self.collapse_refs(current, ('machineConfig', 'machineImage'))
        if p['config'] and not self.same_ref(refs.get('machineConfig'), p['config']):
            config = self.lookup('machineConfigs', p['config'], 'machine configuration', required=False)
            if config is not None and not config.get('predicted'):
                drifts.extend(self.config_drift(current, config, refs.get('machineConfig')))
        elif p['cpu'] is not None:
            if current.get('cpu') is not None and current['cpu'] != p['cpu']:
                drifts.append(Drift('cpu', current['cpu'], p['cpu'], {'cpu': p['cpu']}))
            memory = mib_to_kib(p['memory'])
            if current.get('memory') is not None and current['memory'] != memory:
                drifts.append(Drift('memory', '%d MiB' % (current['memory'] // 1024), '%d MiB' % p['memory'],
                                    {'memory': memory}))
        image_ref = refs.get('machineImage')
        if p['image'] and image_ref and not self.same_ref(image_ref, p['image']):
            image = self.lookup('machineImages', p['image'], 'machine image', required=False)
            if image is not None and not image.get('predicted') and self.client.resolve(image_ref['href']) != image['id']:
                drifts.append(Drift('image', image_ref.get('name') or self.name_of(image_ref['href']),
                                    image.get('name') or image['id'], {'machineImage': {'href': image['id']}}))
        return drifts

    def config_drift(self, current, config, ref=None):
        """[Drift] of config against current: by the machine's machineConfig ref when it has one
        (a provider extension), else by cpu and memory."""
        href = (ref or {}).get('href')
        sizes = dict((k, config[k]) for k in ('cpu', 'memory') if config.get(k) is not None)
        if href:
            differs = self.client.resolve(href) != config['id']
        else:
            differs = any(current.get(k) is not None and current[k] != v for k, v in sizes.items())
        if not differs:
            return []
        was = ((ref or {}).get('name') or self.name_of(href)) if href else 'cpu %s, memory %s MiB' % (
            current.get('cpu'), (current.get('memory') or 0) // 1024)
        return [Drift('config', was, config.get('name') or config['id'], sizes)]

    def fill(self, body):
        p = self.params
        template = {}
        if p['template']:
            template.update(self.ref('machineTemplates', p['template'], 'machine template'))
        if p['config']:
            template['machineConfig'] = self.ref('machineConfigs', p['config'], 'machine configuration')
        elif p['cpu'] is not None:
            config = {'resourceURI': compat.type_uri('MachineConfiguration'), 'cpu': p['cpu'],
                      'memory': mib_to_kib(p['memory'])}
            if p['disks']:
                config['disks'] = [self.disk(d) for d in p['disks']]
            template['machineConfig'] = config
        if p['image']:
            template['machineImage'] = self.ref('machineImages', p['image'], 'machine image')
        if not p['template'] and ('machineConfig' not in template or 'machineImage' not in template):
            raise CimiMissingCreateInfo('machine %r does not exist; to create it give template, or config '
                                        '(or cpu and memory) and image' % p['name'])
        if p['credential']:
            template['credential'] = self.ref('credentials', p['credential'], 'credential')
        if p['user_data'] is not None:
            template['userData'] = base64.b64encode(p['user_data'].encode('utf-8')).decode('ascii')
        if p['volumes']:
            template['volumes'] = [self.volume(v) for v in p['volumes']]
        if p['interfaces']:
            template['interfaceTemplates'] = [self.interface(i) for i in p['interfaces']]
        if self.initial_state():
            template['initialState'] = self.initial_state()
        body['machineTemplate'] = template
        return body

    def initial_state(self):
        if self.params['state'] in ('started', 'restarted', 'paused', 'suspended'):
            return 'STARTED'
        if self.params['state'] == 'stopped':
            return 'STOPPED'
        return None

    @staticmethod
    def disk(disk):
        entry = {'capacity': gb_to_kb(disk['capacity_gb'])}
        if disk.get('format'):
            entry['format'] = disk['format']
        if disk.get('initial_location'):
            entry['initialLocation'] = disk['initial_location']
        return entry

    def volume(self, volume):
        entry = {'volume': self.ref('volumes', volume['volume'], 'volume')}
        if volume.get('initial_location'):
            entry['initialLocation'] = volume['initial_location']
        return entry

    def interface(self, interface):
        entry = {'network': self.ref('networks', interface['network'], 'network')}
        if interface.get('mtu') is not None:
            entry['mtu'] = interface['mtu']
        return entry

    def actions_for(self, outcome):
        """Actions that take the machine from its state to the wanted one."""
        machine = outcome.resource
        if not self.engine.wait and outcome.created and not self.check_mode:
            return []  # still being created; actions would be refused
        state = (machine.get('state') or '').upper()
        wanted = self.params['state']
        if wanted == 'restarted':
            return [('restart', 'STARTED')] if state == 'STARTED' else [('start', 'STARTED')]
        target = TARGET.get(wanted)
        if target is None or state == target:
            return []
        if wanted == 'started':
            return [('start', 'STARTED')]
        action = {'stopped': 'stop', 'paused': 'pause', 'suspended': 'suspend'}[wanted]
        if state == 'STARTED' or self.client.is_available(machine, action):
            return [(action, target)]
        return [('start', 'STARTED'), (action, target)]

    def remove(self, current):
        """Stop a machine the provider will not delete while it runs; report it as found."""
        if current is None:
            return self.engine.delete(None)
        outcome = Outcome(self.engine.wait_stable(current, fail_ok=True))
        settled = outcome.resource
        if not self.client.is_available(settled, 'delete') and self.client.is_available(settled, 'stop'):
            outcome = self.engine.act(settled, 'stop', ['STOPPED'], force=True if self.params['force'] else None)
        return outcome.then(self.engine.delete(outcome.resource, predict_refusal=not outcome.changed)).with_resource(
            current)


def main():
    MachineModule()()


if __name__ == '__main__':
    main()
