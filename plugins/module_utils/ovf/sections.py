# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers of the descriptor's sections, each given the shared :class:`~.reader.Reader`.

References, DiskSection, NetworkSection and DeploymentOptionSection fill the envelope (they
may stand at any level); the others return what they read for the system or collection
holding them (see content.py).
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.hardware import parse_item
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.model import (
    PROPERTY_REF, Disk, FileRef, HardwareSection, Product)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.properties import Property
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.reader import VMW
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.units import to_bytes
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.xmlsafe import local_name

STARTUP_ACTIONS = {'start': ('powerOn', 'none'), 'stop': ('powerOff', 'guestShutdown', 'none')}


def parse_references(reader, root, env):
    refs = reader.children(root, 'References')
    if not refs:
        foreign = [c for c in root if isinstance(c.tag, str) and local_name(c) == 'References']
        if foreign:
            raise DescriptorError('the References element is in namespace %r, not the envelope\'s '
                                  '(%s)' % (xmlsafe.namespace(foreign[0]), reader.ns),
                                  'foreign_namespace')
        raise DescriptorError('the envelope has no References element (DSP0243 requires one, '
                              'even when empty)', 'no_references')
    if len(refs) > 1:
        raise DescriptorError('the envelope has %d References elements; DSP0243 allows one'
                              % len(refs), 'several_references')
    hrefs = set()
    for element in reader.children(refs[0], 'File'):
        file_id = reader.attr(element, 'id')
        href = reader.attr(element, 'href')
        if not file_id or not href:
            raise DescriptorError('a File element lacks ovf:id or ovf:href', 'bad_file')
        if file_id in env.files:
            raise DescriptorError('File id %s is declared twice' % file_id, 'duplicate_file')
        if href in hrefs:
            raise DescriptorError('file %s is referenced by two File elements' % href,
                                  'duplicate_file')
        hrefs.add(href)
        compression = (reader.attr(element, 'compression') or '').strip().lower() or None
        if compression == 'identity':
            compression = None
        if compression not in (None, 'gzip'):
            raise DescriptorError('File %s uses compression %r; only gzip is supported'
                                  % (file_id, compression), 'unsupported_compression')
        env.files[file_id] = FileRef(file_id, href, reader.int_attr(element, 'size', 'File'),
                                     compression, reader.int_attr(element, 'chunkSize', 'File'))


def parse_disks(reader, section, env):
    for element in reader.children(section, 'Disk'):
        disk_id = reader.attr(element, 'diskId')
        if not disk_id:
            raise DescriptorError('a Disk lacks ovf:diskId', 'bad_disk')
        if disk_id in env.disks:
            raise DescriptorError('Disk %s is declared twice; one of them would be dropped'
                                  % disk_id, 'duplicate_disk')
        capacity = reader.attr(element, 'capacity')
        if capacity is None:
            raise DescriptorError('Disk %s has no ovf:capacity' % disk_id, 'bad_disk')
        units = reader.attr(element, 'capacityAllocationUnits') or 'byte'
        capacity_bytes = None
        if not PROPERTY_REF.match(capacity.strip()):
            capacity_bytes = to_bytes(capacity, units, 'Disk %s capacity' % disk_id)
        env.disks[disk_id] = Disk(disk_id, reader.attr(element, 'fileRef'), capacity.strip(), units,
                                  capacity_bytes, reader.attr(element, 'format'),
                                  reader.int_attr(element, 'populatedSize', 'Disk'))


def parse_networks(reader, section, env):
    for element in reader.children(section, 'Network'):
        name = reader.attr(element, 'name')
        if not name:
            raise DescriptorError('a Network lacks ovf:name', 'bad_network')
        if any(n['name'] == name for n in env.networks):
            continue
        env.networks.append({'name': name,
                             'description': reader.child_text(element, 'Description')})


def parse_configurations(reader, section, env):
    for element in reader.children(section, 'Configuration'):
        env.configurations.append({
            'id': reader.attr(element, 'id'),
            'default': (reader.attr(element, 'default') or '').lower() == 'true',
            'label': reader.child_text(element, 'Label'),
            'description': reader.child_text(element, 'Description'),
        })


def parse_startup(reader, section, where):
    """StartupSection items (advisory: a bad value is a warning)."""
    entries = []
    for element in reader.children(section, 'Item'):
        member_id = reader.attr(element, 'id')
        if not member_id:
            reader.warn('%s: a StartupSection Item has no ovf:id; ignored' % where)
            continue
        what = 'StartupSection Item %s' % member_id
        entry = {'id': member_id,
                 'order': reader.advisory_int(element, 'order', what),
                 'start_delay': reader.advisory_int(element, 'startDelay', what) or 0,
                 'stop_delay': reader.advisory_int(element, 'stopDelay', what) or 0,
                 'waiting_for_guest': (reader.attr(element, 'waitingForGuest') or '')
                 .strip().lower() == 'true'}
        for action, allowed in STARTUP_ACTIONS.items():
            value = (reader.attr(element, action + 'Action') or allowed[0]).strip()
            if value not in allowed:
                reader.warn('%s %sAction=%r is not one of %s; %s assumed'
                            % (what, action, value, ', '.join(allowed), allowed[0]))
                value = allowed[0]
            entry[action + '_action'] = value
        entries.append(entry)
    return entries


