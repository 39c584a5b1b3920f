#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovf_deploy against a qemu-img floor and the manual path. Prints figures; not run in tests.

OVA: one streamOptimized VMDK of BENCH_SIZE_MIB (default 2048) virtual MiB, first half random,
second half zeros, plus a SHA256 manifest. Runs are interleaved (floor, ovf_deploy, manual) and
medians reported. Needs root and libvirtd (tools/libvirtd.sh).

  floor   : one `qemu-img convert` reading the VMDK in place from the OVA (no hashing, no libvirt)
  deploy  : plugins/modules/ovf_deploy.py run as a process (verify + convert + define + start)
  manual  : tar -x, sha256sum -c, qemu-img convert, virsh define + start
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'ovf_fixtures'))
sys.path.insert(0, os.path.join(ROOT, '.collections'))

import ovfgen  # noqa: E402
import libvirt  # noqa: E402
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf import disks  # noqa: E402
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.ovf.package import open_package  # noqa: E402

SIZE_MIB = int(os.environ.get('BENCH_SIZE_MIB', '2048'))
RUNS = int(os.environ.get('BENCH_RUNS', '3'))
TAG = 'ovft-bench-' + uuid.uuid4().hex[:6]
WORK = os.path.join('/var/lib/libvirt/images', TAG)
URI = 'qemu:///system'


def build_ova():
    raw = os.path.join(WORK, 'src.raw')
    half = SIZE_MIB // 2 * 1024 * 1024
    with open(raw, 'wb') as out, open('/dev/urandom', 'rb') as rnd:
        left = half
        while left:
            block = rnd.read(min(left, 8 << 20))
            out.write(block)
            left -= len(block)
        out.truncate(SIZE_MIB * 1024 * 1024)
    vmdk = os.path.join(WORK, 'bench-disk1.vmdk')
    subprocess.run(['qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o',
                    'subformat=streamOptimized', raw, vmdk], check=True)
    os.unlink(raw)
    spec = ovfgen.Spec('bench')
    spec.files = [{'id': 'file1', 'href': 'bench-disk1.vmdk', 'size': os.path.getsize(vmdk)}]
    spec.disks = [{'id': 'vmdisk1', 'file': 'file1', 'capacity': SIZE_MIB, 'units': 'byte * 2^20'}]
    spec.networks = ['VM Network']
    spec.nics = [{'network': 'VM Network', 'model': 'virtio'}]
    spec.product = None
    spec.transport = None
    ova = ovfgen.build(os.path.join(WORK, 'bench.ova'), spec, {'bench-disk1.vmdk': vmdk})
    os.unlink(vmdk)
    return ova


def timed(cmd, **kwargs):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    out = proc.stdout.read()
    err = proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError('%s failed: %s %s' % (cmd[0], out[-2000:], err[-2000:]))
    return elapsed, usage.ru_maxrss, out


