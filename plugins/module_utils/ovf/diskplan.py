# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the chosen hardware to image files in a directory: plan, then write.

Planning inspects every source image (sniff + guarded ``qemu-img info``) and
measures the output before anything is written. Writing converts straight from
the OVA while the same bytes are hashed for the manifest, so reading is shared
and a mismatch removes the output. Gzip-compressed or chunked files are staged
in a capped temporary file inside the destination directory first.
"""

from __future__ import annotations

import gzip
import hashlib
import os

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import disks
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.envelope import disk_capacity_bytes
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.errors import (
    DescriptorError, DiskImageError, ManifestError, PackageError)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.package import Member

SPACE_MARGIN = 64 * 1024 * 1024
STAGING_SLACK = 16 * 1024 * 1024


class DiskJob:
    """One output image: a converted disk, a blank disk, or a CD-ROM image."""

    def __init__(self, role, source_id, volume, out_format):
        self.role = role            # 'disk' or 'cdrom'
        self.source_id = source_id  # diskId or file id
        self.volume = volume        # file name in the destination directory
        self.out_format = out_format
        self.members = []
        self.compression = None
        self.source_format = None
        self.capacity = None
        self.virtual_size = None
        self.required = 0
        self.blank = False
        self.item = None

    @property
    def staged(self):
        return bool(self.compression) or len(self.members) > 1

    def as_dict(self):
        return {'role': self.role, 'source': self.source_id, 'volume': self.volume,
                'format': self.out_format, 'source_format': self.source_format,
                'capacity': self.capacity, 'virtual_size': self.virtual_size,
                'required_bytes': self.required, 'blank': self.blank, 'staged': self.staged}


def _resource(item, kind):
    for resource in item.get('HostResource') or []:
        target = resource[4:] if resource.startswith('ovf:') else resource
        parts = target.strip('/').split('/', 1)
        if len(parts) == 2 and parts[0] == kind:
            return parts[1]
    return None


def plan(appliance, items, property_values, name, out_format, max_disk_size=None):
    """Inspect sources and return the list of DiskJob, in device order."""
    env = appliance.envelope
    jobs = []
    for item in items:
        rtype = item.resource_type
        if item.is_disk:
            disk_id = _resource(item, 'disk')
            if disk_id is None:
                raise DescriptorError('disk Item %s has no ovf:/disk/ HostResource'
                                      % item.instance_id, 'bad_item')
            disk = env.disks[disk_id]
            job = DiskJob('disk', disk_id, '%s-disk%d.%s' % (name, len(jobs) + 1, out_format),
                          out_format)
            job.capacity = disk_capacity_bytes(disk, property_values)
            if max_disk_size and job.capacity > max_disk_size:
                raise DiskImageError('disk %s declares %d bytes, over max_disk_size'
                                     % (disk_id, job.capacity), 'too_large')
            if disk.file_ref:
                _source(appliance, job, env.files[disk.file_ref], max_disk_size)
            else:
                job.blank = True
                job.virtual_size = job.capacity
                job.required = job.capacity if out_format == 'raw' else 1024 * 1024
        elif rtype in (15, 16) and _resource(item, 'file'):
            file_ref = env.files[_resource(item, 'file')]
            job = DiskJob('cdrom', file_ref.id, '%s-cd%d.iso' % (name, len(jobs) + 1), 'raw')
            job.members = appliance.file_members[file_ref.id]
            job.compression = file_ref.compression
            if not job.staged:
                kind = disks.sniff(appliance.package, job.members[0])['format']
                if kind not in ('iso', 'raw'):
                    raise DiskImageError('CD-ROM file %s is a %s image, not an ISO'
                                         % (file_ref.href, kind), 'unsupported_format')
            job.source_format = 'raw'
            job.virtual_size = sum(m.size for m in job.members)
            job.required = job.virtual_size
        else:
            continue
        job.item = item
        jobs.append(job)
    return jobs


def _source(appliance, job, file_ref, max_disk_size):
    job.members = appliance.file_members[file_ref.id]
    job.compression = file_ref.compression
    if job.staged:
        # Inspected after staging; reserve the worst case meanwhile.
        job.required = job.capacity
        return
    member = job.members[0]
    sniffed = disks.sniff(appliance.package, member)
    if sniffed['format'] not in disks.SUPPORTED_SOURCE:
        raise DiskImageError('file %s is a %s image, not a disk' % (member.name, sniffed['format']),
                             'unsupported_format')
    _inspect(appliance, job, member, sniffed['format'], appliance.package.kind == 'ova',
             max_disk_size)


def _inspect(appliance, job, member, fmt, in_archive, max_disk_size):
    opts, data = disks.open_info(member, fmt, in_archive)
    job.source_format = fmt
    job.virtual_size = disks.check_info(data, member.name, fmt, job.capacity, max_disk_size,
                                        member.path)
    job.required = disks.measure(opts, job.out_format)
    job.opts = opts


def check_space(jobs, directory):
    needed = sum(j.required for j in jobs) + sum(
        sum(m.size for m in j.members) * (4 if j.compression else 1) for j in jobs if j.staged)
    free = disks.free_bytes(directory)
    if needed + SPACE_MARGIN > free:
        raise DiskImageError('the destination needs about %d bytes but has %d free'
                             % (needed, free), 'no_space')
    return needed


def _digests_for(check, members):
    """hashlib objects for members the manifest lists, keyed by member name."""
    result = {}
    for member in members:
        entry = check.expected(member.name) if check is not None else None
        if entry:
            result[member.name] = hashlib.new(entry[0])
    return result


def _stage(appliance, job, directory, created, check):
    """Write chunks / gunzipped data to a capped temporary file; hash the package bytes."""
    path = os.path.join(directory, '.%s.staging' % job.volume)
    created.append(path)
    digests = _digests_for(check, job.members)
    with open(path, 'wb') as out:
        written = _expand(appliance, job, out, digests)
    for name, digest in digests.items():
        check.record(name, digest.hexdigest())
    return Member(job.members[0].name, path, 0, written)


def _expand(appliance, job, out, digests):
    """Write a staged job's data (gunzipped, chunks joined) to ``out``, at most its declared
    capacity plus a little; returns the bytes written."""
    cap = (job.capacity or 0) + STAGING_SLACK
    written = 0
    if job.compression == 'gzip':
        stream = _GzipOfMembers(appliance.package, job.members, digests)
        try:
            with gzip.GzipFile(fileobj=stream, mode='rb') as unzipped:
                while True:
                    block = unzipped.read(1024 * 1024)
                    if not block:
                        break
                    written += len(block)
                    if written > cap:
                        raise DiskImageError('%s expands beyond its declared capacity'
                                             % job.members[0].name, 'decompression_bomb')
                    out.write(block)
        except (OSError, EOFError) as exc:
            if isinstance(exc, DiskImageError):
                raise
            raise DiskImageError('%s is not valid gzip data: %s' % (job.members[0].name, exc),
                                 'bad_gzip')
    else:
        for member in job.members:
            for block in appliance.package.iter_bytes(member):
                if member.name in digests:
                    digests[member.name].update(block)
                written += len(block)
                if written > cap:
                    raise DiskImageError('%s is larger than its declared capacity'
                                         % job.members[0].name, 'too_large')
                out.write(block)
    return written


class _Discard:
    def write(self, data):
        return len(data)


def check_expansion(appliance, job):
    """Expand a compressed job's file under the staging caps, writing nothing: a decompression
    bomb or broken gzip data is refused before anything is made for real (a caller that must
    answer at once, such as the CIMI provider's System import)."""
    if job.compression:
        _expand(appliance, job, _Discard(), {})


class _GzipOfMembers:
    """File-like view over the (chunked) compressed members, hashing as it reads."""

    def __init__(self, package, members, digests):
        self.blocks = (block_and_name for member in members
                       for block_and_name in ((b, member.name) for b in package.iter_bytes(member)))
        self.digests = digests
        self.pending = b''

    def read(self, size=-1):
        while size < 0 or len(self.pending) < size:
            try:
                block, name = next(self.blocks)
            except StopIteration:
                break
            if name in self.digests:
                self.digests[name].update(block)
            self.pending += block
        if size < 0:
            data, self.pending = self.pending, b''
        else:
            data, self.pending = self.pending[:size], self.pending[size:]
        return data


def write(appliance, jobs, directory, created, check=None, max_disk_size=None):
    """Produce every job's output in ``directory``; append each path made to ``created``."""
    for job in jobs:
        dest = os.path.join(directory, job.volume)
        if os.path.lexists(dest):
            raise DiskImageError('%s already exists in the destination; refusing to overwrite'
                                 % job.volume, 'volume_exists')
        if job.blank:
            created.append(dest)
            disks.create_blank(dest, job.out_format, job.capacity)
            continue
        if job.staged:
            staged = _stage(appliance, job, directory, created, check)
            if job.role == 'disk':
                sniffed = disks.sniff(appliance.package, staged)
                if sniffed['format'] not in disks.SUPPORTED_SOURCE:
                    raise DiskImageError('file %s is a %s image, not a disk'
                                         % (staged.name, sniffed['format']), 'unsupported_format')
                _inspect(appliance, job, staged, sniffed['format'], False, max_disk_size)
            else:
                job.opts = disks.image_opts(staged, 'raw', False, aio=disks.preferred_aio())
                job.virtual_size = staged.size
            created.append(dest)
            disks.finish_convert(disks.start_convert(job.opts, job.out_format, dest,
                                                     virtual_size=job.virtual_size),
                                 staged.name)
            os.unlink(staged.path)
            created.remove(staged.path)
            continue
        member = job.members[0]
        if job.role == 'cdrom':
            job.opts = disks.image_opts(member, 'raw', appliance.package.kind == 'ova',
                                        aio=disks.preferred_aio())
        created.append(dest)
        digests = _digests_for(check, job.members)
        proc = disks.start_convert(job.opts, job.out_format, dest, virtual_size=job.virtual_size)
        try:
            # Hash while qemu-img converts: both read the same bytes, on two cores.
            for block in appliance.package.iter_bytes(member):
                for digest in digests.values():
                    digest.update(block)
        except PackageError:
            proc.kill()
            proc.wait()
            raise
        disks.finish_convert(proc, member.name)
        for name, digest in digests.items():
            check.record(name, digest.hexdigest())
    if not appliance.package.unchanged():
        raise ManifestError('the OVA changed while it was being read', 'package_changed')


def remove_paths(paths):
    """Best-effort removal of files this run created (newest first)."""
    for path in reversed(list(paths)):
        try:
            os.unlink(path)
        except OSError:
            pass


def write_all_or_nothing(appliance, jobs, directory, check=None, max_disk_size=None):
    """:func:`write`, removing every file it made when anything fails."""
    created = []
    try:
        write(appliance, jobs, directory, created, check, max_disk_size)
    except BaseException:
        remove_paths(created)
        raise
    return created
