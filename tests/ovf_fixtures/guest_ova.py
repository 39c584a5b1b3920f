# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An OVA of the tests' bootable guest (``tools/guest_image.sh``), written with the collection's
own OVF writer (``module_utils/ovf/writer.py``).

The disk is the cached qcow2 converted by qemu-img to a streamOptimized VMDK, as real OVAs carry
it. The ProductSection declares the properties cloud-init's OVF data source reads from the
environment ISO (cloud-init 22.4, ``DataSourceOVF.read_ovf_environment``): ``hostname`` (taken
as ``local-hostname``), ``public-keys`` (the default user's authorized key), ``instance-id``,
``user-data`` (base64) and ``password``; the VirtualHardwareSection asks for the ``iso``
transport. The VM has no NIC of its own: ovf_deploy's ``forward_ports`` adds the one it needs.

    python tests/ovf_fixtures/guest_ova.py OUT.ova   # build one by hand
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
try:
    import ansible_collections.cloudmgmt.dmtf.plugins  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, '.collections'))

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import writer  # noqa: E402

# The keys cloud-init's OVF data source understands, with the defaults the OVA declares.
PROPERTIES = (('hostname', 'debian'), ('public-keys', ''), ('instance-id', 'iid-ovf-guest'),
              ('user-data', ''), ('password', ''))


def guest_image():
    """The cached guest image's path (building it when missing, as ``make guest-image`` does)."""
    out = subprocess.run([os.path.join(ROOT, 'tools', 'guest_image.sh'), 'build'], check=True,
                         stdout=subprocess.PIPE, text=True)
    return out.stdout.strip().splitlines()[-1]


def build(out, image=None, memory_mib=512, workdir=None):
    """Write the OVA ``out`` from ``image`` (default: the cached guest image); returns ``out``."""
    image = image or guest_image()
    info = json.loads(subprocess.check_output(['qemu-img', 'info', '--output=json', image]))
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        vmdk = os.path.join(tmp, 'guest-disk1.vmdk')
        subprocess.run(['qemu-img', 'convert', '-q', '-f', info['format'], '-O', 'vmdk',
                        '-o', 'subformat=streamOptimized', image, vmdk], check=True)
        disks = [{'id': 'disk1', 'file': 'guest-disk1.vmdk', 'size': os.path.getsize(vmdk),
                  'capacity': info['virtual-size']}]
        systems = [{'id': 'guest', 'name': 'debian-guest', 'cpu': 1, 'memory_mib': memory_mib,
                    'disks': ['disk1'], 'nics': [],
                    'product': {'product': 'Debian guest', 'vendor': 'cloudmgmt.dmtf tests',
                                'version': 'bookworm'},
                    'properties': PROPERTIES}]
        desc = writer.descriptor(systems, disks, [])
        with open(out, 'wb') as handle:
            writer.write_ova(handle, 'guest', desc, [('guest-disk1.vmdk', vmdk)])
    return out


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: guest_ova.py OUT.ova')
    print(build(sys.argv[1]))
