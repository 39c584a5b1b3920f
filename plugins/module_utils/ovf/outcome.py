# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Outcome of a deployment run: what ovf_deploy reports."""

from __future__ import annotations


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
