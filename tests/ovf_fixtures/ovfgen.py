# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small OVA generator for tests: real disks (qemu-img), an OVF 1.x/2.x writer, tarfile.

Everything is built at test time in a temporary directory; nothing large is
committed.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import subprocess
import tarfile

from lxml import etree

OVF1 = 'http://schemas.dmtf.org/ovf/envelope/1'
OVF2 = 'http://schemas.dmtf.org/ovf/envelope/2'
RASD = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData'
VSSD = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData'
VMW = 'http://www.vmware.com/schema/ovf'
FORMAT_URI = {
    'vmdk': 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized',
    'qcow2': 'http://www.gnome.org/~markmc/qcow-image-format.html',
    'raw': 'http://www.vmware.com/specifications/vmdk.html#sparse',
}
MIB = 1024 * 1024


def make_disk(workdir, name, fmt, size_mib=8, payload=b'ovf-test-payload\n', extra_args=()):
    """A disk of ``size_mib`` virtual MiB whose first bytes are ``payload``."""
    raw = os.path.join(workdir, name + '.src.raw')
    with open(raw, 'wb') as handle:
        handle.write(payload)
        handle.truncate(size_mib * MIB)
    out = os.path.join(workdir, name)
    if fmt == 'raw':
        os.rename(raw, out)
        return out
    args = ['qemu-img', 'convert', '-q', '-f', 'raw', '-O', fmt]
    if fmt == 'vmdk':
        args += ['-o', 'subformat=streamOptimized']
    subprocess.run(args + list(extra_args) + [raw, out], check=True)
    os.unlink(raw)
    return out


class Spec:
    """What the descriptor says. Attributes are plain data, edited freely by tests."""

    def __init__(self, name='appliance'):
        self.name = name
        self.version = 1
        self.disks = []          # dicts: id, file (href or None), capacity, units, fmt
        self.files = []          # dicts: id, href, size (None = omit), compression, chunk
        self.networks = ['VM Network']
        self.nics = []           # dicts: network, model, mac
        self.configs = []        # dicts: id, default, label
        self.cpus = {None: 1}    # configuration -> vCPUs
        self.memory_mib = {None: 128}
        self.properties = []     # dicts: key, type, value, user, password, qualifiers, label
        self.product = {'Product': 'Test Appliance', 'Vendor': 'cloudmgmt', 'Version': '3.1',
                        'FullVersion': '3.1.0-test', 'ProductUrl': 'https://example.com/p'}
        self.eula = None
        self.transport = 'iso'
        self.firmware = None
        self.disk_controller = ('6', 'lsilogic')
        self.extra_sections = []  # raw XML strings inserted in the VirtualSystem
        self.os_id = '101'


