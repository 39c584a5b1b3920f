# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ResourceModule: the one reconcile flow of every CIMI resource module.

find by id/name -> absent: settle (a broken resource may be deleted) and delete;
present: create from build_body() or update the fields of update_fields(), then run the
actions of actions_for() (start, stop...). Modules declare their kind once and fill hooks.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import looks_like_href
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.drift import resolve_drift
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.module import CimiModule
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.reconcile import Outcome, Reconciler
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.resources import (
    COMMON_KWARGS, base_body, common_predicted, desired_common, require_name_for_create)

# state option -> (action, state reached) of resources that only start and stop (networks, systems).
START_STOP = {'started': ('start', 'STARTED'), 'stopped': ('stop', 'STOPPED')}


class ResourceModule(CimiModule):
    """Subclasses set kind (and create_type, the resourceURI type of the POST body) and may override
    fill(body), predicted(body), update_fields(), actions_for(resource) and the small hooks below."""

    kind = None
    create_type = None  # defaults to kind.type_name
    module_kwargs = COMMON_KWARGS
    targets = {}  # state option -> (action, target state), for actions_for()
    force_actions = ()  # actions that get force=True when the force option is set
    expand = None  # $expand of the lookup: what the result needs, read in the same request
    drift_checked = False  # the module has on_drift and creation_drift(): results carry `drift`
    found = None  # the resource as found before any change (for failure_hint)

    def run(self):
        p = self.params
        self.check_options()
        engine = self.engine = Reconciler(self.client, self.kind, check_mode=self.check_mode,
                                          wait=p.get('wait', True),
                                          wait_timeout=600 if p.get('wait_timeout') is None else p['wait_timeout'],
                                          purge_properties=p.get('purge_properties', True))
        current = self.found = engine.find(resource_id=p['id'], name=p['name'], expand=self.expand)
        self.prepare()
        if p['state'] == 'absent':
            outcome = self.remove(current)
            if not outcome.changed:
                outcome = outcome.with_resource(None)
            extra = dict(self.absent_extra(), **{self.kind.result_key: {}})
            return self.result(outcome, extra)
        if current is None:
            require_name_for_create(p, self.kind.label)
            body = self.build_create_body(self.build_body)
            outcome = self.create(body)
        else:
            current = engine.wait_stable(current)
            drifts = self.creation_drift(current) if self.drift_checked else []
            self.drift = [d.view() for d in drifts]
            outcome = engine.update(current, dict(self.update_fields(), **resolve_drift(self, current, drifts)))
        outcome = self.reach_state(outcome)
        outcome, extra = self.present_extra(outcome)
        return self.result(outcome, extra)

    def failure_hint(self):
        """A failed task is recorded against the resource it was about (by its CIMI id when it was
        found, else by the id or name the task gave)."""
        found = getattr(self, 'found', None)
        engine = getattr(self, 'engine', None)
        accepted = engine.failure_result().get('id') if engine is not None else None
        ref = (found or {}).get('id') or accepted or self.params.get('id') or self.params.get('name')
        if not ref:
            return None
        return {'typeURI': self.kind.cadf_type, 'id': ref, 'name': (found or {}).get('name') or self.params.get('name')}

    def result(self, outcome, extra):
        if self.drift_checked:
            extra = dict(extra, drift=getattr(self, 'drift', []))
        return self.engine.result(outcome, diff_mode=self.diff_mode, actions=list(outcome.actions), **extra)

    # ---- hooks -----------------------------------------------------------------------------

    def create(self, body):
        """The Outcome of creating the resource from body (check mode: predicted)."""
        return self.engine.create(body, self.predicted(body))

    def check_options(self):
        """Checks of the options alone, before any request."""

    def prepare(self):
        """Look-ups that must fail before anything changes."""

    def build_body(self):
        return self.fill(base_body(self.create_type or self.kind.type_name, self.params))

    def fill(self, body):
        """Add the creation attributes to body; raise CimiMissingCreateInfo if impossible."""
        return body

    def initial_state(self):
        """State the resource is created in (predicted in check mode), or None."""
        return None

    def predicted(self, body):
        """The user's view of the created resource, in check mode."""
        predicted = common_predicted(self.params)
        if self.initial_state():
            predicted['state'] = self.initial_state()
        return predicted

    def creation_drift(self, current):
        """[Drift] of the creation-only options the task sets that differ from current."""
        return []

    def collapse_refs(self, resource, attributes):
        """{attribute: the ref as read} of references the lookup expanded ($expand) to compare
        them without further requests; resource keeps only their {'href'}, as the API returns
        them unexpanded (so results look the same whichever way the resource was read)."""
        refs = {}
        for attribute in attributes:
            ref = resource.get(attribute)
            if isinstance(ref, dict) and ref.get('href'):
                refs[attribute] = ref
                resource[attribute] = {'href': ref['href']}
        return refs

    def same_ref(self, ref, value):
        """Whether a ref (as collapse_refs() kept it) is the name or href value, without a request;
        False when it cannot tell (then a lookup decides)."""
        if not ref:
            return False
        if looks_like_href(value):
            return self.client.resolve(value) == self.client.resolve(ref['href'])
        return ref.get('name') == value

    def name_of(self, href):
        """The name of the resource at href (for messages), or href when it has none or is gone."""
        found = self.client.get_optional(self.client.resolve(href))
        return (found or {}).get('name') or href

    def update_fields(self):
        return desired_common(self.params)

    def actions_for(self, outcome):
        """[(action, target state)] that take the resource of outcome to the state option."""
        wanted = self.targets.get(self.params['state'])
        if wanted is None or self.created_in_check_mode(outcome):
            return []
        if (outcome.resource.get('state') or '').upper() == wanted[1]:
            return []
        return [wanted]

    def created_in_check_mode(self, outcome):
        return self.check_mode and outcome.created

    def action_params(self, action):
        return {'force': True} if self.params.get('force') and action in self.force_actions else {}

    def reach_state(self, outcome):
        for action, target in self.actions_for(outcome):
            outcome = outcome.then(self.engine.act(outcome.resource, action, [target], **self.action_params(action)))
        wanted = self.targets.get(self.params['state'])
        if wanted is not None and self.created_in_check_mode(outcome):
            resource = dict(outcome.resource, state=wanted[1])
            outcome = outcome.with_resource(resource, after=self.engine.view(resource))
        return outcome

    def remove(self, current):
        """Delete current (if any); the outcome reports the resource found."""
        outcome = Outcome()
        if current is not None:
            current = self.engine.wait_stable(current, fail_ok=True)
            outcome = self.before_delete(current)
        return outcome.then(self.engine.delete(current, predict_refusal=not outcome.changed)).with_resource(current)

    def before_delete(self, current):
        """The Outcome of what must go before the resource can be deleted (detaching...)."""
        return Outcome(current)

    def absent_extra(self):
        """Further result keys after deletion."""
        return {}

    def present_extra(self, outcome):
        """(outcome, further result keys) of a present resource: a hook may take further steps."""
        return outcome, {}
