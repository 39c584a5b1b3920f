# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VirtualHardwareSection items and their selection per DeploymentOption configuration."""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.units import to_bytes
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.xmlsafe import local_name

RESOURCE_NAMES = {
    1: 'other', 3: 'processor', 4: 'memory', 5: 'ide_controller', 6: 'scsi_controller',
    7: 'fc_hba', 8: 'iscsi_hba', 9: 'ib_hca', 10: 'ethernet', 11: 'other_network',
    12: 'io_slot', 13: 'io_device', 14: 'floppy', 15: 'cdrom', 16: 'dvd', 17: 'disk',
    18: 'tape', 19: 'storage_extent', 20: 'other_storage', 21: 'serial_port',
    22: 'parallel_port', 23: 'usb_controller', 24: 'graphics', 25: 'ieee1394',
    26: 'partitionable_unit', 27: 'base_partitionable_unit', 28: 'power', 29: 'cooling',
    30: 'ethernet_switch_port', 31: 'logical_disk', 32: 'storage_volume',
    33: 'ethernet_connection', 34: 'dmtf_reserved', 35: 'vendor_reserved',
}
_MULTI = ('HostResource', 'Connection')
_ALIASES = {'InstanceId': 'InstanceID', 'Caption': 'ElementName'}


class Item:
    """One hardware Item (rasd), StorageItem (sasd) or EthernetPortItem (epasd)."""

    def __init__(self, fields, configurations, required, bound):
        self.fields = fields
        self.configurations = configurations
        self.required = required
        self.bound = bound

    def get(self, name, default=None):
        return self.fields.get(name, default)

    @property
    def instance_id(self):
        return self.fields.get('InstanceID')

    @property
    def resource_type(self):
        try:
            return int(self.fields.get('ResourceType'))
        except (TypeError, ValueError):
            return None

    def disk_id(self):
        """The ``ovf:/disk/<id>`` this Item maps, or None."""
        for resource in self.fields.get('HostResource') or []:
            target = resource[4:] if resource.startswith('ovf:') else resource
            parts = target.strip('/').split('/', 1)
            if len(parts) == 2 and parts[0] == 'disk':
                return parts[1]
        return None

    @property
    def is_disk(self):
        """A disk drive (17), or a storage extent (19, as XenCenter writes) mapping a Disk."""
        return self.resource_type == 17 or (self.resource_type == 19 and self.disk_id() is not None)

    @property
    def sub_types(self):
        return (self.fields.get('ResourceSubType') or '').split()

    def quantity_bytes(self, default_units):
        quantity = self.fields.get('VirtualQuantity')
        if quantity is None:
            return None
        return to_bytes(quantity, self.fields.get('AllocationUnits') or default_units,
                        'memory VirtualQuantity')

    def as_dict(self):
        result = {
            'instance_id': self.instance_id,
            'resource_type': self.resource_type,
            'kind': RESOURCE_NAMES.get(self.resource_type, 'unknown'),
            'element_name': self.fields.get('ElementName'),
            'sub_types': self.sub_types,
            'required': self.required,
        }
        for name, key in (('VirtualQuantity', 'virtual_quantity'),
                          ('AllocationUnits', 'allocation_units'), ('Parent', 'parent'),
                          ('AddressOnParent', 'address_on_parent'), ('Address', 'address'),
                          ('HostResource', 'host_resources'), ('Connection', 'connections')):
            if self.fields.get(name) not in (None, []):
                result[key] = self.fields[name]
        return result


def parse_item(element, attr):
    fields = {'HostResource': [], 'Connection': []}
    for child in element:
        name = local_name(child)
        if name is None:
            continue
        name = _ALIASES.get(name, name)
        text = (child.text or '').strip()
        if name in _MULTI:
            if text:
                fields[name].append(text)
        elif name not in fields:
            fields[name] = text
    configs = attr(element, 'configuration')
    required = (attr(element, 'required') or 'true').strip().lower() != 'false'
    bound = attr(element, 'bound')
    item = Item(fields, configs.split() if configs else None, required, bound)
    rtype = item.resource_type
    if item.instance_id is None:
        raise DescriptorError('a hardware Item has no InstanceID', 'bad_item')
    if rtype is None:
        raise DescriptorError('hardware Item %s has no valid ResourceType' % item.instance_id,
                              'bad_item')
    if rtype not in RESOURCE_NAMES and rtype < 32768 and required:
        raise DescriptorError('hardware Item %s has ResourceType %d, which is not understood, and '
                              'is required' % (item.instance_id, rtype), 'unsupported_required')
    return item


def select_items(items, configuration):
    """The effective items for ``configuration``: per InstanceID, a matching override wins."""
    chosen = {}
    order = []
    for item in items:
        if item.bound and item.bound not in ('normal',):
            continue
        iid = item.instance_id
        if item.configurations is None:
            if iid not in chosen:
                chosen[iid] = item
                order.append(iid)
            elif chosen[iid].configurations is None:
                chosen[iid] = item
        elif configuration in item.configurations:
            if iid not in chosen:
                order.append(iid)
            chosen[iid] = item
    return [chosen[iid] for iid in order]


def summarise(items, memory_default_units='byte * 2^20'):
    """CPU, memory and device counts of a selected item list (for ovf_info)."""
    summary = {'cpus': None, 'memory_bytes': None, 'cores_per_socket': None, 'nics': 0, 'disks': 0,
               'cdroms': 0, 'optional_devices': 0}
    for item in items:
        rtype = item.resource_type
        if rtype == 3:
            try:
                summary['cpus'] = int(item.get('VirtualQuantity'))
            except (TypeError, ValueError):
                raise DescriptorError('processor Item %s has no valid VirtualQuantity'
                                      % item.instance_id, 'bad_item')
            cores = item.get('CoresPerSocket')
            if cores:
                summary['cores_per_socket'] = int(cores)
        elif rtype == 4:
            summary['memory_bytes'] = item.quantity_bytes(memory_default_units)
        elif rtype == 10:
            summary['nics'] += 1
            if not item.required:
                summary['optional_devices'] += 1
        elif item.is_disk:
            summary['disks'] += 1
            if not item.required:
                summary['optional_devices'] += 1
        elif rtype in (15, 16):
            summary['cdroms'] += 1
    return summary
