# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deploy one VirtualSystem's Plan as a libvirt domain: create, reconcile, power, remove.

The domain's <metadata> records the appliance digest, the options that shaped
it and the volumes it created, so a re-run changes nothing, option changes are
reported (and applied when that is safe), and ``absent`` removes only those
volumes. Any failure removes everything the run made.
"""

from __future__ import annotations

import os
import time

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import kvm, pools
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import diskplan, domain_xml, environment, forwarding
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DeployError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.libvirt_domain import (
    defined_disks, disk_buses, domain_facts, domain_spec, libvirt, wait_for_state)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.outcome import Outcome

# Options whose change can be applied by redefining the domain (takes effect at next boot).
REDEFINE_OPTIONS = ('cpus', 'memory', 'firmware', 'nic_model', 'disk_bus', 'networks',
                    'properties', 'forward_ports', 'domain_type')
# Options whose change would need new disks: reported, never applied.
REDEPLOY_OPTIONS = ('appliance', 'deployment_option', 'disk_format')


class DomainDeployer:
    """Brings the domain ``params['name']`` to a state; Deployer (deploy.py) adds vApps."""

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
        """``domain_type`` when it is kvm or qemu; for auto, the KVM probe's answer."""
        wanted = self.params.get('domain_type') or 'auto'
        if wanted != 'auto':
            return wanted
        return kvm.domain_type(self.conn, '%s-kvm-probe-%d' % (self.params['name'], os.getpid()))

    def _ensure_single(self, plan, state):
        outcome = Outcome(self.params['name'])
        if plan is not None:
            self.warnings.extend(plan.warnings)
            outcome.plan = plan.as_dict()
        domain = self.lookup()
        if state == 'absent':
            self.ensure_absent(domain, outcome)
        else:
            self.ensure_present(domain, plan, state, outcome)
        return outcome

    def ensure_absent(self, domain, outcome):
        if domain is None:
            return
        facts = domain_facts(domain)
        outcome.volumes = self.remove(domain)
        outcome.changed = True
        outcome.actions.append('remove')
        outcome.diff = {'before': {'domain': facts}, 'after': {'domain': None}}
        outcome.uuid = facts['uuid']

    def ensure_present(self, domain, plan, state, outcome):
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
        forwarding.check_free(plan.forwards)
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
            disks, cdroms = disk_buses(plan, pool_path)
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
        return domain_spec(self.params['name'], self.domain_type(), plan, disks, cdroms, record,
                           uuid)

    # -- reconcile -------------------------------------------------------
    def differences(self, plan, record):
        changed = []
        for key in REDEPLOY_OPTIONS + REDEFINE_OPTIONS:
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
        disks, cdroms = defined_disks(domain, self.params['disk_bus'])
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
