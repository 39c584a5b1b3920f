# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment Plan: what ovf_deploy would create, computed without touching the host.

A :class:`Plan` for one VirtualSystem, a :class:`VappPlan` (one member Plan per system) for a
VirtualSystemCollection; :func:`build_plan` chooses. Deployer (deploy.py) carries a plan out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import diskplan, domain_xml, environment, forwarding
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import (
    Appliance, read_trusted_certs)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DeployError, PropertyValueError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.hardware import summarise
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.properties import resolve_values

# A vApp member's domain is <name>-<ovf:id>, with the id's other characters replaced.
_SAFE_NAME = re.compile(r'[^A-Za-z0-9._-]')


def build_plan(params):
    """The Plan of ``params['src']``: a :class:`Plan`, or a :class:`VappPlan` for a collection."""
    appliance = Appliance(params['src'], params['manifest'],
                          read_trusted_certs(params['trusted_certs']))
    eulas = appliance.eulas()
    if eulas and not params['accept_eula']:
        raise DeployError('the appliance has %d EULA(s); read them with ovf_info and set '
                          'accept_eula=true to deploy' % len(eulas), 'eula_not_accepted')
    if appliance.envelope.is_collection:
        return VappPlan(params).build(appliance)
    return Plan(params).build(appliance)


class Plan:
    """What a deployment of one VirtualSystem would create, computed without touching the host."""

    def __init__(self, params, name=None):
        self.params = params
        self.name = name or params['name']
        self.warnings = []
        self.appliance = None
        self.system = None
        self.startup = None  # the StartupSection entry, in a vApp
        self.vapp = None  # the vApp's name, in a vApp
        self.configuration = None
        self.values = []
        self.items = []
        self.jobs = []
        self.nics = []
        self.used_networks = []
        self.record = {}
        self.env_xml = None
        self.forwards = []  # (host port, guest port) of the forwarded NIC
        self.domain_type = 'auto'

    def build(self, appliance=None, system=None, given=None):
        params = self.params
        if appliance is None:
            return build_plan(params)
        self.appliance = appliance
        if system is None:
            self.warnings.extend(appliance.warnings)
        env = appliance.envelope
        system = self.system = system or env.system()
        self.configuration = env.choose_configuration(params['deployment_option'])
        self.items = system.items(self.configuration)
        self.values = resolve_values(system.properties,
                                     params['properties'] if given is None else given,
                                     self.configuration)
        summary = summarise(self.items)
        self._nics(params, report_unused=self.vapp is None)
        self.forwards = forwarding.parse_forward_ports(params.get('forward_ports'))
        self.domain_type = forwarding.check_domain_type(params.get('domain_type') or 'auto')
        by_key = dict((p.key, v) for p, v in self.values)
        self.jobs = diskplan.plan(self.appliance, self.items, by_key, self.name,
                                  params['disk_format'], params['max_disk_size'])
        transports = system.hardware_section().transports
        self.want_env = bool(self.values) and ('iso' in transports or not transports)
        if self.values and not self.want_env:
            self.warnings.append('%s does not accept the iso transport (%s); its properties are '
                                 'not delivered' % (self._what(), ' '.join(transports)))
        if self.want_env:
            self.env_xml = environment.environment_xml(
                system.id, [(p.env_key, v) for p, v in self.values])
        self.cpus = params['cpus'] or summary['cpus'] or 1
        self.memory = (params['memory'] << 20) if params['memory'] else (
            summary['memory_bytes'] or 512 << 20)
        self.cores_per_socket = summary['cores_per_socket']
        self.firmware = params['firmware'] or system.firmware
        if system.secure_boot:
            self.warnings.append('%s asks for UEFI secure boot; the domain is defined with %s '
                                 'firmware, secure boot not enforced' % (self._what(),
                                                                         self.firmware))
        self.record = self._record()
        return self

    def _what(self):
        return 'system %s' % self.system.id if self.vapp else 'the appliance'

    def _nics(self, params, report_unused=True):
        mapping = params['networks'] or {}
        used = self.used_networks
        for item in self.items:
            if item.resource_type != 10:
                continue
            connection = (item.get('Connection') or [None])[0]
            if connection is None:
                raise DeployError('NIC Item %s has no network Connection' % item.instance_id,
                                  'bad_item')
            if connection not in mapping:
                raise DeployError('OVF network %r has no mapping; add it to networks (OVF name -> '
                                  'libvirt network)' % connection, 'network_unmapped')
            model, fell_back = domain_xml.nic_model(item.sub_types, params['nic_model'])
            if fell_back:
                self.warnings.append('NIC %s: %s not available on KVM; using virtio'
                                     % (item.instance_id, ' '.join(item.sub_types)))
            mac = item.get('Address') if params['preserve_mac'] else None
            self.nics.append({'network': mapping[connection], 'model': model, 'mac': mac or None})
            used.append(connection)
        if report_unused:
            for name in sorted(set(mapping) - set(used)):
                self.warnings.append('network mapping %r is not used by the chosen configuration'
                                     % name)

    def _record(self):
        params = self.params
        record = {
            'appliance': self.appliance.digest,
            'src': os.path.abspath(params['src']),
            'deployment_option': self.configuration,
            'disk_format': params['disk_format'],
            'cpus': self.cpus, 'memory': self.memory, 'firmware': self.firmware,
            'nic_model': params['nic_model'], 'disk_bus': params['disk_bus'],
            'networks': [n['network'] for n in self.nics],
        }
        # Recorded only when given, so domains deployed before these options compare equal.
        if self.forwards:
            record['forward_ports'] = forwarding.as_options(self.forwards)
        if self.domain_type != 'auto':
            record['domain_type'] = self.domain_type
        if self.vapp is not None:
            record.update(vapp=self.vapp, system=self.system.id)
        return record

    def properties_digest(self, salt):
        """Salted digest of the chosen values: detects changes without storing secrets."""
        text = json.dumps([(p.env_key, v) for p, v in self.values])
        return hashlib.sha256((salt + text).encode('utf-8')).hexdigest()

    def public_properties(self):
        return dict((p.env_key, None if p.password else v) for p, v in self.values)

    def as_dict(self):
        result = {'deployment_option': self.configuration, 'cpus': self.cpus,
                  'memory_mib': self.memory >> 20, 'firmware': self.firmware, 'nics': self.nics,
                  'volumes': [j.as_dict() for j in self.jobs],
                  'environment_iso': self.want_env,
                  'properties': self.public_properties(),
                  'forward_ports': forwarding.as_options(self.forwards),
                  'domain_type': self.domain_type}
        if self.vapp is not None:
            result.update(name=self.name, system=self.system.id, startup=self.startup)
        return result


