# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile corpus: each case builds a bad package and names the refusal it must get.

``CASES`` maps a case name to (builder, expected error code). A builder takes a
working directory and returns the package path; it may also return a dict of
extra arguments for the deploy pipeline (trusted CA files, limits).
"""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import tarfile

import ovfgen


def _base(work, fmt='vmdk', name='bad'):
    spec, files = ovfgen.standard_spec(work, name=name, disk_formats=(fmt,))
    return spec, files


def _ova(work, members, name='bad.ova'):
    return ovfgen.write_tar(os.path.join(work, name), members)


def _with_member(work, extra_info):
    spec, files = _base(work)
    path = ovfgen.build(os.path.join(work, 'bad.ova'), spec, files)
    with tarfile.open(path, 'a') as tar:
        tar.addfile(extra_info[0], extra_info[1])
    return path


def path_traversal(work):
    spec, files = _base(work)
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files,
                        extra=[('../escape.txt', b'x')])


def absolute_member(work):
    spec, files = _base(work)
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files,
                        extra=[('/tmp/ovf-absolute', b'x')])


def symlink_member(work):
    info = tarfile.TarInfo('link.vmdk')
    info.type = tarfile.SYMTYPE
    info.linkname = '/etc/shadow'
    return _with_member(work, (info, None))


def hardlink_member(work):
    info = tarfile.TarInfo('hard.vmdk')
    info.type = tarfile.LNKTYPE
    info.linkname = 'bad.ovf'
    return _with_member(work, (info, None))


def device_member(work):
    info = tarfile.TarInfo('dev.vmdk')
    info.type = tarfile.CHRTYPE
    info.devmajor, info.devminor = 1, 3
    return _with_member(work, (info, None))


def directory_member(work):
    info = tarfile.TarInfo('subdir')
    info.type = tarfile.DIRTYPE
    return _with_member(work, (info, None))


def duplicate_member(work):
    spec, files = _base(work)
    href = list(files)[0]
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files,
                        extra=[(href, b'a different disk')])


def sparse_member(work):
    spec, files = _base(work)
    desc = ovfgen.descriptor(spec)
    src = os.path.join(work, 'src')
    os.mkdir(src)
    with open(os.path.join(src, 'bad.ovf'), 'wb') as handle:
        handle.write(desc)
    for href, path in files.items():
        os.rename(path, os.path.join(src, href))
    with open(os.path.join(src, 'hole.img'), 'wb') as handle:
        handle.write(b'data')
        handle.truncate(4 * 1024 * 1024)
    out = os.path.join(work, 'bad.ova')
    subprocess.run(['tar', '--sparse', '--format=gnu', '-cf', out, '-C', src, 'bad.ovf']
                   + list(files) + ['hole.img'], check=True)
    return out


def truncated_tar(work):
    spec, files = _base(work)
    path = ovfgen.build(os.path.join(work, 'bad.ova'), spec, files)
    with tarfile.open(path) as tar:
        last = tar.getmembers()[-1]
    with open(path, 'r+b') as handle:
        handle.truncate(last.offset_data + last.size // 2)
    return path


def gzip_container(work):
    spec, files = _base(work)
    path = ovfgen.build(os.path.join(work, 'plain.ova'), spec, files)
    out = os.path.join(work, 'bad.ova')
    with open(path, 'rb') as src, gzip.open(out, 'wb') as dst:
        dst.write(src.read())
    os.unlink(path)
    return out


def no_descriptor(work):
    return _ova(work, [('disk.vmdk', b'x' * 512)])


def two_descriptors(work):
    spec, files = _base(work)
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files,
                        extra=[('other.ovf', ovfgen.descriptor(spec))])


def _descriptor_only(work, text):
    return _ova(work, [('bad.ovf', text if isinstance(text, bytes) else text.encode())])


def xxe(work):
    return _descriptor_only(work, '<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY x SYSTEM '
                                  '"file:///etc/passwd">]>\n<Envelope xmlns="http://schemas.dmtf.org'
                                  '/ovf/envelope/1"><References/>&x;</Envelope>')


def billion_laughs(work):
    ents = ''.join('<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">'
                   % ((i,) + (i - 1,) * 10) for i in range(1, 10))
    return _descriptor_only(work, '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">%s]>'
                                  '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">'
                                  '&l9;</Envelope>' % ents)


def plain_doctype(work):
    return _descriptor_only(work, '<?xml version="1.0"?><!DOCTYPE Envelope SYSTEM '
                                  '"http://127.0.0.1:9/x.dtd"><Envelope xmlns="http://schemas.dmtf.'
                                  'org/ovf/envelope/1"><References/></Envelope>')


def huge_descriptor(work):
    spec, _files = _base(work)
    spec.product['FullVersion'] = 'x' * (5 * 1024 * 1024)
    return _descriptor_only(work, ovfgen.descriptor(spec))


def malformed_xml(work):
    return _descriptor_only(work, b'<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">')


def required_unknown_section(work):
    spec, files = _base(work)
    spec.extra_sections.append('<FutureSection xmlns="http://schemas.dmtf.org/ovf/envelope/1">'
                               '<Info>x</Info></FutureSection>')
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files)


def url_href(work):
    spec, files = _base(work)
    spec.files[0]['href'] = 'http://127.0.0.1:9/disk.vmdk'
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files)


def traversal_href(work):
    spec, files = _base(work)
    spec.files[0]['href'] = '../../etc/passwd'
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files)


def size_lie(work):
    spec, files = _base(work)
    spec.files[0]['size'] = spec.files[0]['size'] + 512
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, files)


def manifest_mismatch_disk(work):
    spec, files = _base(work)
    desc = ovfgen.descriptor(spec)
    href, path = list(files.items())[0]
    mf = ovfgen.manifest([('bad.ovf', desc), (href, b'not the disk')])
    return _ova(work, [('bad.ovf', desc), ('bad.mf', mf), (href, path)])


def manifest_mismatch_descriptor(work):
    spec, files = _base(work)
    desc = ovfgen.descriptor(spec)
    href, path = list(files.items())[0]
    mf = ovfgen.manifest([('bad.ovf', desc + b' '), (href, ovfgen.read(path))])
    return _ova(work, [('bad.ovf', desc), ('bad.mf', mf), (href, path)])


def manifest_omits_disk(work):
    """A manifest that lists the descriptor only: the unlisted disk could be swapped unnoticed."""
    spec, files = _base(work)
    desc = ovfgen.descriptor(spec)
    href, path = list(files.items())[0]
    mf = ovfgen.manifest([('bad.ovf', desc)])
    return _ova(work, [('bad.ovf', desc), ('bad.mf', mf), (href, path)])


def manifest_garbage(work):
    spec, files = _base(work)
    desc = ovfgen.descriptor(spec)
    href, path = list(files.items())[0]
    return _ova(work, [('bad.ovf', desc), ('bad.mf', b'this is not a manifest\n'), (href, path)])


def _signed(work, sign_with_other=False, tamper=False):
    spec, files = _base(work)
    ca_key, ca = ovfgen.make_ca()
    key, cert = ovfgen.make_signer(ca_key, ca)
    if sign_with_other:
        other_key, other_ca = ovfgen.make_ca('Other CA')
        key, cert = ovfgen.make_signer(other_key, other_ca, 'Impostor')
    desc = ovfgen.descriptor(spec)
    href, path = list(files.items())[0]
    mf = ovfgen.manifest([('bad.ovf', desc), (href, ovfgen.read(path))])
    signed = ovfgen.sign_manifest(key, cert, 'bad.mf', mf)
    if tamper:
        mf = mf.replace(b'SHA256', b'SHA256 ', 1)
    ca_file = os.path.join(work, 'ca.pem')
    with open(ca_file, 'wb') as handle:
        handle.write(ovfgen.pem(ca))
    path = _ova(work, [('bad.ovf', desc), ('bad.mf', mf), ('bad.cert', signed), (href, path)])
    return path, {'trusted_certs': [ca_file]}


def bad_signature(work):
    return _signed(work, tamper=True)


def untrusted_signer(work):
    return _signed(work, sign_with_other=True)


def _disk_case(work, disk_path, fmt='vmdk', capacity_mib=8):
    spec = ovfgen.Spec('bad')
    href = os.path.basename(disk_path)
    spec.files = [{'id': 'file1', 'href': href, 'size': os.path.getsize(disk_path)}]
    spec.disks = [{'id': 'vmdisk1', 'file': 'file1', 'capacity': capacity_mib,
                   'units': 'byte * 2^20', 'fmt': fmt}]
    spec.nics = []
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, {href: disk_path})


def vmdk_host_file(work):
    disk = os.path.join(work, 'flat.vmdk')
    with open(disk, 'w') as handle:
        handle.write('# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n'
                     'createType="monolithicFlat"\n\n# Extent description\n'
                     'RW 16 FLAT "/etc/hostname" 0\n\nddb.virtualHWVersion = "4"\n')
    return _disk_case(work, disk)


def qcow2_backing_file(work):
    disk = os.path.join(work, 'backed.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', '/etc/hostname', '-F', 'raw',
                    disk, '8M'], check=True)
    return _disk_case(work, disk, 'qcow2')


def raw_declared_but_qcow2_backing(work):
    disk = os.path.join(work, 'disk.img')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', '/etc/hostname', '-F', 'raw',
                    disk, '8M'], check=True)
    return _disk_case(work, disk, 'raw')


def qcow2_data_file(work):
    disk = os.path.join(work, 'datafile.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-o',
                    'data_file=%s' % os.path.join(work, 'outside.raw'), disk, '8M'], check=True)
    return _disk_case(work, disk, 'qcow2')


def capacity_lie(work):
    disk = ovfgen.make_disk(work, 'big.vmdk', 'vmdk', size_mib=64)
    return _disk_case(work, disk, capacity_mib=1)


def _vmdk_claiming(work, sectors):
    """A small streamOptimized VMDK whose header and descriptor claim ``sectors`` sectors."""
    disk = ovfgen.make_disk(work, 'bomb.vmdk', 'vmdk', size_mib=8)
    with open(disk, 'r+b') as handle:
        head = handle.read(4096)
        handle.seek(12)
        handle.write(struct.pack('<Q', sectors))
        start = head.index(b'RW 16384 SPARSE')
        handle.seek(start)
        handle.write(b'RW %d SPARSE' % sectors + head[start + 15:head.index(b'\0', start)])
    return disk


def vmdk_bomb(work):
    disk = _vmdk_claiming(work, 64 * 2 ** 31)
    return _disk_case(work, disk, capacity_mib=64 * 1024 * 1024)


def vmdk_header_lie(work):
    disk = _vmdk_claiming(work, 64 * 2 ** 31)
    return _disk_case(work, disk, capacity_mib=8)


def gzip_bomb(work):
    raw = os.path.join(work, 'zeros.raw')
    with open(raw, 'wb') as handle:
        handle.truncate(48 * 1024 * 1024)
    gz = os.path.join(work, 'disk.raw.gz')
    with open(raw, 'rb') as src, gzip.open(gz, 'wb') as dst:
        while True:
            block = src.read(1 << 20)
            if not block:
                break
            dst.write(block)
    os.unlink(raw)
    spec = ovfgen.Spec('bad')
    spec.files = [{'id': 'file1', 'href': 'disk.raw.gz', 'size': os.path.getsize(gz),
                   'compression': 'gzip'}]
    spec.disks = [{'id': 'vmdisk1', 'file': 'file1', 'capacity': 1, 'units': 'byte * 2^20',
                   'fmt': 'raw'}]
    return ovfgen.build(os.path.join(work, 'bad.ova'), spec, {'disk.raw.gz': gz})


def unsupported_vhd(work):
    disk = os.path.join(work, 'disk.vhd')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'vpc', disk, '8M'], check=True)
    return _disk_case(work, disk)


CASES = {
    'path_traversal': (path_traversal, 'path_traversal'),
    'absolute_member': (absolute_member, 'absolute_path'),
    'symlink_member': (symlink_member, 'not_regular'),
    'hardlink_member': (hardlink_member, 'not_regular'),
    'device_member': (device_member, 'not_regular'),
    'directory_member': (directory_member, 'not_regular'),
    'duplicate_member': (duplicate_member, 'duplicate_member'),
    'sparse_member': (sparse_member, 'sparse_member'),
    'truncated_tar': (truncated_tar, 'truncated'),
    'gzip_container': (gzip_container, 'bad_tar'),
    'no_descriptor': (no_descriptor, 'no_descriptor'),
    'two_descriptors': (two_descriptors, 'several_descriptors'),
    'xxe': (xxe, 'doctype'),
    'billion_laughs': (billion_laughs, 'doctype'),
    'plain_doctype': (plain_doctype, 'doctype'),
    'huge_descriptor': (huge_descriptor, 'too_large'),
    'malformed_xml': (malformed_xml, 'malformed_xml'),
    'required_unknown_section': (required_unknown_section, 'unsupported_required'),
    'url_href': (url_href, 'url_reference'),
    'traversal_href': (traversal_href, 'path_traversal'),
    'size_lie': (size_lie, 'size_mismatch'),
    'manifest_mismatch_disk': (manifest_mismatch_disk, 'digest_mismatch'),
    'manifest_mismatch_descriptor': (manifest_mismatch_descriptor, 'digest_mismatch'),
    'manifest_garbage': (manifest_garbage, 'bad_manifest'),
    'manifest_omits_disk': (manifest_omits_disk, 'manifest_incomplete'),
    'bad_signature': (bad_signature, 'bad_signature'),
    'untrusted_signer': (untrusted_signer, 'untrusted_certificate'),
    'vmdk_host_file': (vmdk_host_file, 'vmdk_descriptor'),
    'qcow2_backing_file': (qcow2_backing_file, 'backing_file'),
    'raw_declared_but_qcow2_backing': (raw_declared_but_qcow2_backing, 'backing_file'),
    'qcow2_data_file': (qcow2_data_file, 'data_file'),
    'capacity_lie': (capacity_lie, 'capacity_mismatch'),
    'vmdk_bomb': (vmdk_bomb, 'too_large'),
    'vmdk_header_lie': (vmdk_header_lie, 'capacity_mismatch'),
    'gzip_bomb': (gzip_bomb, 'decompression_bomb'),
    'unsupported_vhd': (unsupported_vhd, 'unsupported_format'),
}


def build_case(name, work):
    """Return (package path, extra deploy arguments, expected code)."""
    builder, code = CASES[name]
    result = builder(work)
    if isinstance(result, tuple):
        return result[0], result[1], code
    return result, {}, code
