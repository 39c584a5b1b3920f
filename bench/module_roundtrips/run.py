#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP requests per CIMI module task, and a 50-machine playbook next to a bare `requests` floor.

    .venv/bin/python bench/module_roundtrips/run.py [--machines 50] [--forks 10] [--rounds 3]

1. Requests per task, counted in the provider's access log (``--access-log``; memory backend,
   latency 0): real ``ansible-playbook`` runs of cimi_machine, cimi_network and cimi_volume
   (create, no-op re-run, delete, delete again), one task per run, the log's length marking the
   boundaries. Goal: a no-op re-run makes at most 2 requests per machine.
2. Wall and CPU time of a play creating --machines machines (one inventory host each, connection
   local, --forks) next to a bare `requests` script doing the same creates (wait for the Job, then
   the machine's state) on as many threads, and to ansible.builtin.ping on the same hosts (what
   ansible alone costs); interleaved rounds, medians, ratio to the floor.
Prints the figures and a Markdown table for docs/performance.md (also written to --output).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urljoin

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent), str(ROOT / "provider" / "tests")]

from common import interleave, machine_description, markdown_table, median, ratio, today  # noqa: E402
from server import ProviderProcess  # noqa: E402

NO_OP_GOAL = 2
JSON = {"Accept": "application/json"}
MACHINE = {"config": "m1-small", "image": "debian-12"}
# (resource, module, creation options) for the per-task counts
KINDS = [("machine", "cimi_machine", MACHINE),
         ("network", "cimi_network", {}),
         ("volume", "cimi_volume", {"config": "small-volume"})]
STEPS = [("create", "present"), ("no-op re-run", "present"), ("delete", "absent"),
         ("delete again (no-op)", "absent")]

FLOOR_SCRIPT = r'''
import sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin
import requests
cep_url, prefix, count, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
JSON = {"Accept": "application/json"}
NS = "http://schemas.dmtf.org/cimi/2/"
local = threading.local()
def session():
    if not hasattr(local, "s"):
        local.s = requests.Session(); local.s.headers.update(JSON)
    return local.s
s = session()
cep = s.get(cep_url).json(); base = cep["baseURI"]
def href(key, name):
    page = s.get(urljoin(base, cep[key]["href"]), params={"$filter": "name='%s'" % name}).json()
    return [v for k, v in page.items() if isinstance(v, list) and k != "operations"][0][0]["id"]
template = {"machineConfig": {"href": href("machineConfigs", "m1-small")},
            "machineImage": {"href": href("machineImages", "debian-12")}}
machines = urljoin(base, cep["machines"]["href"])
def create(index):
    http = session()
    body = {"resourceURI": NS + "MachineCreate", "name": "%s%d" % (prefix, index), "machineTemplate": template}
    reply = http.post(machines, json=body)
    reply.raise_for_status()
    job = reply.headers.get("CIMI-Job-URI")
    while job:
        state = http.get(urljoin(base, job)).json()["state"]
        if state in ("SUCCESS", "FAILED", "STOPPED"):
            assert state == "SUCCESS", state
            break
        time.sleep(0.05)
    machine = http.get(urljoin(base, reply.headers["Location"])).json()
    assert machine["state"] in ("STOPPED", "STARTED"), machine["state"]
with ThreadPoolExecutor(threads) as pool:
    list(pool.map(create, range(count)))
'''


