# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generic reconcile engine: find, compare the fields the user set, create/update/delete/act.

Every resource module describes its resource with a ResourceKind and drives a Reconciler. Each
change operation returns an Outcome (the resource, the actions taken, the ``--diff`` views); the
module chains them with Outcome.then() and turns the last one into its result. In check mode the
engine predicts faithfully and sends nothing but reads.
"""

from __future__ import annotations

import copy

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import (
    CimiError, CimiHTTPError, CimiLookupError)


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


def property_value(key, value):
    """The one coercion rule of consumer properties (a string map in CIMI), on create and update
    alike: strings as they are; integers and floats as their decimal text; booleans as
    C(true)/C(false); null, lists and dicts refused (a CimiError naming the key)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    kind = 'null' if value is None else 'a list' if isinstance(value, (list, tuple)) else (
        'a mapping' if isinstance(value, dict) else 'a %s' % type(value).__name__)
    raise CimiError('properties: the value of %r is %s, but CIMI properties map strings to strings; give '
                    'a string (for example "{{ value | to_json }}") or a number or boolean' % (str(key), kind))


def coerce_properties(properties):
    """properties with every value coerced by property_value() (None stays None)."""
    if properties is None:
        return None
    return dict((str(k), property_value(k, v)) for k, v in properties.items())


def expect_type(resource, type_name, href, what=None):
    """resource, or a CimiLookupError when its resourceURI names another type than type_name (an
    id of the wrong kind: a volume's id given to a machine module). A resource without a
    resourceURI (some 1.x providers) is taken as it is."""
    found = compat.type_name(resource)
    if resource is None or not found or found == type_name:
        return resource
    raise CimiLookupError('%s is a %s, not a %s: give the id of a %s' % (
        href, found, type_name, what or type_name), url=href)


def changed_fields(current, desired, purge_properties=True):
    """{field: desired value} for every field the user set (not None) that differs.

    The client's create tag (REQUEST_ID_PROPERTY) in properties is never drift, and an update of
    properties keeps it. Without purge_properties, the desired properties are merged into the
    current ones (keys the user did not name are kept)."""
    changes = {}
    for key, want in desired.items():
        if want is None:
            continue
        have = current.get(key)
        if key == 'properties':
            have = dict(have or {})
            tag = have.pop(REQUEST_ID_PROPERTY, None)
            want = coerce_properties(want)
            want = want if purge_properties else dict(have, **want)
            if normalise(have) != normalise(want) and tag is not None:
                changes[key] = dict(want, **{REQUEST_ID_PROPERTY: tag})
                continue
        if normalise(have) != normalise(want):
            changes[key] = want
    return changes


class Outcome:
    """What reconcile steps did: the resource reached, the actions taken in order (a step that
    changed nothing has none) and the --diff views of the resource before the first step and
    after the last one (None: the step did not look at the resource)."""

    def __init__(self, resource=None, actions=(), before=None, after=None):
        self.resource = resource
        self.actions = tuple(actions)
        self.before = before
        self.after = after

    @property
    def changed(self):
        return bool(self.actions)

    @property
    def created(self):
        return 'create' in self.actions

    def then(self, later):
        """This outcome followed by a later step's."""
        return Outcome(later.resource, self.actions + later.actions,
                       self.before if self.before is not None else later.before,
                       later.after if later.after is not None else self.after)

    def with_resource(self, resource, after=None):
        """The same steps, reporting resource (and, if given, its --diff view after them)."""
        return Outcome(resource, self.actions, self.before, self.after if after is None else after)

    def with_diff_field(self, key, before, after):
        """Views extended by a field the resource itself does not hold (e.g. an attachment)."""
        return Outcome(self.resource, self.actions, dict(self.before or {}, **{key: before}),
                       dict(copy.deepcopy(self.after or {}), **{key: after}))


