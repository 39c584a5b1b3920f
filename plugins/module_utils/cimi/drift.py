# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift of creation-only attributes (a machine's configuration, a volume's capacity).

A module lists what differs as Drift entries; the on_drift option says what happens: warn (the
default), fail, or update in place (a resize) where the provider's ResourceMetadata marks every
attribute involved as mutable. Where it does not, the message says the resource must be recreated.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError, CimiHTTPError

ON_DRIFT_SPEC = {'on_drift': {'type': 'str', 'default': 'warn', 'choices': ['warn', 'fail', 'update']}}


class Drift:
    """One creation-only option whose value differs: the option, the current and desired values as
    the user writes them, and the CIMI attributes an in-place update would send."""

    def __init__(self, option, current, desired, changes):
        self.option = option
        self.current = current
        self.desired = desired
        self.changes = changes

    def view(self):
        return {'option': self.option, 'current': self.current, 'desired': self.desired,
                'attributes': sorted(self.changes)}

    def describe(self):
        return '%s is %s, the task says %s' % (self.option, _show(self.current), _show(self.desired))


def _show(value):
    return repr(value) if isinstance(value, str) else str(value)


def mutable_attributes(client, type_name):
    """Names of the attributes of type_name the provider's ResourceMetadata marks mutable; an
    empty set when it publishes no metadata for the type (nothing is assumed editable)."""
    if not client.has_collection('resourceMetadata'):
        return set()
    try:
        entries = client.list('resourceMetadata')
    except CimiHTTPError:
        return set()
    for entry in entries:
        if compat.last_segment(entry.get('typeURI') or '') == type_name or entry.get('name') == type_name:
            return set(a.get('name') for a in entry.get('attributes') or []
                       if isinstance(a, dict) and a.get('mutable') is True)
    return set()


def resolve_drift(module, current, drifts):
    """What to do about drifts of current, by module.params['on_drift']: {} after a warning (warn),
    a CimiError (fail, or update where the provider cannot), or the attributes to update in place."""
    if not drifts:
        return {}
    kind = module.kind
    policy = module.params.get('on_drift') or 'warn'
    mutable = mutable_attributes(module.client, kind.type_name)
    fixed = sorted(set(a for d in drifts for a in d.changes) - mutable)
    who = '%s %s' % (kind.label, repr(current['name']) if current.get('name') else current.get('id'))
    what = '; '.join(d.describe() for d in drifts)
    if fixed:
        remedy = ('the provider does not allow changing %s of a %s in place (not mutable in its ResourceMetadata): '
                  'delete and recreate the %s to apply them' % (', '.join(fixed), kind.type_name, kind.label))
    else:
        remedy = 'on_drift=update changes them in place'
    message = '%s differs from the task in creation-only options: %s; %s' % (who, what, remedy)
    if policy == 'fail' or (policy == 'update' and fixed):
        raise CimiError(message + ' (on_drift=%s)' % policy, url=current.get('id'))
    if policy == 'update':
        changes = {}
        for drift in drifts:
            changes.update(drift.changes)
        return changes
    module.module.warn(message)
    return {}