class PoolWatcher(threading.Thread):
    """Largest total size of the pool directory seen during a run (extra disk use)."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.peak = 0
        self.stop = False

    def run(self):
        while not self.stop:
            total = 0
            for name in os.listdir(self.path):
                try:
                    total += os.stat(os.path.join(self.path, name)).st_blocks * 512
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.05)


def remove_domain(conn, name):
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    dom.undefine()


def empty(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def run_floor(ova, out_dir):
    empty(out_dir)
    member = open_package(ova).member('bench-disk1.vmdk')
    opts = disks.image_opts(member, 'vmdk', True)
    return timed(['qemu-img', 'convert', '-q', '--image-opts', opts, '-O', 'qcow2',
                  os.path.join(out_dir, 'floor.qcow2')])[:2]


def run_deploy(conn, ova, pool_name, pool_path, network):
    empty(pool_path)
    conn.storagePoolLookupByName(pool_name).refresh(0)
    name = TAG + '-vm'
    args = {'ANSIBLE_MODULE_ARGS': {'src': ova, 'name': name, 'pool': pool_name,
                                    'networks': {'VM Network': network}, 'manifest': 'require',
                                    'state': 'running', 'wait_timeout': 30}}
    args_file = os.path.join(WORK, 'args.json')
    with open(args_file, 'w') as handle:
        json.dump(args, handle)
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, '.collections'))
    watcher = PoolWatcher(pool_path)
    watcher.start()
    elapsed, rss, out = timed([sys.executable, os.path.join(ROOT, 'plugins', 'modules',
                                                            'ovf_deploy.py'), args_file], env=env)
    watcher.stop = True
    watcher.join()
    image = os.stat(os.path.join(pool_path, name + '-disk1.qcow2')).st_blocks * 512
    result = json.loads(out)
    assert not result.get('failed'), result
    remove_domain(conn, name)
    return elapsed, rss, watcher.peak - image, image


def run_manual(conn, ova, out_dir, network):
    empty(out_dir)
    name = TAG + '-manual'
    image = os.path.join(out_dir, 'manual.qcow2')
    xml = os.path.join(out_dir, 'domain.xml')
    with open(xml, 'w') as handle:
        handle.write('<domain type="qemu"><name>%s</name><memory unit="MiB">128</memory>'
                     '<os><type arch="x86_64">hvm</type></os><devices><disk type="file" '
                     'device="disk"><driver name="qemu" type="qcow2"/><source file="%s"/>'
                     '<target dev="vda" bus="virtio"/></disk><interface type="network"><source '
                     'network="%s"/><model type="virtio"/></interface></devices></domain>'
                     % (name, image, network))
    script = ('set -e; cd %(d)s; tar -xf %(ova)s; '
              "sed -E 's/^SHA256\\((.*)\\)= (.*)$/\\2  \\1/' bench.mf | sha256sum -c --quiet; "
              'qemu-img convert -q -f vmdk -O qcow2 bench-disk1.vmdk %(img)s; '
              'virsh -q -c %(uri)s define %(xml)s >/dev/null; virsh -q -c %(uri)s start %(name)s '
              '>/dev/null' % {'d': out_dir, 'ova': ova, 'img': image, 'uri': URI, 'xml': xml,
                              'name': name})
    elapsed, rss, _out = timed(['bash', '-c', script])
    remove_domain(conn, name)
    return elapsed, rss


def main():
    subprocess.run([os.path.join(ROOT, 'tools', 'libvirtd.sh')], check=True)
    os.makedirs(WORK)
    conn = libvirt.open(URI)
    pool_path = os.path.join(WORK, 'pool')
    os.makedirs(pool_path)
    pool = conn.storagePoolDefineXML('<pool type="dir"><name>%s</name><target><path>%s</path>'
                                     '</target></pool>' % (TAG, pool_path), 0)
    pool.create(0)
    net = conn.networkDefineXML('<network><name>%s</name><bridge name="vb%s"/></network>'
                                % (TAG, TAG[-6:]))
    net.create()
    try:
        ova = build_ova()
        print('OVA: %s (%.0f MiB), disk %d MiB virtual, half random' % (
            ova, os.path.getsize(ova) / 2 ** 20, SIZE_MIB))
        floor, deploy, manual, extra, rss = [], [], [], [], []
        for run in range(RUNS):
            floor.append(run_floor(ova, os.path.join(WORK, 'floor'))[0])
            elapsed, peak_rss, extra_bytes, image = run_deploy(conn, ova, TAG, pool_path, TAG)
            deploy.append(elapsed)
            rss.append(peak_rss)
            extra.append(max(0, extra_bytes) / image)
            manual.append(run_manual(conn, ova, os.path.join(WORK, 'manual'), TAG)[0])
            print('run %d: floor %.2fs  ovf_deploy %.2fs  manual %.2fs'
                  % (run + 1, floor[-1], deploy[-1], manual[-1]))
        f, d, m = (statistics.median(x) for x in (floor, deploy, manual))
        print('median floor      %.2fs' % f)
        print('median ovf_deploy %.2fs  = %.2fx floor (goal <= 1.3)  = %.2fx manual (goal <= 0.6)'
              % (d, d / f, d / m))
        print('median manual     %.2fs' % m)
        print('extra disk during ovf_deploy: %.2f%% of the output image (goal <= 1%%)'
              % (100 * max(extra)))
        print('peak RSS of the ovf_deploy process tree: %.0f MiB' % (max(rss) / 1024))
    finally:
        remove_domain(conn, TAG + '-vm')
        remove_domain(conn, TAG + '-manual')
        pool.destroy()
        pool.undefine()
        net.destroy()
        net.undefine()
        conn.close()
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == '__main__':
    main()
