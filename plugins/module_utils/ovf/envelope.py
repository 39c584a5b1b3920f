# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVF descriptor -> model: files, disks, networks, systems, hardware, products, EULAs.

OVF 0.9 (VMware), 1.x and 2.x envelopes are read, including VirtualBox's
``...Data.xsd`` CIM namespace variants: elements are matched by local name
within the envelope namespace, and 0.9's ``xsi:type`` sections by type name.
"""

from __future__ import annotations

import re

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.hardware import parse_item, select_items
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.properties import Property
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.units import to_bytes
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.xmlsafe import local_name

ENVELOPE_NAMESPACES = {
    'http://www.vmware.com/schema/ovf/1/envelope': '0.9',
    'http://schemas.dmtf.org/ovf/envelope/1': '1.x',
    'http://schemas.dmtf.org/ovf/envelope/2': '2.x',
}
XSI = 'http://www.w3.org/2001/XMLSchema-instance'
VMW = 'http://www.vmware.com/schema/ovf'
KNOWN_SECTIONS = frozenset([
    'DiskSection', 'NetworkSection', 'DeploymentOptionSection', 'VirtualHardwareSection',
    'OperatingSystemSection', 'ProductSection', 'EulaSection', 'AnnotationSection',
    'InstallSection', 'StartupSection', 'ResourceAllocationSection', 'PropertySection',
    'EnvironmentFilesSection', 'BootDeviceSection', 'SharedDiskSection', 'ScaleOutSection',
    'PlacementGroupSection', 'PlacementSection', 'EncryptionSection', 'CompatibilitySection',
])
_PROPERTY_REF = re.compile(r'^\$\{([^}]+)\}$')


class FileRef:
    def __init__(self, file_id, href, size, compression, chunk_size):
        self.id = file_id
        self.href = href
        self.size = size
        self.compression = compression
        self.chunk_size = chunk_size

    def as_dict(self):
        return {'id': self.id, 'href': self.href, 'size': self.size,
                'compression': self.compression, 'chunk_size': self.chunk_size}


class Disk:
    def __init__(self, disk_id, file_ref, capacity, units, capacity_bytes, fmt, populated):
        self.id = disk_id
        self.file_ref = file_ref
        self.capacity = capacity
        self.units = units
        self.capacity_bytes = capacity_bytes
        self.format = fmt
        self.populated_size = populated

    def as_dict(self):
        return {'id': self.id, 'file_ref': self.file_ref, 'capacity': self.capacity,
                'capacity_allocation_units': self.units, 'capacity_bytes': self.capacity_bytes,
                'format': self.format, 'populated_size': self.populated_size}


class HardwareSection:
    def __init__(self, section_id, transports, system_types, items, extra_config):
        self.id = section_id
        self.transports = transports
        self.system_types = system_types
        self.items = items
        self.extra_config = extra_config


class Product:
    def __init__(self, klass, instance, info, properties):
        self.klass = klass
        self.instance = instance
        self.info = info
        self.properties = properties

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
        config = self.hardware_section().extra_config
        value = (config.get('firmware') or '').lower()
        return 'efi' if value == 'efi' else 'bios'


class Envelope:
    def __init__(self, version, namespace):
        self.version = version
        self.namespace = namespace
        self.files = {}
        self.disks = {}
        self.networks = []
        self.configurations = []
        self.systems = []
        self.collection = None
        self.eulas = []
        self.warnings = []

    @property
    def default_configuration(self):
        for config in self.configurations:
            if config['default']:
                return config['id']
        return self.configurations[0]['id'] if self.configurations else None

    def system(self):
        """The single VirtualSystem to deploy."""
        if self.collection is not None:
            raise DescriptorError('the package holds a VirtualSystemCollection (%s, %d systems); '
                                  'deploy each system from its own package'
                                  % (self.collection, len(self.systems)), 'collection')
        return self.systems[0]

    def choose_configuration(self, wanted):
        ids = [c['id'] for c in self.configurations]
        if wanted is None:
            return self.default_configuration
        if wanted not in ids:
            raise DescriptorError('deployment option %r does not exist; choose one of: %s'
                                  % (wanted, ', '.join(ids) or '(none declared)'),
                                  'unknown_deployment_option')
        return wanted


class _Reader:
    def __init__(self, root):
        self.ns = xmlsafe.namespace(root)
        self.version = ENVELOPE_NAMESPACES.get(self.ns)

    def attr(self, element, name):
        for key in ('{%s}%s' % (self.ns, name), name):
            value = element.get(key)
            if value is not None:
                return value
        return None

    def kind(self, element):
        """Section kind: local name, or the ``xsi:type`` of a 0.9 ``Section``/``Content``."""
        name = local_name(element)
        if name in ('Section', 'Content'):
            xtype = element.get('{%s}type' % XSI)
            if xtype:
                return xtype.split(':')[-1].replace('_Type', '')
        return name

    def own(self, element):
        return xmlsafe.namespace(element) == self.ns

    def children(self, element, kind):
        return [c for c in element if self.own(c) and self.kind(c) == kind]

    def child_text(self, element, name):
        for child in element:
            if local_name(child) == name and self.own(child):
                return (child.text or '').strip()
        return None

    def check_required(self, section, where):
        kind = self.kind(section)
        if kind is None:
            return
        if self.own(section):
            if kind.endswith('Section') and kind not in KNOWN_SECTIONS:
                if (self.attr(section, 'required') or 'true').lower() != 'false':
                    raise DescriptorError('%s has a required section %s that is not understood'
                                          % (where, kind), 'unsupported_required')
            return
        required = section.get('{%s}required' % self.ns)
        if required is not None and required.lower() != 'false' and kind.endswith('Section'):
            raise DescriptorError('%s has a required extension section %s that is not understood'
                                  % (where, kind), 'unsupported_required')


def parse_envelope(data):
    """Parse descriptor bytes into an :class:`Envelope`."""
    root = xmlsafe.parse(data, 'the OVF descriptor')
    reader = _Reader(root)
    if local_name(root) != 'Envelope':
        raise DescriptorError('the descriptor root is <%s>, not <Envelope>' % local_name(root),
                              'not_an_envelope')
    if reader.version is None:
        raise DescriptorError('unknown OVF envelope namespace %r (supported: OVF 0.9, 1.x, 2.x)'
                              % reader.ns, 'unknown_version')
    env = Envelope(reader.version, reader.ns)
    _parse_references(reader, root, env)
    content = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        kind = reader.kind(child)
        if kind in ('References', 'Strings'):
            continue
        if kind in ('VirtualSystem', 'VirtualSystemCollection'):
            if content is not None:
                raise DescriptorError('the envelope has more than one Content element',
                                      'bad_envelope')
            content = child
        elif kind == 'DiskSection':
            _parse_disks(reader, child, env)
        elif kind == 'NetworkSection':
            _parse_networks(reader, child, env)
        elif kind == 'DeploymentOptionSection':
            _parse_configurations(reader, child, env)
        elif kind == 'EulaSection':
            env.eulas.append(reader.child_text(child, 'License') or '')
        else:
            reader.check_required(child, 'the envelope')
    if content is None:
        raise DescriptorError('the envelope has no VirtualSystem or VirtualSystemCollection',
                              'no_content')
    _parse_content(reader, content, env)
    _check_references(env)
    return env


def _int_attr(reader, element, name, what):
    value = reader.attr(element, name)
    if value in (None, ''):
        return None
    try:
        number = int(value)
    except ValueError:
        raise DescriptorError('%s %s=%r is not an integer' % (what, name, value), 'bad_number')
    if number < 0:
        raise DescriptorError('%s %s is negative' % (what, name), 'bad_number')
    return number


def _parse_references(reader, root, env):
    refs = reader.children(root, 'References')
    if len(refs) != 1:
        raise DescriptorError('the envelope must have exactly one References element',
                              'bad_envelope')
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
        env.files[file_id] = FileRef(file_id, href, _int_attr(reader, element, 'size', 'File'),
                                     compression, _int_attr(reader, element, 'chunkSize', 'File'))


def _parse_disks(reader, section, env):
    for element in reader.children(section, 'Disk'):
        disk_id = reader.attr(element, 'diskId')
        if not disk_id:
            raise DescriptorError('a Disk lacks ovf:diskId', 'bad_disk')
        capacity = reader.attr(element, 'capacity')
        if capacity is None:
            raise DescriptorError('Disk %s has no ovf:capacity' % disk_id, 'bad_disk')
        units = reader.attr(element, 'capacityAllocationUnits') or 'byte'
        capacity_bytes = None
        if not _PROPERTY_REF.match(capacity.strip()):
            capacity_bytes = to_bytes(capacity, units, 'Disk %s capacity' % disk_id)
        env.disks[disk_id] = Disk(disk_id, reader.attr(element, 'fileRef'), capacity.strip(), units,
                                  capacity_bytes, reader.attr(element, 'format'),
                                  _int_attr(reader, element, 'populatedSize', 'Disk'))


def _parse_networks(reader, section, env):
    for element in reader.children(section, 'Network'):
        name = reader.attr(element, 'name')
        if not name:
            raise DescriptorError('a Network lacks ovf:name', 'bad_network')
        env.networks.append({'name': name,
                             'description': reader.child_text(element, 'Description')})


def _parse_configurations(reader, section, env):
    for element in reader.children(section, 'Configuration'):
        env.configurations.append({
            'id': reader.attr(element, 'id'),
            'default': (reader.attr(element, 'default') or '').lower() == 'true',
            'label': reader.child_text(element, 'Label'),
            'description': reader.child_text(element, 'Description'),
        })


def _parse_content(reader, content, env):
    kind = reader.kind(content)
    if kind == 'VirtualSystem':
        env.systems.append(_parse_system(reader, content, env))
        return
    env.collection = reader.attr(content, 'id')
    for child in content:
        if not isinstance(child.tag, str):
            continue
        child_kind = reader.kind(child)
        if child_kind in ('VirtualSystem', 'VirtualSystemCollection'):
            _parse_nested(reader, child, env)
        elif child_kind == 'DiskSection':
            _parse_disks(reader, child, env)
        elif child_kind == 'NetworkSection':
            _parse_networks(reader, child, env)
        elif child_kind == 'DeploymentOptionSection':
            _parse_configurations(reader, child, env)
        elif child_kind == 'EulaSection':
            env.eulas.append(reader.child_text(child, 'License') or '')
        elif child_kind not in ('Info', 'Name', 'ProductSection'):
            reader.check_required(child, 'collection %s' % env.collection)


def _parse_nested(reader, element, env):
    if reader.kind(element) == 'VirtualSystem':
        env.systems.append(_parse_system(reader, element, env))
    else:
        for child in element:
            nested = ('VirtualSystem', 'VirtualSystemCollection')
            if isinstance(child.tag, str) and reader.kind(child) in nested:
                _parse_nested(reader, child, env)


def _parse_system(reader, element, env):
    system = VirtualSystem(reader.attr(element, 'id'), reader.child_text(element, 'Name'))
    where = 'virtual system %s' % system.id
    for child in element:
        if not isinstance(child.tag, str):
            continue
        kind = reader.kind(child)
        if kind in ('Info', 'Name'):
            continue
        if kind == 'VirtualHardwareSection':
            system.hardware.append(_parse_hardware(reader, child))
        elif kind == 'OperatingSystemSection':
            system.os = {'id': _int_attr(reader, child, 'id', 'OperatingSystemSection'),
                         'version': reader.attr(child, 'version'),
                         'description': reader.child_text(child, 'Description'),
                         'vmw_os_type': child.get('{%s}osType' % VMW)}
        elif kind == 'ProductSection':
            system.products.append(_parse_product(reader, child))
        elif kind == 'EulaSection':
            system.eulas.append(reader.child_text(child, 'License') or '')
        elif kind == 'AnnotationSection':
            system.annotation = reader.child_text(child, 'Annotation')
        elif kind == 'DiskSection':
            _parse_disks(reader, child, env)
        elif kind == 'NetworkSection':
            _parse_networks(reader, child, env)
        elif kind == 'DeploymentOptionSection':
            _parse_configurations(reader, child, env)
        else:
            reader.check_required(child, where)
    return system


def _parse_hardware(reader, section):
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
            reader.check_required(child, 'the VirtualHardwareSection')
    return HardwareSection(reader.attr(section, 'id'), transports, system_types, items, extra)


def _parse_product(reader, section):
    info = {}
    for key, name in (('product', 'Product'), ('vendor', 'Vendor'), ('version', 'Version'),
                      ('full_version', 'FullVersion'), ('product_url', 'ProductUrl'),
                      ('vendor_url', 'VendorUrl'), ('app_url', 'AppUrl'), ('info', 'Info')):
        info[key] = reader.child_text(section, name)
    klass = reader.attr(section, 'class')
    instance = reader.attr(section, 'instance')
    properties = []
    for element in reader.children(section, 'Property'):
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
        properties.append(Property(
            key, reader.attr(element, 'type') or 'string', value or '',
            reader.attr(element, 'qualifiers'), (configurable or '').lower() == 'true',
            (reader.attr(element, 'password') or '').lower() == 'true',
            reader.child_text(element, 'Label'), reader.child_text(element, 'Description'),
            klass, instance, per_config))
    return Product(klass, instance, info, properties)


def _check_references(env):
    for disk in env.disks.values():
        if disk.file_ref and disk.file_ref not in env.files:
            raise DescriptorError('Disk %s refers to file %s, which is not in References'
                                  % (disk.id, disk.file_ref), 'dangling_reference')
    for system in env.systems:
        for section in system.hardware:
            for item in section.items:
                for resource in item.get('HostResource') or []:
                    target = resource.split(':', 1)[-1] if resource.startswith('ovf:') else resource
                    parts = target.strip('/').split('/', 1)
                    if len(parts) != 2:
                        continue
                    if parts[0] == 'disk' and parts[1] not in env.disks:
                        raise DescriptorError('Item %s refers to disk %s, which is not declared'
                                              % (item.instance_id, parts[1]), 'dangling_reference')
                    if parts[0] == 'file' and parts[1] not in env.files:
                        raise DescriptorError('Item %s refers to file %s, which is not in '
                                              'References' % (item.instance_id, parts[1]),
                                              'dangling_reference')


def disk_capacity_bytes(disk, property_values):
    """Capacity in bytes, resolving a ``${property}`` reference from the chosen values."""
    if disk.capacity_bytes is not None:
        return disk.capacity_bytes
    key = _PROPERTY_REF.match(disk.capacity).group(1)
    if key not in property_values:
        raise DescriptorError('Disk %s capacity refers to unknown property %s' % (disk.id, key),
                              'dangling_reference')
    return to_bytes(property_values[key], disk.units, 'Disk %s capacity' % disk.id)
