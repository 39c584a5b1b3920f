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
VBOX = 'http://www.virtualbox.org/ovf/machine'
# Sections that only advise: a bad value in them gives a warning, never a refusal.
ADVISORY_SECTIONS = frozenset(['OperatingSystemSection', 'AnnotationSection', 'InstallSection',
                               'StartupSection'])
_DECLARED_ENCODING = re.compile(br'^<\?xml[^>]*?encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\']')
_UTF16_BOMS = (b'\xff\xfe', b'\xfe\xff')
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


class _Reader:
    def __init__(self, root, env=None):
        self.ns = xmlsafe.namespace(root)
        self.version = ENVELOPE_NAMESPACES.get(self.ns)
        self.env = env
        # 2008-era VMware exports: a prefixed ovf:Envelope whose children carry no prefix and no
        # default namespace, so they are in no namespace at all. Read them as the envelope's.
        self.unqualified = any(isinstance(c.tag, str) and xmlsafe.namespace(c) is None
                               and local_name(c) in ('References', 'VirtualSystem',
                                                     'VirtualSystemCollection', 'DiskSection')
                               for c in root)

    def warn(self, message):
        if self.env is not None and message not in self.env.warnings:
            self.env.warnings.append(message)

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
        element_ns = xmlsafe.namespace(element)
        return element_ns == self.ns or (self.unqualified and element_ns is None)

    def children(self, element, kind):
        return [c for c in element if self.own(c) and self.kind(c) == kind]

    def child_text(self, element, name):
        for child in element:
            if local_name(child) == name and self.own(child):
                return (child.text or '').strip()
        return None

    def check_required(self, section, where):
        """Refuse what is not understood but marked (or, for OVF sections, defaulted) required."""
        kind = self.kind(section)
        if kind is None:
            return
        required = self.attr(section, 'required') if self.own(section) else section.get(
            '{%s}required' % self.ns)
        explicit = required is not None and required.strip().lower() == 'true'
        if self.own(section):
            if kind.endswith('Section') and kind not in KNOWN_SECTIONS:
                if (required or 'true').strip().lower() != 'false':
                    raise DescriptorError('%s has a required section %s that is not understood'
                                          % (where, kind), 'unsupported_required')
            elif explicit:
                raise DescriptorError('%s has a required element %s that is not understood'
                                      % (where, kind), 'unsupported_required')
            return
        if explicit or (required is not None and required.strip().lower() != 'false'
                        and kind.endswith('Section')):
            raise DescriptorError('%s has a required extension element %s (%s) that is not '
                                  'understood' % (where, kind, xmlsafe.namespace(section)),
                                  'unsupported_required')

    def advisory_int(self, element, name, what):
        """An integer of an advisory section: a bad value is a warning and None, never a refusal."""
        value = self.attr(element, name)
        if value in (None, ''):
            return None
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if number is None or number < 0:
            self.warn('%s %s=%r is not a non-negative integer; ignored (advisory)'
                      % (what, name, value))
            return None
        return number


def _declared_encoding_fix(data, env):
    """Citrix XenCenter declares ``encoding="utf-16"`` on UTF-8 bytes: read them as UTF-8."""
    match = _DECLARED_ENCODING.match(data)
    if not match or data.startswith(_UTF16_BOMS):
        return data
    declared = match.group(1).decode('ascii').lower()
    if not declared.startswith(('utf-16', 'utf16', 'ucs-2', 'ucs2')):
        return data
    try:
        data.decode('utf-8')
    except UnicodeDecodeError:
        raise DescriptorError('the descriptor declares encoding %r, but its bytes are neither '
                              'UTF-16 (no byte order mark) nor UTF-8' % declared, 'bad_encoding')
    env.warnings.append('the descriptor declares encoding %r but is UTF-8 (a XenCenter export); '
                        'read as UTF-8' % declared)
    return data[:match.start(1)] + b'UTF-8' + data[match.end(1):]


def parse_envelope(data):
    """Parse descriptor bytes into an :class:`Envelope`."""
    warnings = Envelope(None, None)
    data = _declared_encoding_fix(data, warnings)
    root = xmlsafe.parse(data, 'the OVF descriptor')
    reader = _Reader(root)
    if local_name(root) != 'Envelope':
        raise DescriptorError('the descriptor root is <%s>, not <Envelope>' % local_name(root),
                              'not_an_envelope')
    if reader.version is None:
        raise DescriptorError('unknown OVF envelope namespace %r (supported: OVF 0.9, 1.x, 2.x)'
                              % reader.ns, 'unknown_version')
    env = Envelope(reader.version, reader.ns)
    env.warnings.extend(warnings.warnings)
    reader.env = env
    if reader.unqualified:
        reader.warn('the descriptor\'s elements carry no namespace (a 2008-era VMware export); '
                    'read as OVF %s' % reader.version)
    _parse_references(reader, root, env)
    content = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        kind = reader.kind(child)
        if kind in ('References', 'Strings') and reader.own(child):
            continue
        if kind in ('VirtualSystem', 'VirtualSystemCollection') and reader.own(child):
            if content is not None:
                raise DescriptorError('the envelope has more than one Content element',
                                      'bad_envelope')
            content = child
        elif not reader.own(child):
            reader.check_required(child, 'the envelope')
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
        env.files[file_id] = FileRef(file_id, href, _int_attr(reader, element, 'size', 'File'),
                                     compression, _int_attr(reader, element, 'chunkSize', 'File'))


