# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The envelope's Content: its VirtualSystem, or its VirtualSystemCollection and members.

The envelope, a collection and a system each read their children the same way: by section
kind, through a table (kind -> handler) given to :func:`dispatch`. What no table names is
refused when it is marked required (:meth:`~.reader.Reader.check_required`), else ignored.
"""

from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import xmlsafe
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DescriptorError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.model import Collection, VirtualSystem
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.reader import VBOX
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.sections import (
    parse_configurations, parse_disks, parse_hardware, parse_networks, parse_os, parse_product,
    parse_startup, vbox_firmware)


class Scope:
    """What a handler fills: the envelope, the system or collection read (``owner``), and how
    messages name that owner (``where``)."""

    def __init__(self, env, owner, where):
        self.env = env
        self.owner = owner
        self.where = where
        self.content = None  # at the envelope: its one VirtualSystem(Collection) element


def dispatch(reader, element, scope, handlers, foreign=None):
    """Hand each child of ``element`` to ``handlers[kind]``.

    A child in another namespace goes to ``foreign[(namespace, kind)]`` when there is one;
    any other child no table names is checked by ``check_required``.
    """
    for child in element:
        if not isinstance(child.tag, str):
            continue
        kind = reader.kind(child)
        if reader.own(child):
            handler = handlers.get(kind)
        else:
            handler = (foreign or {}).get((xmlsafe.namespace(child), kind))
        if handler is None:
            reader.check_required(child, scope.where)
        else:
            handler(reader, child, scope)


def _ignore(reader, child, scope):
    """Read elsewhere (References) or only informative (Info, Name, Strings)."""


def _license(reader, child):
    return reader.child_text(child, 'License') or ''


def _take_content(reader, child, scope):
    if scope.content is not None:
        raise DescriptorError('the envelope has more than one Content element', 'bad_envelope')
    scope.content = child


def _disks(reader, child, scope):
    parse_disks(reader, child, scope.env)


def _networks(reader, child, scope):
    parse_networks(reader, child, scope.env)


def _configurations(reader, child, scope):
    parse_configurations(reader, child, scope.env)


def _envelope_eula(reader, child, scope):
    scope.env.eulas.append(_license(reader, child))


def _member_system(reader, child, scope):
    system = parse_system(reader, child, scope.env)
    system.parent = scope.owner.id
    scope.env.systems.append(system)
    scope.owner.members.append(system)


def _member_collection(reader, child, scope):
    scope.owner.members.append(parse_collection(reader, child, scope.env))


def _collection_eula(reader, child, scope):
    # A collection's EULAs are the whole package's too: accepting them is asked once.
    license_text = _license(reader, child)
    scope.env.eulas.append(license_text)
    scope.owner.eulas.append(license_text)


def _startup(reader, child, scope):
    scope.owner.startup = parse_startup(reader, child, scope.where)


def _product(reader, child, scope):
    scope.owner.products.append(parse_product(reader, child))


def _annotation(reader, child, scope):
    scope.owner.annotation = reader.child_text(child, 'Annotation')


def _system_eula(reader, child, scope):
    scope.owner.eulas.append(_license(reader, child))


def _hardware(reader, child, scope):
    scope.owner.hardware.append(parse_hardware(reader, child, scope.where))


def _os(reader, child, scope):
    scope.owner.os = parse_os(reader, child)


def _vbox_machine(reader, child, scope):
    scope.owner.vbox_firmware = vbox_firmware(child)


# Sections that fill the envelope wherever they stand (envelope, collection or system).
ENVELOPE_WIDE = {'DiskSection': _disks, 'NetworkSection': _networks,
                 'DeploymentOptionSection': _configurations}
# What a collection and a system both read for themselves.
OWN_SECTIONS = dict(ENVELOPE_WIDE, Info=_ignore, Name=_ignore, ProductSection=_product,
                    AnnotationSection=_annotation)
ENVELOPE_HANDLERS = dict(ENVELOPE_WIDE, References=_ignore, Strings=_ignore,
                         VirtualSystem=_take_content, VirtualSystemCollection=_take_content,
                         EulaSection=_envelope_eula)
COLLECTION_HANDLERS = dict(OWN_SECTIONS, VirtualSystem=_member_system,
                           VirtualSystemCollection=_member_collection,
                           EulaSection=_collection_eula, StartupSection=_startup)
SYSTEM_HANDLERS = dict(OWN_SECTIONS, VirtualHardwareSection=_hardware,
                       OperatingSystemSection=_os, EulaSection=_system_eula)
# Elements of other namespaces that are read, by (namespace, local name).
SYSTEM_FOREIGN = {(VBOX, 'Machine'): _vbox_machine}


def parse_content(reader, root, env):
    """Read the envelope's own sections and its Content into ``env``."""
    scope = Scope(env, env, 'the envelope')
    dispatch(reader, root, scope, ENVELOPE_HANDLERS)
    content = scope.content
    if content is None:
        raise DescriptorError('the envelope has no VirtualSystem or VirtualSystemCollection',
                              'no_content')
    if reader.kind(content) == 'VirtualSystem':
        env.root = parse_system(reader, content, env)
        env.systems.append(env.root)
        return
    env.root = parse_collection(reader, content, env)
    env.collection = env.root.id
    if not env.systems:
        raise DescriptorError('collection %s holds no VirtualSystem' % env.collection,
                              'no_content')
    ids = [s.id for s in env.systems]
    for system_id in sorted(set(i for i in ids if ids.count(i) > 1)):
        raise DescriptorError('VirtualSystem id %s is used twice in the collection' % system_id,
                              'duplicate_system')


def parse_collection(reader, element, env):
    collection = Collection(reader.attr(element, 'id'), reader.child_text(element, 'Name'))
    if not collection.id:
        raise DescriptorError('a VirtualSystemCollection lacks ovf:id', 'bad_envelope')
    where = 'collection %s' % collection.id
    dispatch(reader, element, Scope(env, collection, where), COLLECTION_HANDLERS)
    known = set(m.id for m in collection.members)
    for entry in collection.startup:
        if entry['id'] not in known:
            reader.warn('%s: StartupSection names %s, which is not one of its members; ignored'
                        % (where, entry['id']))
    collection.startup = [e for e in collection.startup if e['id'] in known]
    return collection


def parse_system(reader, element, env):
    system = VirtualSystem(reader.attr(element, 'id'), reader.child_text(element, 'Name'))
    if not system.id:
        raise DescriptorError('a VirtualSystem lacks ovf:id', 'bad_envelope')
    where = 'virtual system %s' % system.id
    dispatch(reader, element, Scope(env, system, where), SYSTEM_HANDLERS, SYSTEM_FOREIGN)
    keys = {}
    for prop in system.properties:
        if prop.env_key in keys:
            raise DescriptorError('%s declares property %s twice' % (where, prop.env_key),
                                  'duplicate_property')
        keys[prop.env_key] = prop
    return system


def check_references(env):
    """Every Disk's file and every Item's ``ovf:/disk/..`` or ``ovf:/file/..`` is declared."""
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
