# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disk images: pure-Python header sniffing, qemu-img info/measure/convert of OVA members.

qemu never guesses a format: the driver is named from the sniffed header, the
source is a ``raw`` node at the member's offset inside the OVA, and
``qemu-img info`` must show no backing file, no external data file and no
VMDK extent outside the member before anything is converted. qemu-img runs
under the limits of the shared wrapper (``module_utils/libvirt/qemuimg``).
"""

from __future__ import annotations

import json
import os
import re
import struct

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import qemuimg
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import DiskImageError

SECTOR = 512
SUPPORTED_SOURCE = ('vmdk', 'qcow2', 'raw')
VMDK_CREATE_TYPES = ('streamOptimized', 'monolithicSparse')
QCOW2_KNOWN_INCOMPATIBLE = 0x1 | 0x2 | 0x8 | 0x10  # dirty, corrupt, compression type, extended L2
QCOW2_DATA_FILE = 0x4
CAPACITY_TOLERANCE = 1024 * 1024
# A package opened through a checked descriptor (``/dev/fd/N``, the provider's import roots):
# qemu-img inherits that descriptor rather than opening any path again.
_FD_PATH = re.compile(r'filename=/dev/fd/(\d+)(?:,|$)')
_EXTENT = re.compile(r'^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)")?(?:\s+(\d+))?\s*$')


def _read(package, member, offset, size):
    size = max(0, min(size, member.size - offset))
    with open(member.path, 'rb') as handle:
        handle.seek(member.offset + offset)
        return handle.read(size)


def _vmdk_descriptor(text, name):
    create_type, extents = None, []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('createType'):
            create_type = line.split('=', 1)[1].strip().strip('"')
        match = _EXTENT.match(line)
        if match:
            extents.append(match.group(4) or '')
    if create_type not in VMDK_CREATE_TYPES:
        raise DiskImageError('%s is a VMDK of type %r; only %s are accepted'
                             % (name, create_type, ', '.join(VMDK_CREATE_TYPES)), 'vmdk_type')
    if len(extents) > 1 or any('/' in e or '\\' in e for e in extents):
        raise DiskImageError('%s is a VMDK whose extents point outside the image' % name,
                             'vmdk_extent')
    return create_type


def sniff(package, member):
    """Identify ``member``'s format from its bytes; refuse anything dangerous or unknown."""
    head = _read(package, member, 0, 4096)
    name = member.name
    if head[:4] == b'KDMV':
        (_version, _flags, capacity, _grain, desc_offset, desc_size) = struct.unpack_from(
            '<IIQQQQ', head, 4)
        if not desc_offset or not desc_size or desc_size > 2048:
            raise DiskImageError('%s is a VMDK without an embedded descriptor' % name,
                                 'vmdk_type')
        text = _read(package, member, desc_offset * SECTOR, desc_size * SECTOR)
        create_type = _vmdk_descriptor(text.split(b'\0', 1)[0].decode('latin-1'), name)
        return {'format': 'vmdk', 'create_type': create_type, 'header_capacity': capacity * SECTOR}
    if head.startswith(b'# Disk DescriptorFile') or b'createType' in head[:1024]:
        raise DiskImageError('%s is a VMDK text descriptor (its data lives in other files); '
                             'refused' % name, 'vmdk_descriptor')
    if head[:4] == b'QFI\xfb':
        version, backing_offset = struct.unpack_from('>IQ', head, 4)
        size = struct.unpack_from('>Q', head, 24)[0]
        if backing_offset:
            raise DiskImageError('%s is a qcow2 image with a backing file; refused' % name,
                                 'backing_file')
        if version >= 3:
            incompatible = struct.unpack_from('>Q', head, 72)[0]
            if incompatible & QCOW2_DATA_FILE:
                raise DiskImageError('%s is a qcow2 image with an external data file; refused'
                                     % name, 'data_file')
            if incompatible & ~(QCOW2_KNOWN_INCOMPATIBLE | QCOW2_DATA_FILE):
                raise DiskImageError('%s is a qcow2 image with unknown incompatible features'
                                     % name, 'qcow2_features')
        return {'format': 'qcow2', 'header_capacity': size}
    for magic, fmt in ((b'conectix', 'vpc'), (b'vhdxfile', 'vhdx'), (b'QEMU QCOW', 'qcow'),
                       (b'WithoutFreeSpace', 'vdi')):
        if head.startswith(magic) or (fmt == 'vdi' and b'<<< ' in head[:64]):
            raise DiskImageError('%s is a %s image, which is not supported' % (name, fmt),
                                 'unsupported_format')
    if _read(package, member, 0x8001, 5) == b'CD001':
        return {'format': 'iso', 'header_capacity': member.size}
    return {'format': 'raw', 'header_capacity': member.size}


def _escape(value):
    return str(value).replace(',', ',,')