def _parse_disks(reader, section, env):
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
        if any(n['name'] == name for n in env.networks):
            continue
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


STARTUP_ACTIONS = {'start': ('powerOn', 'none'), 'stop': ('powerOff', 'guestShutdown', 'none')}


def _parse_startup(reader, section, where):
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


def _parse_content(reader, content, env):
    if reader.kind(content) == 'VirtualSystem':
        env.root = _parse_system(reader, content, env)
        env.systems.append(env.root)
        return
    env.root = _parse_collection(reader, content, env)
    env.collection = env.root.id
    if not env.systems:
        raise DescriptorError('collection %s holds no VirtualSystem' % env.collection,
                              'no_content')
    ids = [s.id for s in env.systems]
    for system_id in sorted(set(i for i in ids if ids.count(i) > 1)):
        raise DescriptorError('VirtualSystem id %s is used twice in the collection' % system_id,
                              'duplicate_system')


def _parse_collection(reader, element, env, parent=None):
    collection = Collection(reader.attr(element, 'id'), reader.child_text(element, 'Name'))
    if not collection.id:
        raise DescriptorError('a VirtualSystemCollection lacks ovf:id', 'bad_envelope')
    where = 'collection %s' % collection.id
    for child in element:
        if not isinstance(child.tag, str):
            continue
        child_kind = reader.kind(child)
        if not reader.own(child):
            reader.check_required(child, where)
        elif child_kind == 'VirtualSystem':
            system = _parse_system(reader, child, env)
            system.parent = collection.id
            env.systems.append(system)
            collection.members.append(system)
        elif child_kind == 'VirtualSystemCollection':
            collection.members.append(_parse_collection(reader, child, env, collection.id))
        elif child_kind == 'DiskSection':
            _parse_disks(reader, child, env)
        elif child_kind == 'NetworkSection':
            _parse_networks(reader, child, env)
        elif child_kind == 'DeploymentOptionSection':
            _parse_configurations(reader, child, env)
        elif child_kind == 'EulaSection':
            license_text = reader.child_text(child, 'License') or ''
            env.eulas.append(license_text)
            collection.eulas.append(license_text)
        elif child_kind == 'StartupSection':
            collection.startup = _parse_startup(reader, child, where)
        elif child_kind == 'ProductSection':
            collection.products.append(_parse_product(reader, child))
        elif child_kind == 'AnnotationSection':
            collection.annotation = reader.child_text(child, 'Annotation')
        elif child_kind not in ('Info', 'Name'):
            reader.check_required(child, where)
    known = set(m.id for m in collection.members)
    for entry in collection.startup:
        if entry['id'] not in known:
            reader.warn('%s: StartupSection names %s, which is not one of its members; ignored'
                        % (where, entry['id']))
    collection.startup = [e for e in collection.startup if e['id'] in known]
    return collection


def _parse_os(reader, child):
    return {'id': reader.advisory_int(child, 'id', 'OperatingSystemSection'),
            'version': reader.attr(child, 'version'),
            'description': reader.child_text(child, 'Description'),
            'vmw_os_type': child.get('{%s}osType' % VMW)}


def _vbox_firmware(machine):
    """``Hardware/Firmware/@type`` of a VirtualBox ``vbox:Machine`` (any child namespace)."""
    for element in machine.iter():
        if local_name(element) == 'Firmware' and element.get('type'):
            return element.get('type').strip().lower()
    return None


def _parse_system(reader, element, env):
    system = VirtualSystem(reader.attr(element, 'id'), reader.child_text(element, 'Name'))
    if not system.id:
        raise DescriptorError('a VirtualSystem lacks ovf:id', 'bad_envelope')
    where = 'virtual system %s' % system.id
    for child in element:
        if not isinstance(child.tag, str):
            continue
        kind = reader.kind(child)
        if not reader.own(child):
            if kind == 'Machine' and xmlsafe.namespace(child) == VBOX:
                system.vbox_firmware = _vbox_firmware(child)
            else:
                reader.check_required(child, where)
        elif kind in ('Info', 'Name'):
            continue
        elif kind == 'VirtualHardwareSection':
            system.hardware.append(_parse_hardware(reader, child, where))
        elif kind == 'OperatingSystemSection':
            system.os = _parse_os(reader, child)
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
    keys = {}
    for prop in system.properties:
        if prop.env_key in keys:
            raise DescriptorError('%s declares property %s twice' % (where, prop.env_key),
                                  'duplicate_property')
        keys[prop.env_key] = prop
    return system


def _check_instance_ids(items, where):
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


def _parse_hardware(reader, section, where='the virtual system'):
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
    _check_instance_ids(items, 'the VirtualHardwareSection of %s' % where)
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
