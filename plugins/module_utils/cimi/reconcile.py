# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generic reconcile engine: find, compare the fields the user set, create/update/delete/act.

Every resource module describes its resource with a ResourceKind and drives a Reconciler. The
engine keeps ``changed``, ``before`` and ``after`` (for ``--diff``), predicts faithfully in check
mode (nothing is sent but reads) and builds the result with a small ``cadf`` hint for the audit
callback.
"""

from __future__ import annotations

import copy

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiError, CimiHTTPError


class ResourceKind:
    """What the engine needs to know about one CIMI resource type."""

    def __init__(self, collection, type_name, cadf_type, result_key, label=None,
                 stable_states=None, diff_fields=('name', 'description', 'properties', 'state'),
                 fail_states=('ERROR', 'FAILED')):
        self.collection = collection          # CEP key, e.g. machines
        self.type_name = type_name            # e.g. Machine
        self.cadf_type = cadf_type            # e.g. compute/machine
        self.result_key = result_key          # e.g. machine
        self.label = label or type_name.lower()
        self.stable_states = frozenset(stable_states) if stable_states else None
        self.diff_fields = tuple(diff_fields)
        self.fail_states = tuple(fail_states)


def normalise(value):
    """Comparable form: properties as str->str, empty strings/maps as None."""
    if isinstance(value, dict):
        return dict((str(k), normalise(v)) for k, v in value.items()) or None
    if value == '' or value == []:
        return None
    return value


def changed_fields(current, desired):
    """{field: desired value} for every field the user set (not None) that differs.

    The client's create tag (REQUEST_ID_PROPERTY) in properties is never drift, and an update of
    properties keeps it."""
    changes = {}
    for key, want in desired.items():
        if want is None:
            continue
        have = current.get(key)
        if key == 'properties':
            want = dict((str(k), str(v)) for k, v in want.items())
            have = dict(have or {})
            tag = have.pop(REQUEST_ID_PROPERTY, None)
            if normalise(have) != normalise(want) and tag is not None:
                changes[key] = dict(want, **{REQUEST_ID_PROPERTY: tag})
                continue
        if normalise(have) != normalise(want):
            changes[key] = want
    return changes


class Reconciler:
    """One reconcile run for one resource."""

    def __init__(self, client, kind, check_mode=False, wait=True, wait_timeout=300):
        self.client = client
        self.kind = kind
        self.check_mode = check_mode
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.changed = False
        self.before = None
        self.after = None
        self.actions = []

    # ---- finding ---------------------------------------------------------------------------

    def find(self, resource_id=None, name=None, expand=None):
        """The current resource by id (preferred) or unique name, or None. A provider that refuses
        the $expand (400) is asked again without it."""
        if expand:
            try:
                return self._find(resource_id, name, expand)
            except CimiHTTPError as exc:
                if exc.status != 400:
                    raise
        return self._find(resource_id, name, None)

    def _find(self, resource_id, name, expand):
        if resource_id:
            params = {'$expand': expand} if expand else None
            return self.client.get_optional(self.client.resolve(resource_id), params)
        if name:
            return self.client.find_one(self.kind.collection, name, expand=expand, what=self.kind.label + 's')
        raise CimiError('either name or id is required to find a %s' % self.kind.label)

    def refresh(self, resource, expand=None):
        params = {'$expand': expand} if expand else None
        return self.client.get(resource['id'], params)

    # ---- diff bookkeeping ------------------------------------------------------------------

    def view(self, resource):
        if resource is None:
            return {}
        return dict((k, copy.deepcopy(resource[k])) for k in ('id',) + self.kind.diff_fields if k in resource)

    def _record(self, before, after):
        if self.before is None:
            self.before = self.view(before)
        self.after = self.view(after)

    # ---- waiting ---------------------------------------------------------------------------

    def wait_job(self, job_url, what):
        if job_url and self.wait:
            self.client.wait_job(job_url, self.wait_timeout, what=what)

    def wait_stable(self, resource, fail_ok=False):
        """Wait until the resource leaves transitional states (CREATING, STARTING...).

        A failure state (ERROR) is an error, unless fail_ok: deleting a broken resource is how
        users clean it up, so state=absent settles for it.
        """
        if not self.kind.stable_states or self.check_mode:
            return resource
        state = (resource.get('state') or '').upper()
        if state in self.kind.stable_states or (fail_ok and state in self.kind.fail_states):
            return resource
        if state in self.kind.fail_states:
            raise CimiError('%s %s is in state %s' % (self.kind.label, resource.get('name') or resource['id'], state),
                            url=resource['id'])
        if not self.wait:
            return resource
        if fail_ok:
            return self.client.waiter.wait_state(self.client, resource['id'],
                                                 tuple(self.kind.stable_states) + self.kind.fail_states,
                                                 self.wait_timeout, fail_states=(), what=self.kind.label)
        return self.client.waiter.wait_state(self.client, resource['id'], self.kind.stable_states,
                                             self.wait_timeout, fail_states=self.kind.fail_states,
                                             what=self.kind.label)

    # ---- changing --------------------------------------------------------------------------

    def create(self, body, predicted):
        """Create from body; in check mode return predicted (the user's view of the result)."""
        self.changed = True
        self.actions.append('create')
        if self.check_mode:
            self._record(None, predicted)
            return predicted
        outcome = self.client.create(self.kind.collection, body)
        if outcome.recovered:
            self.actions.append('recovered-after-ambiguous-create')
        resource = outcome.resource
        if self.wait:
            self.wait_job(outcome.job_url, 'creating %s %r' % (self.kind.label, body.get('name')))
            resource = self.client.get(outcome.url)
            resource = self.wait_stable(resource)
        elif resource is None:
            resource = self.client.get_optional(outcome.url) or {'id': outcome.url}
        self._record(None, resource)
        return resource

    def update(self, current, desired):
        """Apply the user-set fields that differ (partial PUT)."""
        changes = changed_fields(current, desired)
        if not changes:
            self._record(current, current)
            return current
        self.changed = True
        self.actions.append('update')
        predicted = copy.deepcopy(current)
        predicted.update(changes)
        if self.check_mode:
            self._record(current, predicted)
            return predicted
        resource, job_url = self.client.update(current, changes)
        self.wait_job(job_url, 'updating %s %r' % (self.kind.label, current.get('name')))
        if resource is None:
            resource = self.client.get(current['id'])
        self._record(current, resource)
        return resource

    def delete(self, current):
        if current is None:
            self._record(None, None)
            return
        self.changed = True
        self.actions.append('delete')
        self._record(current, None)
        if self.check_mode:
            return
        job_url = self.client.delete(current)
        if self.wait:
            self.wait_job(job_url, 'deleting %s %r' % (self.kind.label, current.get('name')))
            self.client.waiter.wait_gone(self.client, current['id'], self.wait_timeout, what=self.kind.label)

    def act(self, current, action, target_states, **params):
        """Run an action (start, stop...) and wait for one of target_states."""
        self.changed = True
        self.actions.append(action)
        predicted = copy.deepcopy(current)
        predicted['state'] = sorted(target_states)[0] if len(target_states) == 1 else predicted.get('state')
        if self.check_mode:
            self._record(current, predicted)
            return predicted
        job_url = self.client.action(current, action, **params)
        if not self.wait:
            resource = self.client.get(current['id'])
            self._record(current, resource)
            return resource
        self.wait_job(job_url, '%s of %s %r' % (action, self.kind.label, current.get('name')))
        resource = self.client.waiter.wait_state(self.client, current['id'], target_states, self.wait_timeout,
                                                 fail_states=self.kind.fail_states, what=self.kind.label)
        self._record(current, resource)
        return resource

    # ---- result ----------------------------------------------------------------------------

    def result(self, resource, diff_mode=False, **extra):
        result = {'changed': self.changed, self.kind.result_key: resource or {}}
        resource = resource or {}
        result['id'] = resource.get('id')
        result['cadf'] = {'typeURI': self.kind.cadf_type, 'id': resource.get('id'),
                          'name': resource.get('name')}
        if diff_mode:
            result['diff'] = {'before': self.before or {}, 'after': self.after or {}}
        result.update(extra)
        return result