def image_opts(member, fmt, in_archive, aio=None):
    """``--image-opts`` string for ``member`` read with driver ``fmt`` (``aio``: file I/O engine)."""
    parts = ['driver=%s' % fmt]
    if fmt == 'qcow2':
        parts.append('backing=')
    protocol = 'file.file.' if in_archive else 'file.'
    if in_archive:
        size = -(-member.size // SECTOR) * SECTOR
        parts += ['file.driver=raw', 'file.offset=%d' % member.offset, 'file.size=%d' % size]
    parts += [protocol + 'driver=file', protocol + 'filename=%s' % _escape(member.path),
              protocol + 'locking=off']
    if aio:
        parts.append(protocol + 'aio=%s' % aio)
    return ','.join(parts)


def inherited_fds(opts):
    """The descriptors an ``--image-opts`` string reads as ``/dev/fd/N`` (qemu-img inherits them)."""
    return tuple(int(fd) for fd in _FD_PATH.findall(opts))


def info(opts):
    return qemuimg.info(['--image-opts', opts], pass_fds=inherited_fds(opts))


_IO_URING = {}


def preferred_aio():
    """``'io_uring'`` once an ``info`` has shown it works here, else None (the default pool)."""
    return 'io_uring' if _IO_URING.get('usable') else None


def open_info(member, fmt, in_archive):
    """``(opts, info)`` for ``member``, reading through io_uring when this qemu-img and kernel can.

    io_uring roughly halves qemu-img's CPU use for a conversion (no thread-pool
    hand-offs), which leaves the second core to the manifest hash. Support is
    learnt from the first ``info`` (opening the image sets io_uring up) and kept
    for the process; without it the default thread pool is used.
    """
    if _IO_URING.get('usable') is not False:
        opts = image_opts(member, fmt, in_archive, aio='io_uring')
        try:
            data = info(opts)
            _IO_URING['usable'] = True
            return opts, data
        except DiskImageError:
            if _IO_URING.get('usable'):
                raise
    opts = image_opts(member, fmt, in_archive)
    data = info(opts)
    _IO_URING['usable'] = False
    return opts, data


def check_info(data, name, fmt, declared_bytes, max_bytes, path):
    """Assert the image is self-contained and sized as declared; return its virtual size."""
    specific = qemuimg.check_self_contained(data, name, fmt)
    if fmt == 'vmdk':
        if specific.get('create-type') not in VMDK_CREATE_TYPES:
            raise DiskImageError('%s is a VMDK of type %s; refused'
                                 % (name, specific.get('create-type')), 'vmdk_type')
        extents = specific.get('extents') or []
        if len(extents) > 1:
            raise DiskImageError('%s has %d VMDK extents; only one is allowed'
                                 % (name, len(extents)), 'vmdk_extent')
        for extent in extents:
            filename = extent.get('filename') or ''
            if not (filename.startswith('json:') or filename == path):
                raise DiskImageError('%s has a VMDK extent outside the package' % name,
                                     'vmdk_extent')
    if data.get('children') and len(data['children']) > 1 and fmt != 'vmdk':
        raise DiskImageError('%s references more than one file' % name, 'vmdk_extent')
    virtual = int(data.get('virtual-size') or 0)
    if declared_bytes is not None and virtual > declared_bytes + CAPACITY_TOLERANCE:
        raise DiskImageError('%s holds %d bytes but the descriptor declares a capacity of %d'
                             % (name, virtual, declared_bytes), 'capacity_mismatch')
    if max_bytes and virtual > max_bytes:
        raise DiskImageError('%s is %d bytes, over max_disk_size (%d)'
                             % (name, virtual, max_bytes), 'too_large')
    return virtual


def measure(opts, out_fmt):
    data = json.loads(qemuimg.run(['measure', '--output=json', '-O', out_fmt,
                                   '--image-opts', opts], pass_fds=inherited_fds(opts)))
    return int(data['required'])


def start_convert(opts, out_fmt, dest, qemu_img='qemu-img', virtual_size=None):
    """Start ``qemu-img convert`` (returns the Popen; the caller hashes meanwhile).

    ``-W`` (out-of-order writes) keeps several requests in flight: the output is
    a new file nobody reads until the conversion has finished. When io_uring
    works here and the size is whole sectors, the output is created first (empty,
    hence ``--target-is-zero``) and written through io_uring as well.
    """
    args = ['convert', '-q', '-W', '--image-opts', opts]
    if preferred_aio() and virtual_size and virtual_size % SECTOR == 0:
        qemuimg.run(['create', '-q', '-f', out_fmt, dest, str(virtual_size)], qemu_img=qemu_img)
        args += ['-n', '--target-is-zero', '--target-image-opts',
                 'driver=%s,file.driver=file,file.filename=%s,file.aio=%s'
                 % (out_fmt, _escape(dest), preferred_aio())]
    else:
        args += ['-O', out_fmt, dest]
    return qemuimg.spawn(args, qemuimg.CONVERT_LIMITS, qemu_img, pass_fds=inherited_fds(opts))


def finish_convert(proc, name):
    qemuimg.finish(proc, 'converting %s' % name, 'convert_failed')


def create_blank(dest, out_fmt, size):
    qemuimg.run(['create', '-q', '-f', out_fmt, dest, str(size)])


def free_bytes(directory):
    st = os.statvfs(directory)
    return st.f_bavail * st.f_frsize