def descriptor(spec: Spec) -> bytes:
    ovf = OVF1 if spec.version == 1 else OVF2
    nsmap = {None: ovf, 'ovf': ovf, 'rasd': RASD, 'vssd': VSSD, 'vmw': VMW}

    def q(tag):
        return '{%s}%s' % (ovf, tag)

    def r(tag):
        return '{%s}%s' % (RASD, tag)
    env = etree.Element(q('Envelope'), nsmap=nsmap)
    refs = etree.SubElement(env, q('References'))
    for f in spec.files:
        el = etree.SubElement(refs, q('File'), {q('id'): f['id'], q('href'): f['href']})
        if f.get('size') is not None:
            el.set(q('size'), str(f['size']))
        if f.get('compression'):
            el.set(q('compression'), f['compression'])
        if f.get('chunk'):
            el.set(q('chunkSize'), str(f['chunk']))
    ds = etree.SubElement(env, q('DiskSection'))
    etree.SubElement(ds, q('Info')).text = 'disks'
    for d in spec.disks:
        el = etree.SubElement(ds, q('Disk'), {q('diskId'): d['id'], q('capacity'): str(d['capacity'])})
        if d.get('file'):
            el.set(q('fileRef'), d['file'])
        if d.get('units'):
            el.set(q('capacityAllocationUnits'), d['units'])
        el.set(q('format'), FORMAT_URI[d.get('fmt', 'vmdk')])
    ns = etree.SubElement(env, q('NetworkSection'))
    etree.SubElement(ns, q('Info')).text = 'networks'
    for name in spec.networks:
        net = etree.SubElement(ns, q('Network'), {q('name'): name})
        etree.SubElement(net, q('Description')).text = 'the %s network' % name
    if spec.configs:
        dos = etree.SubElement(env, q('DeploymentOptionSection'))
        etree.SubElement(dos, q('Info')).text = 'sizes'
        for c in spec.configs:
            el = etree.SubElement(dos, q('Configuration'), {q('id'): c['id']})
            if c.get('default'):
                el.set(q('default'), 'true')
            etree.SubElement(el, q('Label')).text = c.get('label', c['id'])
            etree.SubElement(el, q('Description')).text = 'profile ' + c['id']
    vs = etree.SubElement(env, q('VirtualSystem'), {q('id'): spec.name})
    etree.SubElement(vs, q('Info')).text = 'a test appliance'
    etree.SubElement(vs, q('Name')).text = spec.name
    if spec.product is not None:
        ps = etree.SubElement(vs, q('ProductSection'))
        etree.SubElement(ps, q('Info')).text = 'product'
        for tag in ('Product', 'Vendor', 'Version', 'FullVersion', 'ProductUrl'):
            if spec.product.get(tag):
                etree.SubElement(ps, q(tag)).text = spec.product[tag]
        for p in spec.properties:
            el = etree.SubElement(ps, q('Property'), {q('key'): p['key'], q('type'): p.get('type', 'string')})
            if 'value' in p:
                el.set(q('value'), p['value'])
            if p.get('user', True):
                el.set(q('userConfigurable'), 'true')
            if p.get('password'):
                el.set(q('password'), 'true')
            if p.get('qualifiers'):
                el.set(q('qualifiers'), p['qualifiers'])
            etree.SubElement(el, q('Label')).text = p.get('label', p['key'])
    if spec.eula is not None:
        es = etree.SubElement(vs, q('EulaSection'))
        etree.SubElement(es, q('Info')).text = 'licence'
        etree.SubElement(es, q('License')).text = spec.eula
    oss = etree.SubElement(vs, q('OperatingSystemSection'), {q('id'): spec.os_id})
    etree.SubElement(oss, q('Info')).text = 'os'
    hw = etree.SubElement(vs, q('VirtualHardwareSection'))
    if spec.transport:
        hw.set(q('transport'), spec.transport)
    etree.SubElement(hw, q('Info')).text = 'hardware'
    system = etree.SubElement(hw, q('System'))
    etree.SubElement(system, '{%s}ElementName' % VSSD).text = 'Virtual Hardware Family'
    etree.SubElement(system, '{%s}InstanceID' % VSSD).text = '0'
    etree.SubElement(system, '{%s}VirtualSystemType' % VSSD).text = 'vmx-10 qemu-pc'
    counter = [0]

    def item(fields, config=None):
        counter[0] += 1
        el = etree.SubElement(hw, q('Item'))
        if config:
            el.set(q('configuration'), config)
        fields = dict(fields)
        fields.setdefault('InstanceID', str(counter[0]))
        for tag in sorted(fields):
            values = fields[tag] if isinstance(fields[tag], list) else [fields[tag]]
            for value in values:
                etree.SubElement(el, r(tag)).text = value
        return fields['InstanceID']

    for config, cpus in spec.cpus.items():
        item({'ElementName': '%d vCPU' % cpus, 'InstanceID': '1', 'ResourceType': '3',
              'VirtualQuantity': str(cpus)}, config)
    for config, mib in spec.memory_mib.items():
        item({'AllocationUnits': 'byte * 2^20', 'ElementName': '%d MiB' % mib, 'InstanceID': '2',
              'ResourceType': '4', 'VirtualQuantity': str(mib)}, config)
    counter[0] = 10
    ctrl = item({'Address': '0', 'ElementName': 'SCSI 0', 'ResourceSubType': spec.disk_controller[1],
                 'ResourceType': spec.disk_controller[0]})
    for unit, d in enumerate(spec.disks):
        item({'AddressOnParent': str(unit), 'ElementName': 'disk%d' % unit,
              'HostResource': 'ovf:/disk/%s' % d['id'], 'Parent': ctrl, 'ResourceType': '17'})
    for n, nic in enumerate(spec.nics):
        fields = {'AddressOnParent': str(n + 7), 'AutomaticAllocation': 'true',
                  'Connection': nic['network'], 'ElementName': 'nic%d' % n,
                  'ResourceSubType': nic.get('model', 'VMXNET3'), 'ResourceType': '10'}
        if nic.get('mac'):
            fields['Address'] = nic['mac']
        item(fields, nic.get('config'))
    if spec.firmware:
        cfg = etree.SubElement(hw, '{%s}Config' % VMW)
        cfg.set(q('required'), 'false')
        cfg.set('{%s}key' % VMW, 'firmware')
        cfg.set('{%s}value' % VMW, spec.firmware)
    for raw in spec.extra_sections:
        vs.append(etree.fromstring(raw))
    return etree.tostring(env, xml_declaration=True, encoding='UTF-8', pretty_print=True)