class AccessLog:
    """Reads the provider's access log; ``mark()`` then ``since()`` gives one run's requests."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0

    def records(self) -> list:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_bytes().splitlines()]

    def mark(self) -> None:
        self.offset = len(self.records())

    def since(self) -> list:
        return self.records()[self.offset:]


def shape(record: dict) -> str:
    """``GET machines?$filter`` for ``GET /cimi/machines?$filter=name='x'``: ids and values dropped
    (paths alternate collection / id: ``machines/<id>/interfaces/<id>/endpoints``)."""
    path, _, query = record["path"].partition("?")
    parts = path.split("/cimi/", 1)[-1].split("/")
    path = "/".join("<id>" if index % 2 else part for index, part in enumerate(parts))
    keys = [unquote(kv.split("=", 1)[0]) for kv in query.split("&") if kv]
    keys = [k for k in keys if k not in ("$first", "$last")] or keys  # paging noise, unless alone
    return f"{record['method']} {path}" + (f"?{'&'.join(dict.fromkeys(keys))}" if keys else "")


def requests_summary(records: list) -> str:
    counts: dict = {}
    for record in records:
        counts[shape(record)] = counts.get(shape(record), 0) + 1
    return ", ".join(f"{n}x {key}" if n > 1 else key for key, n in counts.items())


def ansible_env(workdir: Path, forks: int) -> dict:
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_FORKS=str(forks), ANSIBLE_HOST_KEY_CHECKING="False",
                ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"), ANSIBLE_RETRY_FILES_ENABLED="False")


def playbook(workdir: Path, name: str, hosts: str, module: str, options: dict) -> Path:
    path = workdir / f"{name}.yml"
    args = "".join(f"      {key}: \"{value}\"\n" for key, value in options.items())
    path.write_text(f"- name: {name}\n  hosts: {hosts}\n  gather_facts: false\n  tasks:\n"
                    f"  - name: {module} {options['state']}\n    cloudmgmt.dmtf.{module}:\n{args}")
    return path


def timed(command: list, **kwargs) -> tuple:
    """(wall s, CPU s of the command and every process it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[-2:])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process so far (the provider's share of a run)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_playbook(workdir: Path, play: Path, forks: int) -> tuple:
    return timed([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(workdir / "inventory"),
                  str(play)], env=ansible_env(workdir, forks), cwd=workdir)


def per_task_counts(workdir: Path, log: AccessLog, endpoint: str) -> list:
    """(resource, step, requests, summary) for each step of each kind, one task per run."""
    (workdir / "inventory").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    rows = []
    for kind, module, options in KINDS:
        for step, state in STEPS:
            play = playbook(workdir, f"{kind}-{state}", "localhost", module,
                            dict(options, name=f"rt-{kind}", state=state, endpoint=endpoint))
            log.mark()
            run_playbook(workdir, play, 1)
            records = log.since()
            rows.append((kind, step, len(records), requests_summary(records)))
            print(f"{kind:8} {step:22} {len(records):3} requests: {requests_summary(records)}", flush=True)
    return rows


def delete_all(prov, prefix: str) -> None:
    """Remove the previous round's machines (not timed), so every round creates them afresh."""
    cep = requests.get(prov.cep_url, headers=JSON, timeout=30).json()
    url = urljoin(cep["baseURI"], cep["machines"]["href"])
    for machine in requests.get(url, headers=JSON, timeout=60).json().get("machines", []):
        if machine["name"].startswith(prefix):
            requests.delete(urljoin(cep["baseURI"], machine["id"]), timeout=30).raise_for_status()


def scale_run(workdir: Path, prov, log: AccessLog, args) -> dict:
    """Interleaved rounds of: the play, the bare floor, and ansible.builtin.ping on the same hosts
    (what ansible itself costs per host, with no CIMI work)."""
    hosts = "".join(f"bench-{i:03d} ansible_connection=local ansible_python_interpreter={sys.executable}\n"
                    for i in range(args.machines))
    (workdir / "inventory").write_text("[fleet]\n" + hosts)
    create = playbook(workdir, "fleet", "fleet", "cimi_machine",
                      dict(MACHINE, name="pb-{{ inventory_hostname }}", state="present", endpoint=prov.cep_url))
    ping = workdir / "ping.yml"
    ping.write_text("- name: ping\n  hosts: fleet\n  gather_facts: false\n  tasks:\n"
                    "  - name: ping\n    ansible.builtin.ping:\n")
    script = workdir / "floor.py"
    script.write_text(FLOOR_SCRIPT)
    commands = {
        "playbook": lambda: run_playbook(workdir, create, args.forks),
        "floor": lambda: timed([sys.executable, str(script), prov.cep_url, "floor-", str(args.machines),
                                str(args.forks)]),
        "ansible ping": lambda: run_playbook(workdir, ping, args.forks),
    }
    cpu: dict = {name: [] for name in commands}
    provider_cpu: dict = {name: [] for name in commands}
    sent: dict = {name: [] for name in commands}

    def measured(name):
        def runner():
            delete_all(prov, {"playbook": "pb-", "floor": "floor-"}.get(name, "\0"))
            log.mark()
            served = process_cpu_s(prov.proc.pid)
            elapsed, cpu_s = commands[name]()
            provider_cpu[name].append(process_cpu_s(prov.proc.pid) - served)
            cpu[name].append(cpu_s)
            sent[name].append(len(log.since()))
            print(f"{name:12} {elapsed:6.2f} s wall, {cpu_s:6.2f} s CPU (provider {provider_cpu[name][-1]:.2f} s), "
                  f"{sent[name][-1]} requests", flush=True)
            return elapsed
        return runner

    times = interleave({name: measured(name) for name in commands}, args.rounds)
    return {"times": times, "cpu": cpu, "provider_cpu": provider_cpu, "requests": sent}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machines", type=int, default=50)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--output", default=str(ROOT / ".cache" / "bench-module-roundtrips.md"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-roundtrips-") as tmp:
        workdir = Path(tmp)
        (workdir / "tmp").mkdir()
        log = AccessLog(workdir / "access.jsonl")
        prov = ProviderProcess(workdir / "cimi.db", "--latency", "0", "--access-log", str(log.path))
        prov.start()
        try:
            counts = per_task_counts(workdir, log, prov.cep_url)
            scale = scale_run(workdir, prov, log, args)
        finally:
            prov.stop()
    report(counts, scale, args)
    return 0


def report(counts: list, scale: dict, args) -> None:
    machine_noop = [n for kind, step, n, _ in counts if (kind, step) == ("machine", "no-op re-run")][0]
    goal = (f"Goal: a no-op re-run makes at most {NO_OP_GOAL} requests per machine: "
            f"{machine_noop} ({'met' if machine_noop <= NO_OP_GOAL else 'NOT MET'}).")
    table1 = markdown_table(["resource", "task", "requests", "what they are"],
                            [(k, s, n, f"`{summary}`" if summary else "") for k, s, n, summary in counts])
    floor = median(scale["times"]["floor"])
    rows = []
    for name, label in (("playbook", "playbook (cimi_machine)"), ("floor", "bare `requests` floor"),
                        ("ansible ping", "`ansible.builtin.ping`, same hosts (reference)")):
        times = scale["times"][name]
        rows.append((label, f"{median(times):.2f} s", " / ".join(f"{t:.2f}" for t in times),
                     f"{median(scale['cpu'][name]):.1f} s", f"{median(scale['provider_cpu'][name]):.1f} s",
                     f"{median(scale['requests'][name]) / args.machines:.1f}",
                     f"**{ratio(median(times), floor):.1f}x**" if name == "playbook"
                     else f"{ratio(median(times), floor):.1f}x"))
    table2 = markdown_table(["run", "median wall", "rounds", "client CPU", "provider CPU", "requests per machine",
                             "wall / floor"], rows)
    lines = [f"Measured {today()} on {machine_description()}.", "",
             "Requests per task (one task per `ansible-playbook` run, counted in the access log):", "",
             table1, "", goal, "",
             f"{args.machines} machines, forks={args.forks} (floor: {args.forks} threads), {args.rounds} "
             "interleaved rounds, medians (client CPU: the command and its children; provider CPU: "
             "the provider process during the run):", "", table2, ""]
    text = "\n".join(lines)
    print(text)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text)


if __name__ == "__main__":
    sys.exit(main())