def parse_os(reader, child):
    return {'id': reader.advisory_int(child, 'id', 'OperatingSystemSection'),
            'version': reader.attr(child, 'version'),
            'description': reader.child_text(child, 'Description'),
            'vmw_os_type': child.get('{%s}osType' % VMW)}


def vbox_firmware(machine):
    """``Hardware/Firmware/@type`` of a VirtualBox ``vbox:Machine`` (any child namespace)."""
    for element in machine.iter():
        if local_name(element) == 'Firmware' and element.get('type'):
            return element.get('type').strip().lower()
    return None


def check_instance_ids(items, where):
    """Two Items with one InstanceID in the same configuration: one would be silently dropped.

    An Item bound to configurations may override an unbound one (DeploymentOptionSection), and
    ``ovf:bound`` min/max ranges share their InstanceID; neither is a duplicate.
    """
    seen = {}
    for item in items:
        if item.bound and item.bound != 'normal':
            continue
        scope = None if item.configurations is None else frozenset(item.configurations)
        for other in seen.get(item.instance_id, []):
            if (scope is None and other is None) or (scope is not None and other is not None
                                                     and scope & other):
                raise DescriptorError('%s has two hardware Items with InstanceID %s%s; one would '
                                      'be dropped' % (where, item.instance_id,
                                                      '' if scope is None else ' in configuration '
                                                      + ', '.join(sorted(scope & other))),
                                      'duplicate_instance_id')
        seen.setdefault(item.instance_id, []).append(scope)


def parse_hardware(reader, section, where='the virtual system'):
    transports = (reader.attr(section, 'transport') or '').split()
    system_types, items, extra = [], [], {}
    for child in section:
        if not isinstance(child.tag, str):
            continue
        name = local_name(child)
        if name == 'System':
            for sub in child:
                if local_name(sub) == 'VirtualSystemType' and sub.text:
                    system_types.extend(sub.text.split())
        elif name in ('Item', 'StorageItem', 'EthernetPortItem'):
            items.append(parse_item(child, reader.attr))
        elif name in ('Config', 'ExtraConfig') and xmlsafe.namespace(child) == VMW:
            key = child.get('{%s}key' % VMW)
            if key:
                extra[key] = child.get('{%s}value' % VMW)
        elif name != 'Info':
            reader.check_required(child, 'the VirtualHardwareSection of %s' % where)
    check_instance_ids(items, 'the VirtualHardwareSection of %s' % where)
    return HardwareSection(reader.attr(section, 'id'), transports, system_types, items, extra)


def parse_product(reader, section):
    info = {}
    for key, name in (('product', 'Product'), ('vendor', 'Vendor'), ('version', 'Version'),
                      ('full_version', 'FullVersion'), ('product_url', 'ProductUrl'),
                      ('vendor_url', 'VendorUrl'), ('app_url', 'AppUrl'), ('info', 'Info')):
        info[key] = reader.child_text(section, name)
    klass = reader.attr(section, 'class')
    instance = reader.attr(section, 'instance')
    properties = []
    category = None
    for element in section:
        if not isinstance(element.tag, str) or not reader.own(element):
            continue
        if reader.kind(element) == 'Category':
            category = (element.text or '').strip() or None
            continue
        if reader.kind(element) != 'Property':
            continue
        key = reader.attr(element, 'key')
        if not key:
            raise DescriptorError('a Property lacks ovf:key', 'bad_property')
        value = reader.attr(element, 'value')
        if value is None:
            value = reader.attr(element, 'defaultValue')
        configurable = reader.attr(element, 'userConfigurable')
        if configurable is None:
            configurable = reader.attr(element, 'configurableByUser')
        per_config = {}
        for child in reader.children(element, 'Value'):
            for config in (reader.attr(child, 'configuration') or '').split():
                per_config[config] = reader.attr(child, 'value') or ''
        prop = Property(
            key, reader.attr(element, 'type') or 'string', value or '',
            reader.attr(element, 'qualifiers'), (configurable or '').lower() == 'true',
            (reader.attr(element, 'password') or '').lower() == 'true',
            reader.child_text(element, 'Label'), reader.child_text(element, 'Description'),
            klass, instance, per_config)
        prop.category = category
        properties.append(prop)
    return Product(klass, instance, info, properties)
