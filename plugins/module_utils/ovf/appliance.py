# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An opened, checked appliance: package + manifest/certificate + envelope, and its summary.

Order matters: the descriptor's digest is checked against the manifest before
the descriptor is parsed, and the certificate before anything is trusted.
"""

from __future__ import annotations

import hashlib

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.certificate import check_certificate
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.disks import sniff
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.envelope import Collection, parse_envelope
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import (
    CertificateError, DiskImageError, PackageError)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.hardware import summarise
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.manifest import ManifestCheck
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.package import open_package


class Appliance:
    def __init__(self, src, manifest_policy='warn', trusted_certs=None):
        self.package = open_package(src)
        self.warnings = list(self.package.warnings)
        self.descriptor = self.package.read_descriptor()
        self.manifest = ManifestCheck(self.package, manifest_policy)
        self.manifest.verify_member(self.package.descriptor_name)
        self.envelope = parse_envelope(self.descriptor)
        self.warnings.extend(self.envelope.warnings)
        self.file_members = {}
        for file_ref in self.envelope.files.values():
            self.file_members[file_ref.id] = self.package.file_members(file_ref.href,
                                                                       file_ref.chunk_size)
        self.warnings.extend(w for w in self.package.warnings if w not in self.warnings)
        self._check_sizes()
        self.manifest.require_coverage(self.referenced_names())
        self.warnings.extend(self.manifest.warnings)
        self.certificate = self._check_certificate(manifest_policy, trusted_certs)

    def referenced_names(self):
        return [m.name for members in self.file_members.values() for m in members]

    def _check_sizes(self):
        for file_ref in self.envelope.files.values():
            members = self.file_members[file_ref.id]
            actual = sum(m.size for m in members)
            if file_ref.size is not None and file_ref.size != actual:
                raise PackageError('file %s is %d bytes but the descriptor declares ovf:size=%d'
                                   % (file_ref.href, actual, file_ref.size), 'size_mismatch')

    def _check_certificate(self, policy, trusted_certs):
        name = self.package.certificate_name
        if policy == 'ignore':
            return {'present': name is not None, 'status': 'skipped'}
        if name is None:
            if trusted_certs:
                raise CertificateError('trusted_certs were given but the package has no '
                                       'certificate (.cert)', 'no_certificate')
            return {'present': False, 'status': 'absent'}
        if len(self.package.manifest_names) > 1:
            raise CertificateError('the package is signed (%s) but has several manifests (%s); '
                                   'the signed one cannot be told apart'
                                   % (name, ', '.join(self.package.manifest_names)),
                                   'ambiguous_manifest')
        status = check_certificate(self.package.read_certificate(), name, self.manifest.mf_bytes,
                                   self.package.manifest_name, trusted_certs)
        status['status'] = 'trusted' if status['trusted'] else 'untrusted'
        if not status['trusted']:
            self.warnings.append('the package is signed by %s, but no trusted CA was given '
                                 '(trusted_certs), so the signer is not verified'
                                 % status['subject'])
        return status

    def verify_all(self):
        """Hash every referenced file that the manifest lists (ovf_info's full check)."""
        if self.manifest.manifest is None:
            return
        for name in self.referenced_names():
            if self.manifest.expected(name) and name not in self.manifest.verified:
                self.manifest.verify_member(name)

    @property
    def digest(self):
        """Identity of the appliance: descriptor, manifest and the member index."""
        digest = hashlib.sha256()
        digest.update(self.descriptor)
        digest.update(self.package.read_manifest() or b'')
        for entry in self.package.index():
            digest.update(('%(name)s:%(size)d\n' % entry).encode('utf-8'))
        return digest.hexdigest()

    def product(self):
        root = self.envelope.root
        if root is not None and root.products:
            return root.products[0].as_dict()
        return {}

    def eulas(self):
        system = self.envelope.systems[0] if self.envelope.systems else None
        if self.envelope.is_collection:
            return list(self.envelope.eulas) + [e for s in self.envelope.systems for e in s.eulas]
        return list(self.envelope.eulas) + (list(system.eulas) if system else [])

    def _disks(self):
        env = self.envelope
        disks = []
        for disk in env.disks.values():
            entry = disk.as_dict()
            file_ref = env.files.get(disk.file_ref) if disk.file_ref else None
            if file_ref is not None:
                members = self.file_members[file_ref.id]
                entry['file'] = file_ref.as_dict()
                entry['file']['members'] = [m.as_dict() for m in members]
                entry['detected_format'] = None
                if not file_ref.compression and len(members) == 1:
                    try:
                        entry['detected_format'] = sniff(self.package, members[0])['format']
                    except DiskImageError as exc:
                        entry['problem'] = str(exc)
            else:
                entry['blank'] = True
            disks.append(entry)
        return disks

    def system_info(self, system, startup=None):
        """One VirtualSystem: hardware per deployment option, disks, networks, properties."""
        env = self.envelope
        configs = [c['id'] for c in env.configurations] or [None]
        hardware, disk_ids, networks = {}, [], []
        for config in configs:
            items = system.items(config)
            hardware[config or 'default'] = {'summary': summarise(items),
                                             'items': [i.as_dict() for i in items]}
            for item in items:
                if item.is_disk and item.disk_id() and item.disk_id() not in disk_ids:
                    disk_ids.append(item.disk_id())
                if item.resource_type == 10:
                    networks.extend(c for c in item.get('Connection') or [] if c not in networks)
        section = system.hardware_section()
        return {
            'id': system.id,
            'name': system.name or system.id,
            'collection': system.parent,
            'product': system.products[0].as_dict() if system.products else {},
            'products': [p.as_dict() for p in system.products],
            'properties': [p.as_dict(env.default_configuration) for p in system.properties],
            'eulas': list(system.eulas),
            'hardware': hardware,
            'disks': disk_ids,
            'networks': networks,
            'operating_system': system.os,
            'firmware': system.firmware,
            'secure_boot': system.secure_boot,
            'transports': section.transports,
            'virtual_system_types': section.system_types,
            'annotation': system.annotation,
            'startup': startup,
        }

    def info(self):
        env = self.envelope
        ordered = env.start_order()
        systems = [self.system_info(system, entry) for system, entry in ordered]
        result = {
            'package': {'kind': self.package.kind, 'path': self.package.path,
                        'descriptor': self.package.descriptor_name,
                        'members': self.package.index()},
            'ovf_version': env.version,
            'digest': self.digest,
            'product': self.product(),
            'eulas': self.eulas(),
            'deployment_options': env.configurations,
            'default_deployment_option': env.default_configuration,
            'networks': env.networks,
            'disks': self._disks(),
            'files': [f.as_dict() for f in env.files.values()],
            'manifest': self.manifest.status(),
            'certificate': self.certificate,
            'systems': systems,
            'collection': _tree(env.root) if env.is_collection else None,
            'warnings': self.warnings,
        }
        if not env.is_collection:
            single = systems[0]
            result.update((key, single[key]) for key in (
                'name', 'products', 'properties', 'hardware', 'operating_system', 'firmware',
                'secure_boot', 'transports', 'virtual_system_types', 'annotation'))
            result['system_id'] = single['id']
            return result
        # A vApp: the single-system keys describe the collection; each system is in ``systems``.
        result.update({
            'name': env.root.name or env.root.id, 'system_id': env.root.id,
            'products': [p.as_dict() for p in env.root.products],
            'properties': [dict(p, system=s['id']) for s in systems for p in s['properties']],
            'hardware': {}, 'operating_system': None, 'firmware': None, 'secure_boot': None,
            'transports': [], 'virtual_system_types': [], 'annotation': env.root.annotation,
        })
        return result


def _tree(node):
    """A VirtualSystemCollection as nested dicts (systems by id; details in ``systems``)."""
    if not isinstance(node, Collection):
        return {'kind': 'system', 'id': node.id, 'name': node.name or node.id}
    return {'kind': 'collection', 'id': node.id, 'name': node.name or node.id,
            'startup': node.startup, 'products': [p.as_dict() for p in node.products],
            'members': [_tree(m) for m in node.members]}


def read_trusted_certs(paths):
    """``[(path, bytes)]`` for the CA files given by the user (None when there are none)."""
    if not paths:
        return None
    result = []
    for path in paths:
        try:
            with open(path, 'rb') as handle:
                result.append((path, handle.read(1024 * 1024)))
        except (IOError, OSError) as exc:
            raise CertificateError('cannot read trusted certificate %s: %s' % (path, exc.strerror),
                                   'trusted_cert_unreadable')
    return result
