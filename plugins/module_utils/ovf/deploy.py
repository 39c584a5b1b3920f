# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deploy an appliance onto libvirt: plan (read-only), then create / reconcile / remove.

The domain's <metadata> records the appliance digest, the options that shaped
it and the volumes it created, so a re-run changes nothing, option changes are
reported (and applied when that is safe), and ``absent`` removes only those
volumes. Any failure removes everything the run made.

This is the entry point (:func:`build_plan`, :class:`Deployer`); plan.py computes the plan,
domain_deployer.py deploys one system, vapp_deployer.py a VirtualSystemCollection. The names
callers import from here stay importable from here.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.domain_deployer import (
    REDEFINE_OPTIONS, REDEPLOY_OPTIONS, DomainDeployer)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.libvirt_domain import (
    LIBVIRT_IMPORT_ERROR, STATE_NAMES, domain_facts, libvirt, wait_for_state)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.outcome import Outcome
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.plan import (
    Plan, VappPlan, build_plan, split_properties)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.vapp_deployer import VappDeployer

# What callers import from here, wherever it is defined now (moved code is imported back).
__all__ = [
    'LIBVIRT_IMPORT_ERROR', 'REDEFINE_OPTIONS', 'REDEPLOY_OPTIONS', 'STATE_NAMES', 'Deployer',
    'Outcome', 'Plan', 'VappPlan', 'build_plan', 'domain_facts', 'libvirt', 'split_properties',
    'wait_for_state',
]


class Deployer(DomainDeployer):
    def ensure(self, plan, state):
        """Bring domain ``params['name']`` (or, for a vApp, its member domains) to ``state``.

        ``plan`` is a Plan, a VappPlan, or None for ``absent``. Returns an Outcome; in check mode
        nothing on the host changes.
        """
        self.connect()
        try:
            vapp = VappDeployer(self)
            if isinstance(plan, VappPlan):
                outcome = vapp.ensure(plan, state)
            elif plan is None and self.lookup() is None and vapp.domains():
                outcome = vapp.ensure(None, state)
            else:
                outcome = self._ensure_single(plan, state)
        finally:
            self.close()
        outcome.warnings = self.warnings
        return outcome