class Reconciler:
    """The operations on one kind of resource, with one run's check-mode and wait settings."""

    def __init__(self, client, kind, check_mode=False, wait=True, wait_timeout=300, purge_properties=True):
        self.client = client
        self.kind = kind
        self.check_mode = check_mode
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.purge_properties = purge_properties
        # [(action, resource id)] of every mutating request the provider accepted in this run: a
        # run that fails later (a wait that times out, a provider lost) still reports the change.
        self.accepted = []

    def accept(self, action, resource_id):
        """Record a mutating request the provider accepted."""
        self.accepted.append((action, resource_id))

    def failure_result(self):
        """Result keys of a run that failed after changing something: changed, the resource id and
        the actions accepted (empty when nothing was accepted)."""
        if not self.accepted:
            return {}
        return {'changed': True, 'id': self.accepted[-1][1], 'actions': [a for a, unused in self.accepted]}

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
            href = self.client.resolve(resource_id)
            return expect_type(self.client.get_optional(href, params), self.kind.type_name, href, self.kind.label)
        if name:
            return self.client.find_one(self.kind.collection, name, expand=expand, what=self.kind.label + 's')
        raise CimiError('either name or id is required to find a %s' % self.kind.label)

    def refresh(self, resource, expand=None):
        params = {'$expand': expand} if expand else None
        return self.client.get(resource['id'], params)

    # ---- diff views ------------------------------------------------------------------------

    def view(self, resource):
        if resource is None:
            return {}
        return dict((k, copy.deepcopy(resource[k])) for k in ('id',) + self.kind.diff_fields if k in resource)

    def _outcome(self, resource, actions, before, after):
        return Outcome(resource, actions, self.view(before), self.view(after))

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
        waiter = self.client.waiter
        if fail_ok:
            return waiter.wait_state(resource['id'], tuple(self.kind.stable_states) + self.kind.fail_states,
                                     self.wait_timeout, fail_states=(), what=self.kind.label)
        return waiter.wait_state(resource['id'], self.kind.stable_states, self.wait_timeout,
                                 fail_states=self.kind.fail_states, what=self.kind.label)

    # ---- changing --------------------------------------------------------------------------

    def create(self, body, predicted):
        """Create from body; in check mode the outcome holds predicted (the user's view of it)."""
        if self.check_mode:
            return self._outcome(predicted, ['create'], None, predicted)
        actions = ['create']
        outcome = self.client.create(self.kind.collection, body)
        self.accept('create', outcome.url)
        if outcome.recovered:
            actions.append('recovered-after-ambiguous-create')
        resource = outcome.resource
        if self.wait:
            self.wait_job(outcome.job_url, 'creating %s %r' % (self.kind.label, body.get('name')))
            resource = self.client.get(outcome.url)
            resource = self.wait_stable(resource)
        elif resource is None:
            resource = self.client.get_optional(outcome.url) or {'id': outcome.url}
        return self._outcome(resource, actions, None, resource)

    def update(self, current, desired):
        """Apply the user-set fields that differ (partial PUT)."""
        changes = changed_fields(current, desired, self.purge_properties)
        if not changes:
            return self._outcome(current, [], current, current)
        predicted = copy.deepcopy(current)
        predicted.update(changes)
        if self.check_mode:
            if self.settled(current):
                self.client.operation_href(current, 'edit')  # the real run's error, predicted
            return self._outcome(predicted, ['update'], current, predicted)
        resource, job_url = self.client.update(current, changes)
        self.accept('update', current['id'])
        self.wait_job(job_url, 'updating %s %r' % (self.kind.label, current.get('name')))
        if resource is None:
            resource = self.client.get(current['id'])
        return self._outcome(resource, ['update'], current, resource)

    def settled(self, resource):
        """Whether resource is in a state its kind settles in (or the kind has no states)."""
        return not self.kind.stable_states or (resource.get('state') or '').upper() in self.kind.stable_states

    def delete(self, current, predict_refusal=True):
        """Delete current (if any); the outcome holds no resource.

        In check mode, a settled resource that does not offer delete at all fails as the real run
        would; not after earlier steps of the run (predict_refusal=False), since stopping a machine
        may be what makes a provider offer its delete."""
        if current is None:
            return self._outcome(None, [], None, None)
        if self.check_mode and predict_refusal and self.settled(current) and \
                self.client.find_operation(current, 'delete') is None:
            self.client.operation_href(current, 'delete')
        if not self.check_mode:
            job_url = self.client.delete(current)
            self.accept('delete', current['id'])
            if self.wait:
                self.wait_job(job_url, 'deleting %s %r' % (self.kind.label, current.get('name')))
                self.client.waiter.wait_gone(current['id'], self.wait_timeout, what=self.kind.label)
        return self._outcome(None, ['delete'], current, None)

    def act(self, current, action, target_states, **params):
        """Run an action (start, stop...) and wait for one of target_states."""
        predicted = copy.deepcopy(current)
        predicted['state'] = sorted(target_states)[0] if len(target_states) == 1 else predicted.get('state')
        if self.check_mode:
            return self._outcome(predicted, [action], current, predicted)
        job_url = self.client.action(current, action, **params)
        self.accept(action, current['id'])
        if not self.wait:
            resource = self.client.get(current['id'])
            return self._outcome(resource, [action], current, resource)
        self.wait_job(job_url, '%s of %s %r' % (action, self.kind.label, current.get('name')))
        resource = self.client.waiter.wait_state(current['id'], target_states, self.wait_timeout,
                                                 fail_states=self.kind.fail_states, what=self.kind.label)
        return self._outcome(resource, [action], current, resource)

    # ---- result ----------------------------------------------------------------------------

    def result(self, outcome, diff_mode=False, **extra):
        """The module result of outcome, reporting its resource."""
        resource = outcome.resource or {}
        result = {'changed': outcome.changed, self.kind.result_key: resource}
        result['id'] = resource.get('id')
        result['cadf'] = {'typeURI': self.kind.cadf_type, 'id': resource.get('id'),
                          'name': resource.get('name')}
        if diff_mode:
            result['diff'] = {'before': outcome.before or {}, 'after': outcome.after or {}}
        result.update(extra)
        return result
