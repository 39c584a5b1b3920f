# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deploy a VappPlan: one member domain per VirtualSystem, started and stopped in order.

Each member is brought to ``present`` by its own DomainDeployer (sharing the connection and
the warnings); then the vApp starts them by StartupSection order, or stops them in reverse.
All or nothing: a failure removes every domain the run defined.
"""

from __future__ import annotations

import time

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import domain_xml
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.domain_deployer import DomainDeployer
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DeployError, OvfError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.libvirt_domain import (
    domain_facts, libvirt, wait_for_state)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.outcome import Outcome


class VappDeployer:
    """The vApp ``params['name']`` of ``deployer`` (connected), whose settings it shares."""

    def __init__(self, deployer):
        self.params = deployer.params
        self.check_mode = deployer.check_mode
        self.warnings = deployer.warnings
        self.conn = deployer.conn

    def child(self, name):
        """A deployer for one member domain, sharing this one's connection and warnings."""
        child = DomainDeployer(dict(self.params, name=name), self.check_mode)
        child.conn = self.conn
        child.warnings = self.warnings
        return child

    def domains(self):
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

    def ensure(self, plan, state):
        outcome = Outcome(self.params['name'])
        outcome.systems, outcome.events = [], []
        if state == 'absent':
            return self._remove(outcome)
        self.warnings.extend(plan.warnings)
        outcome.plan = plan.as_dict()
        members, made = [], []
        try:
            for member in plan.members:
                child = self.child(member.name)
                sub = Outcome(member.name)
                child.ensure_present(child.lookup(), member, 'present', sub)
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

    def _remove(self, outcome):
        before = {}
        for domain, record in reversed(self.domains()):
            child = self.child(domain.name())
            sub = Outcome(domain.name())
            child.ensure_absent(domain, sub)
            before[domain.name()] = sub.diff['before']['domain']
            outcome.volumes.extend(sub.volumes)
            outcome.systems.append(dict(sub.as_result(), system=record.get('system'),
                                        actions=sub.actions))
            outcome.changed = True
        outcome.diff = {'before': {'domains': before},
                        'after': {'domains': dict((name, None) for name in before)}}
        return outcome


def _event(member, action, check_mode):
    return {'system': member.system.id, 'domain': member.name, 'action': action,
            'order': member.startup.get('order'),
            'time': None if check_mode else round(time.time(), 3)}
