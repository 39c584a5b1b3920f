# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Safe, read-only access to an OVF package.

An ``.ova`` is indexed (name, data offset, size) with ``tarfile`` and never
extracted: disks are later handed to qemu-img as a byte range of the OVA.
An ``.ovf`` is read together with the files beside it, by plain names only.
"""

from __future__ import annotations

import os
import stat
import tarfile

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import PackageError

DESCRIPTOR_MAX = 4 * 1024 * 1024
MANIFEST_MAX = 1024 * 1024
CERTIFICATE_MAX = 1024 * 1024
MEMBERS_MAX = 4096
CHUNK_SUFFIX_DIGITS = 9


class Member:
    """A byte range holding one package file: ``path`` from ``offset``, ``size`` bytes."""

    def __init__(self, name, path, offset, size):
        self.name = name
        self.path = path
        self.offset = offset
        self.size = size

    def as_dict(self):
        return {'name': self.name, 'offset': self.offset, 'size': self.size}


def check_member_name(name):
    """Return the normalised member name, or raise when it could escape or mislead."""
    if name.startswith('./'):
        name = name[2:]
    if not name or '\x00' in name or '\\' in name:
        raise PackageError('member name %r is not allowed' % name, 'unsafe_name')
    if name.startswith('/'):
        raise PackageError('member %r has an absolute path' % name, 'absolute_path')
    if '..' in name.split('/'):
        raise PackageError('member %r contains ".."' % name, 'path_traversal')
    if '/' in name:
        raise PackageError('member %r is in a subdirectory; OVA members must be flat' % name,
                           'unsafe_name')
    return name


def _member_kind(info):
    if info.issym():
        return 'symlink'
    if info.islnk():
        return 'hardlink'
    if info.isdir():
        return 'directory'
    if info.ischr() or info.isblk():
        return 'device'
    if info.isfifo():
        return 'fifo'
    return 'non-regular'


class OvfPackage:
    """An opened package. Use :func:`open_package`."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.kind = None
        self.directory = None
        self.members = {}
        self.order = []
        self.descriptor_name = None
        self.manifest_name = None
        self.manifest_names = []  # several when each file has its own manifest (virt-v2v tests)
        self.certificate_name = None
        self.warnings = []
        self._identity = None

    # -- opening ---------------------------------------------------------
    def _open_ova(self):
        self.kind = 'ova'
        try:
            handle = open(self.path, 'rb')
        except (IOError, OSError) as exc:
            raise PackageError('cannot open %s: %s' % (self.path, exc.strerror), 'not_found')
        with handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise PackageError('%s is not a regular file' % self.path, 'not_regular')
            self._identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
            try:
                archive = tarfile.open(fileobj=handle, mode='r:')
                infos = []
                for info in archive:
                    infos.append(info)
                    if len(infos) > MEMBERS_MAX:
                        raise PackageError('more than %d members' % MEMBERS_MAX, 'too_many_members')
            except tarfile.TarError as exc:
                if 'unexpected end of data' in str(exc):
                    raise PackageError('%s is truncated' % self.path, 'truncated')
                raise PackageError('%s is not a readable uncompressed tar archive: %s'
                                   % (self.path, exc), 'bad_tar')
            except EOFError:
                raise PackageError('%s is truncated' % self.path, 'truncated')
        for info in infos:
            if info.isdir() and info.name.rstrip('/') in ('.', ''):
                # ``tar -C dir -cf x.ova .`` writes the top directory itself as ``./``.
                continue
            base = info.name.rsplit('/', 1)[-1]
            if base.startswith('._') and info.isreg():
                self.warnings.append('ignored AppleDouble member %s' % info.name)
                continue
            name = check_member_name(info.name)
            if not info.isreg():
                raise PackageError('member %s is a %s; only regular files are allowed'
                                   % (name, _member_kind(info)), 'not_regular')
            if info.issparse():
                raise PackageError('member %s is a GNU sparse file' % name, 'sparse_member')
            if name in self.members:
                raise PackageError('member %s appears more than once' % name, 'duplicate_member')
            if info.offset_data + info.size > st.st_size:
                raise PackageError('member %s extends beyond the end of the archive (truncated)'
                                   % name, 'truncated')
            self.members[name] = Member(name, self.path, info.offset_data, info.size)
            self.order.append(name)
        ovfs = [n for n in self.order if n.lower().endswith('.ovf')]
        if not ovfs:
            raise PackageError('no .ovf descriptor in %s' % self.path, 'no_descriptor')
        if len(ovfs) > 1:
            raise PackageError('several .ovf descriptors in %s: %s' % (self.path, ', '.join(ovfs)),
                               'several_descriptors')
        self.descriptor_name = ovfs[0]
        if self.order[0] != self.descriptor_name:
            self.warnings.append('the .ovf descriptor is not the first member of the OVA')
        self._find_manifest_and_cert(list(self.order))

    def _open_ovf(self):
        self.kind = 'ovf'
        self.directory = os.path.dirname(self.path)
        name = os.path.basename(self.path)
        self.descriptor_name = name
        self._add_dir_member(name)
        base = name[:-4]
        present = []
        for candidate in (base + '.mf', base + '.cert'):
            if self._add_dir_member(candidate, optional=True):
                present.append(candidate)
        self._find_manifest_and_cert(present)

    def _add_dir_member(self, name, optional=False):
        if name in self.members:
            return self.members[name]
        name = check_member_name(name)
        full = os.path.join(self.directory, name)
        try:
            st = os.lstat(full)
        except OSError:
            if optional:
                return None
            raise PackageError('file %s is missing beside the descriptor' % name, 'missing_file')
        if stat.S_ISLNK(st.st_mode):
            raise PackageError('file %s is a symlink; refused' % name, 'not_regular')
        if not stat.S_ISREG(st.st_mode):
            raise PackageError('file %s is not a regular file' % name, 'not_regular')
        member = Member(name, full, 0, st.st_size)
        self.members[name] = member
        self.order.append(name)
        return member

    def _find_manifest_and_cert(self, names):
        base = self.descriptor_name[:-4]
        mfs = [n for n in names if n.lower().endswith('.mf')]
        if base + '.mf' in mfs:
            self.manifest_name = base + '.mf'
        elif len(mfs) == 1:
            self.manifest_name = mfs[0]
        elif mfs:
            # One manifest per file: read together, as one manifest listing their union.
            self.manifest_names = sorted(mfs)
            self.manifest_name = self.manifest_names[0]
            self.warnings.append('the package has one manifest per file (%s); their entries are '
                                 'read together' % ', '.join(self.manifest_names))
        if self.manifest_name and not self.manifest_names:
            self.manifest_names = [self.manifest_name]
        certs = [n for n in names if n.lower().endswith('.cert')]
        if base + '.cert' in certs:
            self.certificate_name = base + '.cert'
        elif len(certs) == 1:
            self.certificate_name = certs[0]
        elif certs:
            raise PackageError('several certificates and none named %s.cert' % base,
                               'several_certificates')

    # -- access ----------------------------------------------------------
    def member(self, name):
        """The member holding file ``name`` (a References href), or raise."""
        if '://' in name or name.startswith('file:'):
            raise PackageError('file reference %r is a URL; only files inside the package are '
                               'allowed' % name, 'url_reference')
        name = check_member_name(name)
        if self.kind == 'ovf':
            return self._add_dir_member(name)
        try:
            return self.members[name]
        except KeyError:
            raise PackageError('file %s is not in the package' % name, 'missing_file')

    def has(self, name):
        try:
            self.member(name)
            return True
        except PackageError:
            return False

    def file_members(self, href, chunk_size=None):
        """The members making up one References file, in order (several when chunked)."""
        first = '%s.%0*d' % (href, CHUNK_SUFFIX_DIGITS, 0)
        if not chunk_size and self.kind == 'ova' and not self.has(href) and self.has(first):
            # virt-v2v's convention: chunks named ``<href>.000000000`` without ovf:chunkSize.
            self.warnings.append('file %s is stored in chunks (%s, ...) without ovf:chunkSize; '
                                 'read in order' % (href, first))
            chunk_size = self.member(first).size
        if not chunk_size:
            return [self.member(href)]
        chunks = []
        index = 0
        while True:
            chunk = '%s.%0*d' % (href, CHUNK_SUFFIX_DIGITS, index)
            if not self.has(chunk):
                break
            chunks.append(self.member(chunk))
            index += 1
        if not chunks:
            raise PackageError('no chunks %s.000000000... found for a chunked file' % href,
                               'missing_file')
        for chunk in chunks[:-1]:
            if chunk.size != chunk_size:
                raise PackageError('chunk %s is %d bytes, expected ovf:chunkSize %d'
                                   % (chunk.name, chunk.size, chunk_size), 'bad_chunk')
        return chunks

    def read(self, name, cap):
        member = self.member(name)
        if member.size > cap:
            raise PackageError('%s is %d bytes, over the %d-byte limit'
                               % (name, member.size, cap), 'too_large')
        with open(member.path, 'rb') as handle:
            handle.seek(member.offset)
            data = handle.read(member.size)
        if len(data) != member.size:
            raise PackageError('%s is truncated' % name, 'truncated')
        return data

    def read_descriptor(self):
        return self.read(self.descriptor_name, DESCRIPTOR_MAX)

    def read_manifest(self):
        """The manifest bytes (several per-file manifests concatenated in name order)."""
        if not self.manifest_names:
            return None
        return b''.join(self.read_manifests().values())

    def read_manifests(self):
        """``{name: bytes}`` of every manifest."""
        return dict((name, self.read(name, MANIFEST_MAX)) for name in self.manifest_names)

    def read_certificate(self):
        if not self.certificate_name:
            return None
        return self.read(self.certificate_name, CERTIFICATE_MAX)

    def iter_bytes(self, member, block=1024 * 1024):
        with open(member.path, 'rb') as handle:
            handle.seek(member.offset)
            left = member.size
            while left:
                data = handle.read(min(block, left))
                if not data:
                    raise PackageError('%s is truncated' % member.name, 'truncated')
                left -= len(data)
                yield data

    def unchanged(self):
        """True when the OVA is still the file that was indexed (guards against swaps)."""
        if self.kind != 'ova':
            return True
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return self._identity == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def index(self):
        return [self.members[n].as_dict() for n in self.order]


def open_package(path):
    """Open an ``.ova`` (tar) or an ``.ovf`` with its files beside it."""
    if not os.path.exists(path):
        raise PackageError('%s does not exist' % path, 'not_found')
    package = OvfPackage(path)
    if path.lower().endswith('.ovf'):
        package._open_ovf()
    else:
        package._open_ova()
    return package