def manifest(entries, algorithm='sha256', style='ovf'):
    """entries: list of (name, bytes). ``style`` 'ovf' -> ``SHA256(f)= x``, 'tag' -> ``SHA256 (f) = x``."""
    lines = []
    for name, data in entries:
        digest = hashlib.new(algorithm, data).hexdigest()
        alg = algorithm.upper()
        if style == 'tag':
            lines.append('%s (%s) = %s\n' % (alg, name, digest))
        else:
            lines.append('%s(%s)= %s\n' % (alg, name, digest))
    return ''.join(lines).encode()


def write_tar(path, members, fmt=tarfile.USTAR_FORMAT):
    """members: list of (name, bytes) or (name, path-on-disk) or prepared TarInfo tuples."""
    with tarfile.open(path, 'w', format=fmt) as tar:
        for entry in members:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
                continue
            name, data = entry
            if isinstance(data, str):
                tar.add(data, arcname=name)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
    return path


def read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def make_ca(common_name='Test OVF CA'):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_signer(ca_key, ca_cert, common_name='Test OVF Signer'):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def pem(cert):
    from cryptography.hazmat.primitives import serialization
    return cert.public_bytes(serialization.Encoding.PEM)


def sign_manifest(key, cert, mf_name, mf_bytes, algorithm='SHA256'):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    sig = key.sign(mf_bytes, padding.PKCS1v15(), getattr(hashes, algorithm)())
    return ('%s(%s)= %s\n' % (algorithm, mf_name, sig.hex())).encode() + pem(cert)


def standard_spec(workdir, name='appliance', disk_formats=('vmdk',), version=1):
    """A realistic spec plus its disk files: two networks, properties, three profiles, EULA."""
    spec = Spec(name)
    spec.version = version
    files = {}
    for index, fmt in enumerate(disk_formats):
        href = '%s-disk%d.%s' % (name, index + 1, {'raw': 'img'}.get(fmt, fmt))
        path = make_disk(workdir, href, fmt, size_mib=8 + 4 * index,
                         payload=('disk%d-%s\n' % (index + 1, fmt)).encode())
        files[href] = path
        spec.files.append({'id': 'file%d' % (index + 1), 'href': href,
                           'size': os.path.getsize(path)})
        spec.disks.append({'id': 'vmdisk%d' % (index + 1), 'file': 'file%d' % (index + 1),
                           'capacity': 8 + 4 * index, 'units': 'byte * 2^20', 'fmt': fmt})
    spec.networks = ['VM Network', 'Inside']
    spec.nics = [{'network': 'VM Network', 'model': 'VMXNET3 virtio'},
                 {'network': 'Inside', 'model': 'E1000', 'mac': '52:54:00:aa:bb:01'}]
    spec.configs = [{'id': 'small'}, {'id': 'medium', 'default': True}, {'id': 'large'}]
    spec.cpus = {None: 1, 'large': 2}
    spec.memory_mib = {None: 128, 'medium': 192, 'large': 256}
    spec.properties = [
        {'key': 'hostname', 'value': 'appliance', 'qualifiers': 'MinLen(1),MaxLen(63)'},
        {'key': 'admin_password', 'value': '', 'password': True, 'qualifiers': 'MinLen(8)'},
        {'key': 'ntp_enabled', 'type': 'boolean', 'value': 'true'},
        {'key': 'mtu', 'type': 'uint32', 'value': '1500', 'qualifiers': 'MinValue(576) MaxValue(9000)'},
        {'key': 'mode', 'value': 'router', 'qualifiers': 'ValueMap{"router","bridge"}'},
        {'key': 'serial', 'value': 'S-0001', 'user': False},
    ]
    spec.eula = 'You may test this appliance.'
    return spec, files


def build(path, spec, files, algorithm='sha256', style='ovf', cert=None, extra=(), order=None):
    """Write the OVA at ``path``: descriptor first, then the manifest (and cert), then files."""
    ovf_name = spec.name + '.ovf'
    desc = descriptor(spec)
    entries = [(ovf_name, desc)] + [(href, read(p)) for href, p in files.items()]
    members = [(ovf_name, desc)]
    if algorithm:
        mf = manifest(entries, algorithm, style)
        members.append((spec.name + '.mf', mf))
        if cert is not None:
            key, certificate = cert
            members.append((spec.name + '.cert',
                            sign_manifest(key, certificate, spec.name + '.mf', mf)))
    members += list(files.items())
    members += list(extra)
    if order:
        members = order(members)
    return write_tar(path, members)
