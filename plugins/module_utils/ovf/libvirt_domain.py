# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the single-system and the vApp deployer share about libvirt domains.

The libvirt bindings (None when missing: the module reports that), a domain's facts, waiting
for a power state, and the DomainSpec a plan's domain is defined from.
"""

from __future__ import annotations

import os
import time
import traceback

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import domain_xml, forwarding

LIBVIRT_IMPORT_ERROR = None
try:
    import libvirt
except ImportError:  # pragma: no cover - reported by the module
    libvirt = None
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()

# libvirt is imported here once for both deployers (and ovf_deploy, through deploy.py).
__all__ = ['LIBVIRT_IMPORT_ERROR', 'STATE_NAMES', 'defined_disks', 'disk_buses', 'domain_facts',
           'domain_spec', 'libvirt', 'wait_for_state']

STATE_NAMES = {1: 'running', 2: 'blocked', 3: 'paused', 4: 'shutdown', 5: 'shutoff',
               6: 'crashed', 7: 'pmsuspended'}


def domain_facts(domain):
    """name, uuid, state and type of ``domain`` (None for None)."""
    if domain is None:
        return None
    root = domain_xml.xmlsafe.parse(domain.XMLDesc(0).encode('utf-8'), 'the domain XML')
    return {'name': domain.name(), 'uuid': domain.UUIDString(),
            'state': STATE_NAMES.get(domain.state()[0], 'unknown'), 'type': root.get('type')}


def wait_for_state(domain, want, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if bool(domain.isActive()) == (want == 'running'):
            return True
        time.sleep(0.5)
    return False


def disk_buses(plan, pool_path):
    """The disks and cdroms of a new domain: the plan's volumes in ``pool_path``."""
    by_instance = dict((i.instance_id, i) for i in plan.items)
    disks, cdroms = [], []
    for job in plan.jobs:
        path = os.path.join(pool_path, job.volume)
        if job.role == 'cdrom':
            cdroms.append(path)
            continue
        controller = by_instance.get(job.item.get('Parent'))
        disks.append({'path': path, 'format': job.out_format,
                      'bus': domain_xml.disk_bus(controller, plan.params['disk_bus'])})
    return disks, cdroms


def defined_disks(domain, disk_bus):
    """The disks and cdroms a defined domain has, to redefine it with them (``disk_bus`` wins)."""
    root = domain_xml.xmlsafe.parse(domain.XMLDesc(0).encode('utf-8'), 'the domain XML')
    disks = []
    for el in root.findall('devices/disk[@device="disk"]'):
        disks.append({'path': el.find('source').get('file'),
                      'format': el.find('driver').get('type'),
                      'bus': disk_bus or el.find('target').get('bus')})
    cdroms = [el.find('source').get('file') for el in root.findall('devices/disk[@device="cdrom"]')
              if el.find('source') is not None]
    return disks, cdroms


def domain_spec(name, domain_type, plan, disks, cdroms, record, uuid=None):
    """The DomainSpec of ``plan``'s domain ``name``; ``record`` goes into its <metadata>."""
    spec = domain_xml.DomainSpec(name)
    spec.uuid = uuid
    spec.domain_type = domain_type
    spec.memory_bytes = plan.memory
    spec.vcpus = plan.cpus
    spec.cores_per_socket = plan.cores_per_socket
    spec.firmware = plan.firmware
    spec.disks = disks
    spec.cdroms = cdroms
    spec.nics = plan.nics
    spec.forwarded_nic = forwarding.forwarded_nic(name, plan.forwards)
    spec.metadata = record
    product = plan.appliance.product()
    spec.description = 'Deployed by cloudmgmt.dmtf.ovf_deploy from %s' % ' '.join(
        x for x in (product.get('product'), product.get('full_version') or
                    product.get('version')) if x) if product else None
    return spec
