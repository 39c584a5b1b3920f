# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The software identity of an appliance: a SWID tag (ISO/IEC 19770-2:2015) from its
ProductSection and manifest, and the OVF 2.0 writer that carries it into an exported OVA."""
from __future__ import annotations

import hashlib
import io
import os
import sys
import tarfile

from lxml import etree

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import schema, writer
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.appliance import Appliance
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.swid import tag as swid

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'ovf_fixtures')
sys.path.insert(0, FIXTURES)

import ovfgen  # noqa: E402

NS = {'s': swid.SWID_NS}
PRODUCT = {'product': 'Router', 'vendor': 'Example Networks', 'version': '2.1',
           'full_version': '2.1.7-build3', 'vendor_url': 'https://www.example.net/x',
           'class': 'net.example.router', 'instance': None}


def test_identity_is_stable_and_follows_the_product():
    first = swid.identity(PRODUCT, 'ab' * 32, [('a.ovf', 10, 'cd' * 32)])
    assert first == swid.identity(PRODUCT, 'ab' * 32, [('a.ovf', 10, 'cd' * 32)])
    assert first['tagId'] != swid.identity(PRODUCT, 'ac' * 32)['tagId']
    assert (first['name'], first['version']) == ('Router', '2.1.7-build3')
    assert first['softwareCreatorRegid'] == 'www.example.net'
    root = etree.fromstring(first['swidTag'].encode())
    assert root.tag == '{%s}SoftwareIdentity' % swid.SWID_NS
    assert root.get('tagId') == first['tagId'] and root.get('tagVersion') == '0'
    roles = dict((e.get('role'), e.get('name')) for e in root.findall('s:Entity', NS))
    assert roles == {'softwareCreator': 'Example Networks', 'tagCreator': 'cloudmgmt.dmtf'}
    assert root.find('s:Meta', NS).get('edition') == 'net.example.router'
    payload = root.find('s:Payload/s:File', NS)
    assert payload.get('name') == 'a.ovf' and payload.get('size') == '10'
    assert payload.get('{%s}hash' % swid.SHA256_NS) == 'cd' * 32


def test_identity_without_a_product_section():
    ident = swid.identity({}, 'ef' * 32, name='bare')
    assert ident['name'] == 'bare' and ident['version'] == '0'
    assert ident['softwareCreatorRegid'] == swid.UNAVAILABLE_REGID
    assert 'role="softwareCreator"' not in ident['swidTag']


def test_for_appliance_lists_the_manifest_digests(tmp_path):
    spec, files = ovfgen.standard_spec(str(tmp_path), 'swid', disk_formats=('raw',))
    path = ovfgen.build(str(tmp_path / 'swid.ova'), spec, files)
    appliance = Appliance(path, 'require')
    ident = swid.for_appliance(appliance)
    assert ident['name'] == 'Test Appliance' and ident['version'] == '3.1.0-test'
    assert ident['applianceDigest'] == 'sha256:' + appliance.digest
    root = etree.fromstring(ident['swidTag'].encode())
    hashes = dict((f.get('name'), f.get('{%s}hash' % swid.SHA256_NS))
                  for f in root.findall('s:Payload/s:File', NS))
    disk = 'swid-disk1.img'
    assert hashes[disk] == hashlib.sha256(ovfgen.read(files[disk])).hexdigest()
    assert hashes['swid.mf'] is None  # the manifest does not list itself


def test_written_package_is_schema_valid_and_reads_back(tmp_path):
    disk = ovfgen.make_disk(str(tmp_path), 'd.vmdk', 'vmdk', size_mib=1, payload=b'x')
    systems = [{'id': 'web', 'name': 'web', 'cpu': 2, 'memory_mib': 64, 'disks': ['web-disk1'],
                'nics': ['Front'], 'properties': [('hostname', 'w')]},
               {'id': 'db', 'name': 'db', 'cpu': 1, 'memory_mib': 32, 'disks': [],
                'nics': ['Front']}]
    disks = [{'id': 'web-disk1', 'file': 'web-disk1.vmdk', 'size': os.path.getsize(disk),
              'capacity': 1 << 20}]
    desc = writer.descriptor(systems, disks, ['Front'], name='pair', product=PRODUCT)
    lint = schema.lint(desc, os.path.join(FIXTURES, 'schemas'))
    assert lint['valid'], lint['errors']
    out = io.BytesIO()
    digests = writer.write_ova(out, 'pair', desc, [('web-disk1.vmdk', disk)],
                               [('pair.swidtag', b'<tag/>')])
    path = tmp_path / 'pair.ova'
    path.write_bytes(out.getvalue())
    with tarfile.open(path) as tar:
        assert tar.getnames() == ['pair.ovf', 'pair.mf', 'web-disk1.vmdk', 'pair.swidtag']
    appliance = Appliance(str(path), 'require')
    appliance.verify_all()
    assert sorted(appliance.manifest.verified) == ['pair.ovf', 'web-disk1.vmdk']
    assert digests['pair.swidtag'] == hashlib.sha256(b'<tag/>').hexdigest()
    ordered = [pair[0].id for pair in appliance.envelope.start_order()]
    assert ordered == ['web', 'db']
