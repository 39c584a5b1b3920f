# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deploy an appliance onto libvirt: plan (read-only), then create / reconcile / remove.

The domain's <metadata> records the appliance digest, the options that shaped
it and the volumes it created, so a re-run changes nothing, option changes are
reported (and applied when that is safe), and ``absent`` removes only those
volumes. Any failure removes everything the run made.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import traceback

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import kvm, pools
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import diskplan, domain_xml, environment
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import (
    Appliance, read_trusted_certs)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import (
    DeployError, OvfError, PropertyValueError)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.hardware import summarise
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.properties import resolve_values

LIBVIRT_IMPORT_ERROR = None
try:
    import libvirt
except ImportError:  # pragma: no cover - reported by the module
    libvirt = None
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()

# Options whose change can be applied by redefining the domain (takes effect at next boot).
REDEFINE_OPTIONS = ('cpus', 'memory', 'firmware', 'nic_model', 'disk_bus', 'networks',
                    'properties')
# Options whose change would need new disks: reported, never applied.
REDEPLOY_OPTIONS = ('appliance', 'deployment_option', 'disk_format')
STATE_NAMES = {1: 'running', 2: 'blocked', 3: 'paused', 4: 'shutdown', 5: 'shutoff',
               6: 'crashed', 7: 'pmsuspended'}


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
                  'properties': self.public_properties()}
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


def _disk_buses(plan, pool_path):
    by_instance = dict((i.instance_id, i) for i in plan.items)
    disks, cdroms = [], []
    for job in plan.jobs:
        path = os.path.join(pool_path, job.volume)
        if job.role == 'cdrom':
            cdroms.append(path)
            continue
        controller = by_instance.get(job.item.get('Parent'))
        disks.append({'path': path, 'format': job.out_format,
                      'bus': domain_xml.disk_bus(controller, plan.params['disk_bus'])})
    return disks, cdroms


def domain_facts(domain):
    """name, uuid, state and type of ``domain`` (None for None)."""
    if domain is None:
        return None
    root = domain_xml.xmlsafe.parse(domain.XMLDesc(0).encode('utf-8'), 'the domain XML')
    return {'name': domain.name(), 'uuid': domain.UUIDString(),
            'state': STATE_NAMES.get(domain.state()[0], 'unknown'), 'type': root.get('type')}


class Outcome:
    """What ``Deployer.ensure`` did (or, in check mode, would do)."""

    def __init__(self, name):
        self.name = name
        self.changed = False
        self.actions = []  # create, start, redefine, stop, remove
        self.domain = None  # domain_facts after the run
        self.uuid = None  # of the domain created, kept or removed
        self.volumes = []
        self.changed_options = []
        self.applied_options = []
        self.plan = None
        self.diff = None
        self.warnings = []
        self.systems = None  # a vApp: one result per member domain, in start order
        self.events = None  # a vApp: start and stop, in the order they were done

    def as_result(self):
        """The module's result (without warnings)."""
        result = {'changed': self.changed, 'domain': self.domain, 'volumes': self.volumes,
                  'changed_options': self.changed_options,
                  'applied_options': self.applied_options,
                  'cadf': {'typeURI': 'compute/machine', 'id': self.uuid, 'name': self.name}}
        if self.plan is not None:
            result['plan'] = self.plan
        if self.diff is not None:
            result['diff'] = self.diff
        if self.systems is not None:
            result.update(systems=self.systems, events=self.events or [])
        return result


