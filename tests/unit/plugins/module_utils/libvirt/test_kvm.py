# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared KVM probe against a faked connection (how libvirt answers is what varies)."""
from __future__ import annotations

import libvirt
import pytest
from lxml import etree

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import kvm


class Probe:
    def __init__(self):
        self.destroyed = False

    def destroy(self):
        self.destroyed = True


class Conn:
    def __init__(self, uri='qemu:///fake', caps=True, starts=True):
        self.uri, self.caps, self.starts = uri, caps, starts
        self.created = []

    def getURI(self):
        return self.uri

    def getDomainCapabilities(self, *_args):
        if not self.caps:
            raise libvirt.libvirtError('no kvm here')
        return '<domainCapabilities/>'

    def createXML(self, xml, flags):
        self.created.append((etree.fromstring(xml.encode('utf-8')), flags))
        if not self.starts:
            raise libvirt.libvirtError('could not access KVM kernel module')
        self.probe = Probe()
        return self.probe


@pytest.fixture(autouse=True)
def fresh():
    kvm.forget()
    yield
    kvm.forget()


def test_kvm_when_a_paused_probe_starts_and_it_is_destroyed():
    conn = Conn()
    assert kvm.domain_type(conn, 'p-kvm-probe') == 'kvm'
    (root, flags), = conn.created
    assert flags == libvirt.VIR_DOMAIN_START_PAUSED
    assert root.get('type') == 'kvm' and root.findtext('name') == 'p-kvm-probe'
    assert root.find('devices/disk') is None and root.find('devices/interface') is None
    assert conn.probe.destroyed


def test_the_answer_is_cached_per_uri():
    conn = Conn()
    assert kvm.domain_type(conn, 'p') == 'kvm'
    assert kvm.domain_type(conn, 'p') == 'kvm'
    assert len(conn.created) == 1
    other = Conn('qemu+ssh://other/system', starts=False)
    assert kvm.domain_type(other, 'p') == 'qemu' and len(other.created) == 1
    kvm.forget()
    assert kvm.domain_type(conn, 'p') == 'kvm' and len(conn.created) == 2


def test_qemu_without_kvm_capabilities_and_no_probe_started():
    conn = Conn(caps=False)
    assert kvm.domain_type(conn, 'p') == 'qemu'
    assert conn.created == []


def test_qemu_when_the_probe_cannot_start():
    assert kvm.domain_type(Conn(starts=False), 'p') == 'qemu'
