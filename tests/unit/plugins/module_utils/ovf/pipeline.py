# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deploy pipeline without libvirt: open, verify, plan and write disks into a directory."""
from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import diskplan
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import (
    Appliance, read_trusted_certs)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.properties import resolve_values


def run(path, pool, trusted_certs=None, policy='warn', out_format='qcow2', configuration=None,
        properties=None, max_disk_size=1 << 30):
    appliance = Appliance(path, policy, read_trusted_certs(trusted_certs))
    system = appliance.envelope.system()
    config = appliance.envelope.choose_configuration(configuration)
    items = system.items(config)
    values = {p.key: v for p, v in resolve_values(system.properties, properties, config)}
    jobs = diskplan.plan(appliance, items, values, 'vm', out_format, max_disk_size)
    diskplan.check_space(jobs, pool)
    created = diskplan.write_all_or_nothing(appliance, jobs, pool, appliance.manifest,
                                            max_disk_size)
    return appliance, jobs, created
