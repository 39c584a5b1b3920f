#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovf_deploy against a qemu-img floor and the manual path. Prints figures; not run in tests.

OVA: one streamOptimized VMDK of BENCH_SIZE_MIB (default 2048) virtual MiB, first half random,
second half zeros, plus a SHA256 manifest (BENCH_OVA=path reuses one built before). BENCH_RUNS
(default 3) rounds, each running the three paths in a rotated order so none always goes first;
medians of wall time and of CPU seconds are reported, with the ratios. Peak memory is the largest
sum of RSS over a path's process tree, sampled from /proc (the OVA is built in a child process so
the benchmark's own memory does not leak into its children's ru_maxrss). Needs root and libvirtd
(tools/libvirtd.sh).

  floor   : one `qemu-img convert` reading the VMDK in place from the OVA (no hashing, no libvirt)
  deploy  : plugins/modules/ovf_deploy.py run as a process (verify + convert + define + start)
  manual  : tar -x, sha256sum -c, qemu-img convert, virsh define + start
"""
from __future__ import annotations

import json
import os
import resource
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


def build_ova_here():
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


def build_ova():
    """Build in a child process: ovfgen holds the whole VMDK in memory while writing."""
    code = ('import sys; sys.path.insert(0, %r); import bench; bench.WORK = %r; '
            'print(bench.build_ova_here())' % (os.path.dirname(os.path.abspath(__file__)), WORK))
    out = subprocess.run([sys.executable, '-c', code], check=True, stdout=subprocess.PIPE)
    return out.stdout.decode().strip().splitlines()[-1]


class TreeMemory(threading.Thread):
    """Largest sum of RSS over a process and its descendants, sampled from /proc."""

    PAGE = os.sysconf('SC_PAGE_SIZE')

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_by = ''
        self.done = threading.Event()

    def sample(self):
        parents, rss, names = {}, {}, {}
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    stat = handle.read()
            except OSError:
                continue
            name = stat[stat.index('(') + 1:stat.rindex(')')]
            fields = stat[stat.rindex(')') + 2:].split()
            pid = int(entry)
            parents[pid] = int(fields[1])
            rss[pid] = int(fields[21]) * self.PAGE
            names[pid] = name
        tree, todo = set(), [self.pid]
        while todo:
            pid = todo.pop()
            if pid in tree or pid not in rss:
                continue
            tree.add(pid)
            todo.extend(child for child, parent in parents.items() if parent == pid)
        total = sum(rss[p] for p in tree)
        if total > self.peak:
            self.peak = total
            self.peak_by = ', '.join('%s %.0f' % (names[p], rss[p] / 2 ** 20)
                                     for p in sorted(tree, key=lambda p: -rss[p]))

    def run(self):
        while not self.done.wait(0.05):
            self.sample()


def timed(cmd, **kwargs):
    """Wall and CPU seconds (reaped descendants included), peak tree RSS, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    memory = TreeMemory(proc.pid)
    memory.start()
    out, err = proc.communicate()
    elapsed = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    memory.done.set()
    memory.join()
    if proc.returncode != 0:
        raise RuntimeError('%s failed: %s %s' % (cmd[0], out[-2000:], err[-2000:]))
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {'wall': elapsed, 'cpu': cpu, 'memory': memory.peak, 'memory_by': memory.peak_by,
            'out': out}


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
                  os.path.join(out_dir, 'floor.qcow2')])


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
    try:
        figures = timed([sys.executable, os.path.join(ROOT, 'plugins', 'modules',
                                                      'ovf_deploy.py'), args_file], env=env)
    finally:
        watcher.stop = True
        watcher.join()
    result = json.loads(figures['out'])
    assert not result.get('failed'), result
    assert result['domain']['state'] == 'running', result
    image = os.stat(os.path.join(pool_path, name + '-disk1.qcow2')).st_blocks * 512
    figures['extra'] = max(0, watcher.peak - image) / image
    remove_domain(conn, name)
    return figures


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
    figures = timed(['bash', '-c', script])
    remove_domain(conn, name)
    return figures


PATHS = ('floor', 'ovf_deploy', 'manual')


def one_round(number, conn, ova, pool_path, results):
    """Run the three paths once, starting from a different one each round."""
    runners = {
        'floor': lambda: run_floor(ova, os.path.join(WORK, 'floor')),
        'ovf_deploy': lambda: run_deploy(conn, ova, TAG, pool_path, TAG),
        'manual': lambda: run_manual(conn, ova, os.path.join(WORK, 'manual'), TAG),
    }
    order = PATHS[number % 3:] + PATHS[:number % 3]
    outputs = {'floor': os.path.join(WORK, 'floor'), 'ovf_deploy': pool_path,
               'manual': os.path.join(WORK, 'manual')}
    for path in order:
        results[path].append(runners[path]())
        # The next path starts with the same free space and no dirty pages left to write back
        # (the manual path leaves about 2 GiB of them).
        empty(outputs[path])
        os.sync()
    print('round %d (%s): %s' % (number + 1, ' > '.join(order), '  '.join(
        '%s %.2fs/%.2f cpu-s' % (p, results[p][-1]['wall'], results[p][-1]['cpu'])
        for p in PATHS)), flush=True)


def report(results):
    med = dict((p, dict((k, statistics.median(r[k] for r in results[p]))
                        for k in ('wall', 'cpu', 'memory'))) for p in PATHS)
    for p in PATHS:
        print('median %-10s %6.2fs wall  %6.2f cpu-s  (runs: %s)' % (
            p, med[p]['wall'], med[p]['cpu'],
            ' '.join('%.2f' % r['wall'] for r in results[p])))
    floor, deploy, manual = (med[p]['wall'] for p in PATHS)
    ratio_floor, ratio_manual = deploy / floor, deploy / manual
    print('ovf_deploy / floor  = %.2fx wall (goal <= 1.3: %s), %.2fx cpu-s'
          % (ratio_floor, 'met' if ratio_floor <= 1.3 else 'NOT met',
             med['ovf_deploy']['cpu'] / med['floor']['cpu']))
    print('ovf_deploy / manual = %.2fx wall (goal <= 0.6: %s)'
          % (ratio_manual, 'met' if ratio_manual <= 0.6 else 'NOT met'))
    extra = max(r['extra'] for r in results['ovf_deploy'])
    print('extra disk during ovf_deploy: %.2f%% of the output image (goal <= 1%%: %s)'
          % (100 * extra, 'met' if extra <= 0.01 else 'NOT met'))
    for p in PATHS:
        worst = max(results[p], key=lambda r: r['memory'])
        print('peak RSS of the %s process tree: %.0f MiB (%s; MiB)'
              % (p, worst['memory'] / 2 ** 20, worst['memory_by']))
    print('(CPU seconds and RSS cover the process tree only: the qemu that libvirtd starts '
          'is not in it)')


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
        ova = os.environ.get('BENCH_OVA') or build_ova()
        print('OVA: %s (%.0f MiB), disk %d MiB virtual, half random; %d rounds' % (
            ova, os.path.getsize(ova) / 2 ** 20, SIZE_MIB, RUNS), flush=True)
        results = dict((p, []) for p in PATHS)
        for number in range(RUNS):
            one_round(number, conn, ova, pool_path, results)
        report(results)
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
