#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How fast is the cloudmgmt.dmtf.cimi inventory at 10,000 machines, next to its floor?

Runs the real provider (memory backend, ``--seed-machines N``: two interfaces each; the
database is kept in --workdir and reused), then interleaves, --runs times:

* floor_fetch: a bare ``requests`` script GETting the same URLs the plugin reads (CEP,
  ResourceMetadata, every machines page with the same $expand, machineConfigs) and parsing them;
* static_yaml: ``ansible-inventory --list`` of a static YAML inventory with the same hosts,
  variables and groups (written from the plugin's own output);
* cold: ``ansible-inventory --list --flush-cache`` with the plugin (reads the provider, writes
  the jsonfile cache);
* warm: ``ansible-inventory --list`` with the warm cache (no HTTP request).

Prints medians, peak RSS (max over runs) and the ratios cold / (floor_fetch + static_yaml)
(goal <= 1.2) and warm / static_yaml (goal <= 1.1). Not run by the tests.

    .venv/bin/python bench/inventory_scale/bench.py [--machines 10000] [--runs 5] [--page-size 500]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

WORKTREE = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(WORKTREE / 'provider' / 'tests'))
from server import ProviderProcess  # noqa: E402  (the provider's launcher: port 0 + port file)

FLOOR_SCRIPT = r'''
import json, sys, requests
cep_url, page_size, expand = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = requests.Session(); s.headers['Accept'] = 'application/json'
cep = s.get(cep_url).json(); base = cep['baseURI']
s.get(base + cep['resourceMetadata']['href']).json()
def pages(url, params):
    first, items = 1, []
    while True:
        page = s.get(url, params=dict(params, **{'$first': first, '$last': first + page_size - 1})).json()
        got = [v for k, v in page.items() if isinstance(v, list) and k != 'operations']
        got = got[0] if got else []
        items += got
        if not got or len(items) >= page['count']:
            return items
        first += len(got)
machines = pages(base + cep['machines']['href'], {'$expand': expand})
pages(base + cep['machineConfigs']['href'], {'$select': 'name,count'})
print(len(machines))
'''


def plain(value):
    if isinstance(value, dict):
        if list(value) == ['__ansible_unsafe']:
            return value['__ansible_unsafe']
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def run_measured(cmd, env, cwd):
    """Run under /usr/bin/time to get the child's own peak RSS."""
    full = ['/usr/bin/time', '-f', '__MAXRSS__ %M', *cmd]
    start = time.perf_counter()
    result = subprocess.run(full, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit('%s failed:\n%s' % (' '.join(cmd[:3]), result.stderr[-3000:]))
    rss = [line for line in result.stderr.splitlines() if line.startswith('__MAXRSS__')]
    return elapsed, int(rss[-1].split()[1]) / 1024.0, result.stdout


def static_inventory(listing: dict) -> dict:
    """A YAML inventory with the same hosts, variables and groups as an --list output."""
    hostvars = plain(listing['_meta']['hostvars'])
    children = {}
    for group, data in listing.items():
        if group in ('_meta', 'all', 'ungrouped') or not isinstance(data, dict):
            continue
        children[group] = {'hosts': {h: None for h in data.get('hosts', [])}}
    return {'all': {'hosts': hostvars, 'children': children}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--machines', type=int, default=10000)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--page-size', type=int, default=500)
    parser.add_argument('--workdir', default='/tmp/cimi-inventory-bench')
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(WORKTREE / '.collections'),
               PATH='%s:%s' % (BIN, os.environ.get('PATH', '')), ANSIBLE_NOCOLOR='1',
               PYTHONPATH=str(WORKTREE / 'provider'), ANSIBLE_DEPRECATION_WARNINGS='0')
    db = work / ('machines-%d.db' % args.machines)
    started = time.perf_counter()
    provider = ProviderProcess(db, '--seed-machines', str(args.machines), env={'PYTHONPATH': env['PYTHONPATH']},
                               workdir=work)
    provider.start()
    try:
        count = requests.get(provider.base + 'machines', params={'$last': 0}).json()['count']
        print('provider ready with %d machines in %.1fs (database %s)' % (count, time.perf_counter() - started, db))
        config = work / 'bench.cimi.yml'
        config.write_text('plugin: cloudmgmt.dmtf.cimi\nendpoint: %s\npage_size: %d\ncache: true\n'
                          'cache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n'
                          % (provider.cep_url, args.page_size, work / 'cache'))
        inventory = ['ansible-inventory', '-i', str(config), '--list']
        _t, _m, listing = run_measured([str(BIN / inventory[0])] + inventory[1:] + ['--flush-cache'], env, work)
        listing = json.loads(listing)
        hosts = len(listing['_meta']['hostvars'])
        assert hosts == count, (hosts, count)
        static = work / 'static.yml'
        static.write_text(yaml.safe_dump(static_inventory(listing), default_flow_style=False))
        floor_script = work / 'floor_fetch.py'
        floor_script.write_text(FLOOR_SCRIPT)
        commands = {
            'floor_fetch': [sys.executable, str(floor_script), provider.cep_url, str(args.page_size),
                            'interfaces/endpoints,volumes'],
            'static_yaml': [str(BIN / 'ansible-inventory'), '-i', str(static), '--list'],
            'cold': [str(BIN / 'ansible-inventory'), '-i', str(config), '--list', '--flush-cache'],
            'warm': [str(BIN / 'ansible-inventory'), '-i', str(config), '--list'],
        }
        times = {name: [] for name in commands}
        peaks = {name: 0.0 for name in commands}
        outputs = {}
        for run in range(args.runs):
            for name, cmd in commands.items():
                elapsed, rss, out = run_measured(cmd, env, work)
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], rss)
                outputs[name] = out
            print('run %d: %s' % (run + 1, '  '.join('%s %.2fs' % (n, t[-1]) for n, t in times.items())), flush=True)
        assert int(outputs['floor_fetch']) == count
        same = plain(json.loads(outputs['warm'])['_meta']['hostvars']) == plain(json.loads(outputs['static_yaml'])['_meta']['hostvars'])
        med = {name: statistics.median(values) for name, values in times.items()}
        print('\n%d machines, page_size %d, %d interleaved runs, medians:' % (count, args.page_size, args.runs))
        for name in commands:
            print('  %-12s %7.2fs   peak RSS %6.0f MiB' % (name, med[name], peaks[name]))
        floor = med['floor_fetch'] + med['static_yaml']
        print('  cold / (floor_fetch + static_yaml) = %.2f   (goal <= 1.2)' % (med['cold'] / floor))
        print('  warm / static_yaml                 = %.2f   (goal <= 1.1)' % (med['warm'] / med['static_yaml']))
        print('  warm hostvars identical to static YAML hostvars: %s' % same)
    finally:
        provider.stop()


if __name__ == '__main__':
    main()
