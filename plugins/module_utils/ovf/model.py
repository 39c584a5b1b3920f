# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model a descriptor is read into: files, disks, hardware, products, systems, the envelope.

Nothing here reads XML (see envelope.py); the classes only hold what was read and answer the
questions a deployment asks of it (which hardware section, which configuration, start order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.hardware import select_items
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.units import to_bytes

# A Disk capacity given as a ProductSection property (``${key}``), resolved at deployment.
PROPERTY_REF = re.compile(r'^\$\{([^}]+)\}$')


# eq=False: parsed objects compare (and hash) by identity, as plain classes do.
@dataclass(eq=False)
class FileRef:
    id: str
    href: str
    size: int | None
    compression: str | None
    chunk_size: int | None

    def as_dict(self):
        return {'id': self.id, 'href': self.href, 'size': self.size,
                'compression': self.compression, 'chunk_size': self.chunk_size}


@dataclass(eq=False)
class Disk:
    id: str
    file_ref: str | None
    capacity: str
    units: str
    capacity_bytes: int | None  # None while the capacity is a ${property} reference
    format: str | None
    populated_size: int | None

    def as_dict(self):
        return {'id': self.id, 'file_ref': self.file_ref, 'capacity': self.capacity,
                'capacity_allocation_units': self.units, 'capacity_bytes': self.capacity_bytes,
                'format': self.format, 'populated_size': self.populated_size}


@dataclass(eq=False)
class HardwareSection:
    id: str | None
    transports: list
    system_types: list
    items: list
    extra_config: dict


@dataclass(eq=False)
class Product:
    klass: str | None
    instance: str | None
    info: dict
    properties: list

    def as_dict(self):
        result = {'class': self.klass, 'instance': self.instance}
        result.update(self.info)
        return result


class VirtualSystem:
    def __init__(self, system_id, name):
        self.id = system_id
        self.name = name
        self.hardware = []
        self.os = None
        self.products = []
        self.eulas = []
        self.annotation = None
        self.vbox_firmware = None
        self.parent = None  # the id of the VirtualSystemCollection holding it

    @property
    def properties(self):
        return [p for product in self.products for p in product.properties]

    def hardware_section(self):
        """The section for qemu/kvm when several exist (one per VirtualSystemType), else the first."""
        if not self.hardware:
            raise DescriptorError('virtual system %s has no VirtualHardwareSection' % self.id,
                                  'no_hardware')
        for section in self.hardware:
            if any(t.startswith(('qemu', 'kvm')) for t in section.system_types):
                return section
        return self.hardware[0]

    def items(self, configuration):
        return select_items(self.hardware_section().items, configuration)

    @property
    def firmware(self):
        """``efi`` or ``bios``: VMware's ``vmw:Config firmware``, else VirtualBox's Firmware."""
        config = self.hardware_section().extra_config
        value = (config.get('firmware') or self.vbox_firmware or '').lower()
        return 'efi' if value == 'efi' else 'bios'

    @property
    def secure_boot(self):
        """VMware's ``bootOptions.efiSecureBootEnabled`` (False when absent)."""
        config = self.hardware_section().extra_config
        return (config.get('bootOptions.efiSecureBootEnabled') or '').strip().lower() == 'true'


class Collection:
    """A VirtualSystemCollection: its own sections and its members (systems or collections)."""

    def __init__(self, collection_id, name):
        self.id = collection_id
        self.name = name
        self.members = []
        self.startup = []
        self.products = []
        self.eulas = []
        self.annotation = None

    def startup_entry(self, member_id):
        for entry in self.startup:
            if entry['id'] == member_id:
                return entry
        return None


class Envelope:
    def __init__(self, version, namespace):
        self.version = version
        self.namespace = namespace
        self.files = {}
        self.disks = {}
        self.networks = []
        self.configurations = []
        self.systems = []
        self.collection = None  # the id of the top VirtualSystemCollection
        self.root = None  # the top VirtualSystem or Collection
        self.eulas = []
        self.warnings = []

    @property
    def default_configuration(self):
        for config in self.configurations:
            if config['default']:
                return config['id']
        return self.configurations[0]['id'] if self.configurations else None

    @property
    def is_collection(self):
        return self.collection is not None

    def system(self):
        """The single VirtualSystem to deploy (refused for a vApp: use ``systems``)."""
        if self.collection is not None:
            raise DescriptorError('the package holds a VirtualSystemCollection (%s, %d systems); '
                                  'it is deployed system by system'
                                  % (self.collection, len(self.systems)), 'collection')
        return self.systems[0]

    def start_order(self):
        """The systems as ``[(system, startup entry or None)]`` in StartupSection order.

        Nested collections start as a unit at their own place in their parent's order.
        """
        if not isinstance(self.root, Collection):
            return [(s, None) for s in self.systems]
        return _ordered(self.root)

    def choose_configuration(self, wanted):
        ids = [c['id'] for c in self.configurations]
        if wanted is None:
            return self.default_configuration
        if wanted not in ids:
            raise DescriptorError('deployment option %r does not exist; choose one of: %s'
                                  % (wanted, ', '.join(ids) or '(none declared)'),
                                  'unknown_deployment_option')
        return wanted


def _ordered(collection, inherited=None):
    """Members of ``collection`` by StartupSection order (stable; unlisted ones last)."""
    ranked = []
    for position, member in enumerate(collection.members):
        entry = collection.startup_entry(member.id) or inherited
        order = entry['order'] if entry and entry.get('order') is not None else 1 << 30
        ranked.append((order, position, member, entry))
    ranked.sort(key=lambda r: (r[0], r[1]))
    result = []
    for _order, _position, member, entry in ranked:
        if isinstance(member, Collection):
            result.extend(_ordered(member, entry))
        else:
            result.append((member, entry))
    return result


def disk_capacity_bytes(disk, property_values):
    """Capacity in bytes, resolving a ``${property}`` reference from the chosen values."""
    if disk.capacity_bytes is not None:
        return disk.capacity_bytes
    key = PROPERTY_REF.match(disk.capacity).group(1)
    if key not in property_values:
        raise DescriptorError('Disk %s capacity refers to unknown property %s' % (disk.id, key),
                              'dangling_reference')
    return to_bytes(property_values[key], disk.units, 'Disk %s capacity' % disk.id)
