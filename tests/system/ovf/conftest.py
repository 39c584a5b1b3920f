# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real libvirtd (qemu:///system): a directory pool and an isolated network, ours by prefix."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'ovf_fixtures'))
try:
    import ansible_collections.cloudmgmt.dmtf.plugins  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, '.collections'))

import libvirt  # noqa: E402

PREFIX = 'ovft-'
URI = 'qemu:///system'


@pytest.fixture(scope='session')
def conn():
    subprocess.run([os.path.join(ROOT, 'tools', 'libvirtd.sh')], check=True)
    connection = libvirt.open(URI)
    yield connection
    connection.close()


@pytest.fixture
def tag():
    return PREFIX + uuid.uuid4().hex[:8]


@pytest.fixture
def pool(conn, tag):
    # Under libvirt's image directory: qemu (libvirt-qemu) cannot enter root's 0700 /tmp dirs.
    path = os.path.join('/var/lib/libvirt/images', tag)
    os.makedirs(path, 0o755)
    xml = ('<pool type="dir"><name>%s</name><target><path>%s</path></target></pool>'
           % (tag + '-pool', path))
    p = conn.storagePoolDefineXML(xml, 0)
    p.create(0)
    yield p.name(), path
    try:
        p.destroy()
    except libvirt.libvirtError:
        pass
    p.undefine()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def network(conn, tag):
    xml = '<network><name>%s</name><bridge name="%s"/></network>' % (tag + '-net', 'vb' + tag[5:])
    net = conn.networkDefineXML(xml)
    net.create()
    yield net.name()
    net.destroy()
    net.undefine()


@pytest.fixture
def cleanup_domains(conn):
    names = []
    yield names
    for name in names:
        try:
            dom = conn.lookupByName(name)
        except libvirt.libvirtError:
            continue
        if dom.isActive():
            dom.destroy()
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