class VappPlan:
    """A VirtualSystemCollection: one member :class:`Plan` per VirtualSystem, in start order.

    Each system becomes the domain ``<name>-<ovf:id>``; the network mapping is shared; property
    values are given per system, by the key the guest sees (``class.key.instance``) or the plain
    key (every system that has it), or prefixed with the system id (``web.hostname``).
    """

    def __init__(self, params):
        self.params = params
        self.name = params['name']
        self.warnings = []
        self.appliance = None
        self.members = []

    def build(self, appliance):
        if self.params.get('forward_ports'):
            raise DeployError('forward_ports is for an appliance with one VirtualSystem; each '
                              'system of a vApp would need ports of its own', 'forward_ports_vapp')
        self.appliance = appliance
        self.warnings.extend(appliance.warnings)
        ordered = appliance.envelope.start_order()
        given = split_properties([s for s, _entry in ordered], self.params['properties'])
        names = {}
        for index, (system, entry) in enumerate(ordered):
            name = '%s-%s' % (self.name, _SAFE_NAME.sub('_', system.id))
            if name in names:
                raise DeployError('systems %s and %s would both become domain %s'
                                  % (names[name], system.id, name), 'bad_system_id')
            names[name] = system.id
            member = Plan(self.params, name)
            member.vapp = self.name
            member.startup = dict(entry or {}, index=index)
            member.build(appliance, system, given[system.id])
            member.record['start_index'] = index
            self.members.append(member)
            self.warnings.extend(w for w in member.warnings if w not in self.warnings)
        used = set(n for m in self.members for n in m.used_networks)
        for name in sorted(set(self.params['networks'] or {}) - used):
            self.warnings.append('network mapping %r is not used by any system of the vApp' % name)
        return self

    @property
    def values(self):
        return [pair for member in self.members for pair in member.values]

    def as_dict(self):
        return {'vapp': self.name, 'collection': self.appliance.envelope.collection,
                'deployment_option': self.members[0].configuration,
                'volumes': [v for m in self.members for v in m.as_dict()['volumes']],
                'systems': [m.as_dict() for m in self.members]}


def split_properties(systems, given):
    """``{system id: {key: value}}`` from the user's values (see :class:`VappPlan`)."""
    result = dict((s.id, {}) for s in systems)
    for key, value in (given or {}).items():
        targets = [s for s in systems
                   if any(key in (p.env_key, p.key) for p in s.properties)]
        if targets:
            for system in targets:
                result[system.id][key] = value
            continue
        prefixed = [s for s in systems if key.startswith(s.id + '.')]
        if len(prefixed) == 1:
            result[prefixed[0].id][key[len(prefixed[0].id) + 1:]] = value
            continue
        known = sorted(set('%s.%s' % (s.id, p.env_key) for s in systems for p in s.properties))
        raise PropertyValueError('unknown property %s (known, each also without the system '
                                 'prefix: %s)' % (key, ', '.join(known) or 'none'),
                                 'unknown_property')
    return result
