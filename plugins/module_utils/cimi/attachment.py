# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A volume's attachments to machines: the one implementation behind cimi_volume_attachment and
cimi_volume's attached_to / detached options.

An attachment is an entry of a machine's ``volumes`` sub-collection (a CIMI 2.0 locatedVolume,
a 1.x MachineVolume: ``volume`` and ``initialLocation``). Attaching POSTs the collection's
``insert`` operation, detaching its ``remove`` operation (DSP0263 5.5.13); both hrefs are read
from the sub-collection's ``operations``. Each step returns a Change: the actions
taken (or, in check mode, that would be) and the public views of the volume's attachments before
and after.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError, CimiOperationUnavailable
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import collection_of


class AttachedElsewhere(CimiError):
    """The volume is attached to another machine than the one asked for."""


def public(entries):
    """The user's view of attachment entries: [{machine, initial_location}]."""
    return [{'machine': e['machine'], 'initial_location': e['initial_location']} for e in entries]


def describe(entry):
    """'machine web-2 (href) at /dev/vdb' for an error message."""
    name = entry.get('machine_name')
    where = ' at %s' % entry['initial_location'] if entry.get('initial_location') else ''
    return 'machine %s%s' % ('%r (%s)' % (name, entry['machine']) if name else entry['machine'], where)


class Change:
    """Actions of one attachment step, and the volume's attachments (public views) before and
    after it."""

    def __init__(self, actions=(), before=(), after=(), kept=()):
        self.actions = tuple(actions)
        self.before = list(before)
        self.after = list(after)
        self.kept = list(kept)  # the entries found that already were as wanted

    @property
    def changed(self):
        return bool(self.actions)


class Attachments:
    """Finds, attaches and detaches the volume attachments of one module run. engine is the run's
    Reconciler: its check mode (nothing but reads are sent) and its job waiting are used."""

    def __init__(self, client, engine):
        self.client = client
        self.engine = engine

    # ---- finding ---------------------------------------------------------------------------

    def of_volume(self, volume_id, machines=None):
        """[{machine, machine_name, initial_location, collection, id}] of every machine (of
        machines, default: all, read with their volumes expanded) that holds the volume."""
        if machines is None:
            machines = self.client.list('machines', expand='volumes')
        found = []
        for machine in machines:
            for entry in collection_of(self.client, machine, 'volumes'):
                href = compat.ref_href(entry.get('volume'))
                if href and self.client.resolve(href) == volume_id:
                    found.append({'machine': machine['id'], 'machine_name': machine.get('name'),
                                  'initial_location': entry.get('initialLocation'), 'id': entry.get('id'),
                                  'collection': self.volumes_href(machine)})
        return found

    def on_machine(self, volume_id, machine):
        """The volume's entries in one machine's volumes (the machine read again, expanded)."""
        return self.of_volume(volume_id, [self.client.get(machine['id'], {'$expand': 'volumes'})])

    def volumes_href(self, machine):
        """The URL of a machine's volumes sub-collection."""
        href = compat.ref_href(machine.get('volumes'))
        if not href:
            raise CimiOperationUnavailable('machine %s shows no volumes collection: this provider cannot attach '
                                           'volumes to it' % _name(machine), url=machine.get('id'))
        return self.client.resolve(href)

    # ---- reconciling -----------------------------------------------------------------------

    def ensure_attached(self, volume, machine, location, others='keep'):
        """Change that leaves volume attached to machine (at location, if given).

        Entries on that machine at another location are detached first. Attachments to other
        machines are left alone (others='keep'), or refused (others='fail', AttachedElsewhere),
        which needs every machine read. A volume or machine that is only predicted (check mode,
        an earlier task creates it) is predicted attached."""
        wanted = [{'machine': machine['id'], 'initial_location': location}]
        if not volume.get('id') or machine.get('predicted') or volume.get('predicted'):
            return Change(['attach'], [], wanted)
        if others == 'fail':
            everywhere = self.of_volume(volume['id'])
            elsewhere = [e for e in everywhere if e['machine'] != machine['id']]
            if elsewhere:
                where = ', '.join(describe(e) for e in elsewhere)
                raise AttachedElsewhere('volume %s is attached to %s, not to machine %s; detach it there first '
                                        '(state=absent) to move it' % (_name(volume), where, _name(machine)),
                                        url=volume['id'])
            entries = everywhere
        else:
            entries = self.on_machine(volume['id'], machine)
        keep = [e for e in entries if not location or e['initial_location'] == location]
        if keep:
            return Change((), public(entries), public(entries), kept=keep)
        change = Change()
        for entry in entries:
            change = self._then(change, self.detach(volume, entry))
        change = self._then(change, self.attach(volume, machine, location))
        return Change(change.actions, public(entries), wanted)

    def ensure_detached(self, volume, machine=None):
        """Change that leaves volume attached to no machine, or only not to machine when given."""
        if not volume.get('id') or volume.get('predicted') or (machine or {}).get('predicted'):
            return Change()
        if machine is not None:
            entries = self.on_machine(volume['id'], machine)
        else:
            entries = self.of_volume(volume['id'])
        change = Change()
        for entry in entries:
            change = self._then(change, self.detach(volume, entry))
        return Change(change.actions, public(entries), [])

    @staticmethod
    def _then(first, later):
        return Change(first.actions + later.actions)

    # ---- changing --------------------------------------------------------------------------

    def attach(self, volume, machine, location):
        if not self.engine.check_mode:
            job_url = self.client.collection_action(self.volumes_href(machine), 'insert',
                                                    volume={'href': volume['id']}, initialLocation=location)
            self.engine.accept('attach', volume['id'])
            self.engine.wait_job(job_url, 'attaching volume %s to machine %s' % (_name(volume), _name(machine)))
        return Change(['attach'])

    def detach(self, volume, entry):
        if not self.engine.check_mode:
            job_url = self.client.collection_action(entry['collection'], 'remove', volume={'href': volume['id']})
            self.engine.accept('detach', volume['id'])
            self.engine.wait_job(job_url, 'detaching volume %s from %s' % (_name(volume), describe(entry)))
        return Change(['detach'])


def _name(resource):
    return repr(resource.get('name')) if resource.get('name') else resource.get('id')