class Deployer:
    def __init__(self, params, check_mode=False):
        if libvirt is None:
            raise DeployError('the libvirt Python bindings are required', 'missing_libvirt')
        self.params = params
        self.check_mode = check_mode
        self.warnings = []
        self.conn = None

    def connect(self):
        try:
            self.conn = libvirt.open(self.params['uri'])
        except libvirt.libvirtError as exc:
            raise DeployError('cannot connect to %s: %s' % (self.params['uri'],
                                                            exc.get_error_message()), 'libvirt')

    def close(self):
        if self.conn is not None:
            self.conn.close()

    def lookup(self):
        try:
            return self.conn.lookupByName(self.params['name'])
        except libvirt.libvirtError:
            return None

    def pool_path(self):
        try:
            pool = self.conn.storagePoolLookupByName(self.params['pool'])
        except libvirt.libvirtError:
            raise DeployError('storage pool %r does not exist' % self.params['pool'], 'no_pool')
        kind = pools.pool_type(pool)
        if kind != 'dir':
            raise DeployError('storage pool %r is a %s pool; only directory pools are supported'
                              % (self.params['pool'], kind), 'pool_type')
        if not pool.isActive():
            raise DeployError('storage pool %r is not active' % self.params['pool'],
                              'pool_inactive')
        return pool, pools.target_path(pool)

    def check_networks(self, plan):
        for nic in plan.nics:
            try:
                self.conn.networkLookupByName(nic['network'])
            except libvirt.libvirtError:
                raise DeployError('libvirt network %r does not exist' % nic['network'],
                                  'no_network')

    def domain_type(self):
        return kvm.domain_type(self.conn, '%s-kvm-probe-%d' % (self.params['name'], os.getpid()))

    # -- the whole run ---------------------------------------------------
    def ensure(self, plan, state):
        """Bring domain ``params['name']`` (or, for a vApp, its member domains) to ``state``.

        ``plan`` is a Plan, a VappPlan, or None for ``absent``. Returns an Outcome; in check mode
        nothing on the host changes.
        """
        self.connect()
        try:
            if isinstance(plan, VappPlan):
                outcome = self._ensure_vapp(plan, state)
            elif plan is None and self.lookup() is None and self.vapp_domains():
                outcome = self._ensure_vapp(None, state)
            else:
                outcome = self._ensure_single(plan, state)
        finally:
            self.close()
        outcome.warnings = self.warnings
        return outcome

    def _ensure_single(self, plan, state):
        outcome = Outcome(self.params['name'])
        if plan is not None:
            self.warnings.extend(plan.warnings)
            outcome.plan = plan.as_dict()
        domain = self.lookup()
        if state == 'absent':
            self._ensure_absent(domain, outcome)
        else:
            self._ensure_present(domain, plan, state, outcome)
        return outcome

    # -- vApps -----------------------------------------------------------
    def child(self, name):
        """A deployer for one member domain, sharing this one's connection and warnings."""
        child = Deployer(dict(self.params, name=name), self.check_mode)
        child.conn = self.conn
        child.warnings = self.warnings
        return child

    def vapp_domains(self):
        """``[(domain, record)]`` of the vApp ``params['name']``, in start order."""
        found = []
        for domain in self.conn.listAllDomains(0):
            try:
                record = domain_xml.read_metadata(domain.XMLDesc(0))
            except (libvirt.libvirtError, OvfError):
                continue
            if record and record.get('vapp') == self.params['name']:
                found.append((record.get('start_index', 0), domain.name(), domain, record))
        return [(domain, record) for _index, _name, domain, record in sorted(found)]

    def _ensure_vapp(self, plan, state):
        outcome = Outcome(self.params['name'])
        outcome.systems, outcome.events = [], []
        if state == 'absent':
            return self._remove_vapp(outcome)
        self.warnings.extend(plan.warnings)
        outcome.plan = plan.as_dict()
        members, made = [], []
        try:
            for member in plan.members:
                child = self.child(member.name)
                sub = Outcome(member.name)
                child._ensure_present(child.lookup(), member, 'present', sub)
                domain = child.lookup()
                if 'create' in sub.actions and domain is not None:
                    made.append((child, domain))
                members.append((child, member, domain, sub))
            if state == 'running':
                self._start_in_order(members, outcome)
            elif state == 'stopped':
                self._stop_in_order(members, outcome)
        except BaseException:
            # All or nothing: every domain this run defined goes, with its volumes.
            for child, domain in reversed(made):
                try:
                    child.remove(domain)
                except (libvirt.libvirtError, OvfError) as exc:
                    self.warnings.append('rollback of %s failed: %s' % (child.params['name'], exc))
            raise
        before, after = {}, {}
        for child, member, domain, sub in members:
            sub.domain = domain_facts(domain) if domain is not None else sub.domain
            if self.check_mode and sub.domain is not None and state in ('running', 'stopped'):
                sub.domain = dict(sub.domain, state='running' if state == 'running' else 'shutoff')
            result = sub.as_result()
            result.update(system=member.system.id, startup=member.startup, actions=sub.actions)
            result.pop('plan', None)
            outcome.systems.append(result)
            outcome.volumes.extend(sub.volumes)
            outcome.changed = outcome.changed or sub.changed
            before[member.name] = (sub.diff or {}).get('before', {}).get('domain')
            after[member.name] = sub.domain
        outcome.diff = {'before': {'domains': before}, 'after': {'domains': after}}
        return outcome

    def _start_in_order(self, members, outcome):
        """Start the stopped members by StartupSection order, waiting startDelay after each."""
        delay, last_order = 0, None
        if any(m[1].startup.get('waiting_for_guest') for m in members):
            self.warnings.append('waitingForGuest cannot be observed without a guest agent; '
                                 'startDelay is waited instead')
        for _child, member, domain, sub in members:
            entry = member.startup
            if entry.get('start_action') == 'none':
                continue
            if domain is not None and domain.isActive():
                continue
            if delay and entry.get('order') != last_order and not self.check_mode:
                time.sleep(delay)
            if not self.check_mode:
                domain.create()
                if self.params['wait'] and not wait_for_state(domain, 'running',
                                                              self.params['wait_timeout']):
                    raise DeployError('domain %s did not start' % member.name, 'start_timeout')
            outcome.events.append(_event(member, 'start', self.check_mode))
            sub.actions.append('start')
            sub.changed = True
            delay, last_order = entry.get('start_delay') or 0, entry.get('order')

    def _stop_in_order(self, members, outcome):
        """Stop the running members in reverse order, waiting stopDelay after each."""
        delay = 0
        for child, member, domain, sub in reversed(members):
            if domain is None or not domain.isActive():
                continue
            if delay and not self.check_mode:
                time.sleep(delay)
            if not self.check_mode:
                if member.startup.get('stop_action') == 'powerOff':
                    domain.destroy()
                else:
                    child.stop(domain)
            outcome.events.append(_event(member, 'stop', self.check_mode))
            sub.actions.append('stop')
            sub.changed = True
            delay = member.startup.get('stop_delay') or 0

    def _remove_vapp(self, outcome):
        before = {}
        for domain, record in reversed(self.vapp_domains()):
            child = self.child(domain.name())
            sub = Outcome(domain.name())
            child._ensure_absent(domain, sub)
            before[domain.name()] = sub.diff['before']['domain']
            outcome.volumes.extend(sub.volumes)
            outcome.systems.append(dict(sub.as_result(), system=record.get('system'),
                                        actions=sub.actions))
            outcome.changed = True
        outcome.diff = {'before': {'domains': before},
                        'after': {'domains': dict((name, None) for name in before)}}
        return outcome

    def _ensure_absent(self, domain, outcome):
        if domain is None:
            return
        facts = domain_facts(domain)
        outcome.volumes = self.remove(domain)
        outcome.changed = True
        outcome.actions.append('remove')
        outcome.diff = {'before': {'domain': facts}, 'after': {'domain': None}}
        outcome.uuid = facts['uuid']

    def _ensure_present(self, domain, plan, state, outcome):
        before = domain_facts(domain)
        if domain is None:
            domain = self.create(plan)
            outcome.changed = True
            outcome.actions.append('create')
            outcome.volumes = [j.volume for j in plan.jobs] + (
                ['%s-ovf-env.iso' % self.params['name']] if plan.want_env else [])
            if state == 'running':
                outcome.actions.append('start')
                if domain is not None:
                    self.start_created(domain)
        else:
            record = domain_xml.read_metadata(domain.XMLDesc(0))
            if record is None:
                raise DeployError('a domain named %s exists and was not created by ovf_deploy'
                                  % self.params['name'], 'foreign_domain')
            if record.get('vapp') != plan.vapp:
                raise DeployError('a domain named %s exists and belongs to %s' % (
                    self.params['name'], 'vApp %s' % record['vapp'] if record.get('vapp')
                    else 'a single-system deployment'), 'foreign_domain')
            outcome.volumes = record.get('volumes', [])
            outcome.changed_options = self.differences(plan, record)
            outcome.applied_options = self.apply_changes(domain, plan, record,
                                                         outcome.changed_options)
            if outcome.applied_options:
                outcome.actions.append('redefine')
            power = state in ('running', 'stopped') and self.set_power(domain, state)
            if power:
                outcome.actions.append('start' if state == 'running' else 'stop')
            outcome.changed = bool(outcome.applied_options) or power
        after = domain_facts(domain) if domain is not None else {
            'name': self.params['name'], 'uuid': None,
            'state': 'shutoff' if state != 'running' else 'running', 'type': None}
        if self.check_mode and before is not None and state in ('running', 'stopped'):
            after = dict(before, state=state if state == 'running' else 'shutoff')
        outcome.domain = domain_facts(domain)
        outcome.uuid = outcome.domain['uuid'] if outcome.domain else None
        outcome.diff = {'before': {'domain': before},
                        'after': {'domain': after, 'options': plan.record}}

    def start_created(self, domain):
        """Start a domain this run defined; when it does not start, remove it again."""
        try:
            domain.create()
            if self.params['wait'] and not wait_for_state(domain, 'running',
                                                          self.params['wait_timeout']):
                raise DeployError('domain %s did not start' % self.params['name'],
                                  'start_timeout')
        except BaseException:
            self.remove(domain)
            raise

    # -- create ----------------------------------------------------------
    def create(self, plan):
        pool, pool_path = self.pool_path()
        self.check_networks(plan)
        diskplan.check_space(plan.jobs, pool_path)
        volumes = [j.volume for j in plan.jobs]
        env_volume = '%s-ovf-env.iso' % self.params['name'] if plan.want_env else None
        for volume in volumes + ([env_volume] if env_volume else []):
            if os.path.lexists(os.path.join(pool_path, volume)):
                raise DeployError('volume %s already exists in pool %s; refusing to overwrite'
                                  % (volume, self.params['pool']), 'volume_exists')
        if self.check_mode:
            return None
        created = []
        domain = None
        try:
            created.extend(diskplan.write_all_or_nothing(
                plan.appliance, plan.jobs, pool_path, plan.appliance.manifest,
                self.params['max_disk_size']))
            disks, cdroms = _disk_buses(plan, pool_path)
            if env_volume:
                env_path = os.path.join(pool_path, env_volume)
                created.append(env_path)
                environment.write_iso(plan.env_xml, env_path)
                cdroms.append(env_path)
                volumes.append(env_volume)
            salt = os.urandom(16).hex()
            record = dict(plan.record, volumes=volumes, salt=salt,
                          properties=plan.properties_digest(salt))
            spec = self._spec(plan, disks, cdroms, record)
            domain = self.conn.defineXML(domain_xml.build(spec))
            pools.refresh(pool)
            return domain
        except BaseException:
            if domain is not None:
                try:
                    domain.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
                except libvirt.libvirtError:
                    pass
            diskplan.remove_paths(created)
            try:
                pools.refresh(pool)
            except libvirt.libvirtError:
                pass
            raise

    def _spec(self, plan, disks, cdroms, record, uuid=None):
        spec = domain_xml.DomainSpec(self.params['name'])
        spec.uuid = uuid
        spec.domain_type = self.domain_type()
        spec.memory_bytes = plan.memory
        spec.vcpus = plan.cpus
        spec.cores_per_socket = plan.cores_per_socket
        spec.firmware = plan.firmware
        spec.disks = disks
        spec.cdroms = cdroms
        spec.nics = plan.nics
        spec.metadata = record
        product = plan.appliance.product()
        spec.description = 'Deployed by cloudmgmt.dmtf.ovf_deploy from %s' % ' '.join(
            x for x in (product.get('product'), product.get('full_version') or
                        product.get('version')) if x) if product else None
        return spec

    # -- reconcile -------------------------------------------------------
    def differences(self, plan, record):
        changed = []
        for key in ('appliance', 'deployment_option', 'disk_format') + REDEFINE_OPTIONS:
            if key == 'properties':
                if plan.properties_digest(record.get('salt', '')) != record.get('properties'):
                    changed.append(key)
            elif record.get(key) != plan.record.get(key):
                changed.append(key)
        return changed

    def apply_changes(self, domain, plan, record, changed):
        """Redefine the domain for safe changes; rewrite the environment ISO for properties."""
        safe = [c for c in changed if c in REDEFINE_OPTIONS]
        unsafe = [c for c in changed if c in REDEPLOY_OPTIONS]
        if unsafe:
            self.warnings.append('not applied (needs a new deployment: state=absent then '
                                 'present): %s' % ', '.join(unsafe))
        if not safe or self.check_mode:
            return safe
        pool, pool_path = self.pool_path()
        self.check_networks(plan)
        root = domain_xml.xmlsafe.parse(domain.XMLDesc(0).encode('utf-8'), 'the domain XML')
        disks = []
        for el in root.findall('devices/disk[@device="disk"]'):
            disks.append({'path': el.find('source').get('file'),
                          'format': el.find('driver').get('type'),
                          'bus': self.params['disk_bus'] or el.find('target').get('bus')})
        cdroms = [el.find('source').get('file') for el in root.findall('devices/disk[@device="cdrom"]')
                  if el.find('source') is not None]
        if 'properties' in safe and plan.want_env:
            env_path = os.path.join(pool_path, '%s-ovf-env.iso' % self.params['name'])
            staging = env_path + '.new'
            environment.write_iso(plan.env_xml, staging)
            os.rename(staging, env_path)
        new_record = dict(record)
        new_record.update((k, plan.record[k]) for k in safe if k in plan.record)
        if 'properties' in safe:
            new_record['properties'] = plan.properties_digest(record.get('salt', ''))
        spec = self._spec(plan, disks, cdroms, new_record, uuid=domain.UUIDString())
        self.conn.defineXML(domain_xml.build(spec))
        pools.refresh(pool)
        return safe

    # -- power state -----------------------------------------------------
    def set_power(self, domain, want):
        running = domain.isActive()
        if want == 'running' and not running:
            if not self.check_mode:
                domain.create()
            return True
        if want == 'stopped' and running:
            if not self.check_mode:
                self.stop(domain)
            return True
        return False

    def stop(self, domain):
        if self.params['wait']:
            try:
                domain.shutdown()
            except libvirt.libvirtError:
                pass
            deadline = time.time() + self.params['wait_timeout']
            while time.time() < deadline and domain.isActive():
                time.sleep(0.5)
        if domain.isActive():
            if self.params['wait']:
                self.warnings.append('the guest did not shut down within wait_timeout; powered '
                                     'off')
            domain.destroy()

    def remove(self, domain):
        xml = domain.XMLDesc(0)
        record = domain_xml.read_metadata(xml)
        if record is None:
            raise DeployError('domain %s was not created by ovf_deploy; refusing to remove it'
                              % self.params['name'], 'foreign_domain')
        if self.check_mode:
            return record.get('volumes', [])
        if domain.isActive():
            domain.destroy()
        domain.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
        root = domain_xml.xmlsafe.parse(xml.encode('utf-8'), 'the domain XML')
        paths = [el.get('file') for el in root.iter('source') if el.get('file')]
        removed = []
        for volume in record.get('volumes', []):
            for path in paths:
                if os.path.basename(path) == volume:
                    try:
                        os.unlink(path)
                        removed.append(volume)
                    except OSError:
                        self.warnings.append('could not remove volume %s' % volume)
        try:
            pools.refresh(self.conn.storagePoolLookupByName(self.params['pool']))
        except libvirt.libvirtError:
            pass
        return removed


def _event(member, action, check_mode):
    return {'system': member.system.id, 'domain': member.name, 'action': action,
            'order': member.startup.get('order'),
            'time': None if check_mode else round(time.time(), 3)}


def wait_for_state(domain, want, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if bool(domain.isActive()) == (want == 'running'):
            return True
        time.sleep(0.5)
    return False
