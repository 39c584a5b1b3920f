"""Provider throughput next to its floor: single-machine GET and a 1,000-item collection page,
50 concurrent keep-alive clients, against the reference provider and a minimal Starlette app
on the same uvicorn stack serving a same-size static JSON body.

    .venv/bin/python bench/provider_throughput/run.py [--seconds 5] [--rounds 3]
        [--mixed] [--baseline REV] [--rss-machines 10000]

Quiet (default): nothing writes while the reads run. Goal: >= 50% of the floor's requests/s
and p99 < 50 ms for single-machine GETs.

``--mixed``: reads under a steady background of writes, as in real use: 20 Jobs always running
(the memory backend's ``--latency 2``: each Job writes its progress and state several times) and
1 request in 20 a create or a delete. Goals: single GET >= 60% of the floor with p99 < 50 ms,
the 1,000-item page >= 50% of the floor. ``--baseline REV`` runs the provider of another commit
(a temporary git worktree) interleaved with this one, for before/after figures.
``--rss-machines N`` then records the provider's peak RSS with N machines under the mixed load.
Prints ratio lines and a Markdown table for docs/performance.md (also written to --output).
"""
from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(ROOT / "provider" / "tests")]

from churn import running_jobs  # noqa: E402
from common import (interleave, machine_description, markdown_table, median,  # noqa: E402
                    peak_rss_kib, percentile, ratio, ratio_line, today)
from loadgen import Writes, load  # noqa: E402
from server import ProviderProcess, wait_until  # noqa: E402

SEED_MACHINES = 1000
RUNNING_JOBS = 20
MIXED_LATENCY = "2"
JSON = {"Accept": "application/json"}


def discover(prov) -> dict:
    """The two URLs under test, found from the CEP like any client."""
    cep = requests.get(prov.cep_url, headers=JSON, timeout=30).json()
    machines = urljoin(cep["baseURI"], cep["machines"]["href"])
    first = requests.get(machines, params={"$first": "1", "$last": "1"}, headers=JSON,
                         timeout=30).json()["machines"][0]["id"]
    page = f"{machines}?$first=1&$last={SEED_MACHINES}"
    count = len(requests.get(page, headers=JSON, timeout=60).json()["machines"])
    assert count == SEED_MACHINES, f"page has {count} machines"
    return {"single machine GET": first, "1,000-item page": page}


def background(prov):
    """The write mix of ``--mixed``: (Writes for the load generator, the churned machines)."""
    cep = requests.get(prov.cep_url, headers=JSON, timeout=30).json()
    base = cep["baseURI"]

    def first(key: str, items: str) -> str:
        page = requests.get(urljoin(base, cep[key]["href"]), headers=JSON, timeout=30).json()
        return page[items][0]["id"]

    machines = urljoin(base, cep["machines"]["href"])
    body = {"resourceURI": "http://schemas.dmtf.org/cimi/2/MachineCreate", "name": "bench-w",
            "machineTemplate": {"machineConfig": {"href": first("machineConfigs",
                                                                "machineConfigurations")},
                                "machineImage": {"href": first("machineImages", "machineImages")}}}
    last = requests.get(machines, params={"$first": str(SEED_MACHINES - RUNNING_JOBS + 1),
                                          "$last": str(SEED_MACHINES)},
                        headers=JSON, timeout=30).json()["machines"]
    return Writes(machines, body), [m["id"] for m in last]


def start_floor(workdir: Path, bodies: dict) -> tuple[subprocess.Popen, str]:
    specs = []
    for index, body in enumerate(bodies.values()):
        path = workdir / f"floor{index}.json"
        path.write_bytes(body)
        specs.append(f"r{index}={path}")
    port_file = workdir / "floor.port"
    proc = subprocess.Popen([sys.executable, str(HERE / "floor_app.py"), str(port_file), *specs])
    wait_until(lambda: port_file.exists() and port_file.read_text(), timeout=30)
    base = f"http://127.0.0.1:{port_file.read_text()}/"
    wait_until(lambda: requests.get(base + "r0", timeout=5).ok, timeout=30)
    return proc, base


@contextlib.contextmanager
def baseline_tree(rev: str | None):
    """A temporary git worktree of ``rev`` (None: no baseline)."""
    if rev is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), rev],
                       check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False)


def provider(workdir: Path, label: str, args, machines: int, source: Path | None):
    extra = ["--render-cache-entries", "0"] if args.no_render_cache else []
    if args.mixed:
        extra += ["--latency", MIXED_LATENCY]
    env = {"PYTHONPATH": str(source / "provider")} if source else None
    return ProviderProcess(workdir / f"{label}.db", "--seed-machines", str(machines), *extra,
                           env=env).start()


def measure(url: str, args, prov=None, writes=None, churned=()) -> dict:
    if prov is None:
        return load(url, args.connections, args.seconds)
    with running_jobs(prov.base, churned) as started:
        result = load(url, args.connections, args.seconds, writes=writes)
    result["jobs"] = sum(started)
    return result


def summarize(runs: list) -> dict:
    return {"rps": median(r["rps"] for r in runs),
            "p50": median(percentile(r["latencies"], 50) for r in runs) * 1000,
            "p99": median(percentile(r["latencies"], 99) for r in runs) * 1000,
            "errors": sum(r["errors"] for r in runs),
            "writes": sum(r.get("writes", 0) for r in runs),
            "jobs": sum(r.get("jobs", 0) for r in runs)}


def rss_under_load(workdir: Path, args) -> int | None:
    """Peak RSS (KiB) of a provider holding ``args.rss_machines`` machines, after one mixed run
    on a single GET and one on the 1,000-item page."""
    prov = provider(workdir, "rss", args, args.rss_machines, None)
    try:
        urls = discover(prov)
        writes, churned = background(prov)
        for url in urls.values():
            with running_jobs(prov.base, churned):
                load(url, args.connections, args.seconds, writes=writes)
        return peak_rss_kib(prov.proc.pid)
    finally:
        prov.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of one run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--no-render-cache", action="store_true",
                        help="run the provider with --render-cache-entries 0 (every answer rendered)")
    parser.add_argument("--mixed", action="store_true",
                        help="reads under 20 running Jobs and 5%% creates/deletes")
    parser.add_argument("--baseline", metavar="REV",
                        help="also run the provider of commit REV, interleaved (before/after)")
    parser.add_argument("--rss-machines", type=int, default=0,
                        help="then record peak RSS with this many machines under the mixed load")
    parser.add_argument("--output", default=str(ROOT / ".cache" / "bench-provider-throughput.md"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-provider-") as tmp, \
            baseline_tree(args.baseline) as before:
        workdir = Path(tmp)
        sides = {"provider": provider(workdir, "provider", args, SEED_MACHINES, None)}
        if before is not None:
            sides[f"provider@{args.baseline}"] = provider(workdir, "baseline", args,
                                                          SEED_MACHINES, before)
        floor = None
        try:
            urls = discover(sides["provider"])
            bodies = {name: requests.get(url, headers=JSON, timeout=60).content
                      for name, url in urls.items()}
            floor, floor_base = start_floor(workdir, bodies)
            runners = {}
            for index, name in enumerate(urls):
                runners[(name, "floor")] = (lambda u=f"{floor_base}r{index}": measure(u, args))
                for side, prov in sides.items():
                    url = discover(prov)[name]
                    writes, churned = background(prov) if args.mixed else (None, ())
                    load(url, args.connections, 1.0)  # warm-up: imports, caches, SQLite pages
                    runners[(name, side)] = (lambda u=url, p=prov, w=writes, c=churned:
                                             measure(u, args, p if args.mixed else None, w, c))
            results = interleave(runners, args.rounds)
            peaks = {side: peak_rss_kib(prov.proc.pid) for side, prov in sides.items()}
            peaks["floor"] = peak_rss_kib(floor.pid)
        finally:
            for prov in sides.values():
                prov.stop()
            if floor is not None:
                floor.terminate()
                floor.wait(10)
        rss = rss_under_load(workdir, args) if args.rss_machines else None

    rows, lines = [], []
    for name in urls:
        floor_f = summarize(results[(name, "floor")])
        for side in sides:
            f = summarize(results[(name, side)])
            lines.append(ratio_line(f"{name} {side} requests/s", f["rps"], floor_f["rps"]))
            lines.append(ratio_line(f"{name} {side} p99", f["p99"], floor_f["p99"], " ms"))
            rows.append([name, side, len(bodies[name]), f"{f['rps']:.0f}", f"{floor_f['rps']:.0f}",
                         f"{ratio(f['rps'], floor_f['rps']):.0%}", f"{f['p50']:.1f}",
                         f"{f['p99']:.1f}", f"{floor_f['p99']:.1f}", f["errors"] + floor_f["errors"],
                         f"{f['writes']} / {f['jobs']}" if args.mixed else "-"])
    mode = (f"mixed: {RUNNING_JOBS} Jobs always running (--latency {MIXED_LATENCY}) and 1 request "
            "in 20 a create or delete" if args.mixed else "quiet: nothing writes")
    goals = ("single GET >= 60% of the floor with p99 < 50 ms; 1,000-item page >= 50%"
             if args.mixed else "single GET >= 50% of the floor with p99 < 50 ms")
    table = markdown_table(
        ["Scenario", "Side", "Body bytes", "Req/s", "Floor req/s", "Ratio", "p50 ms", "p99 ms",
         "Floor p99 ms", "Non-200", "Writes / Jobs"], rows)
    report = "\n".join([
        f"### Provider throughput, {mode} ({today()})", "",
        f"Machine: {machine_description()}. {args.connections} concurrent keep-alive clients, "
        f"{args.rounds} interleaved rounds of {args.seconds:g} s, medians. Render cache: "
        f"{'off' if args.no_render_cache else 'on'}. Floor: Starlette on uvicorn (same "
        "settings) serving a same-size static JSON body, nothing else running. Peak RSS: "
        + ", ".join(f"{side} {kib} KiB" for side, kib in peaks.items()) + ".", "", table, "",
        f"Goals: {goals}.", ""]
        + ([f"Peak RSS with {args.rss_machines} machines under the mixed load: {rss} KiB.", ""]
           if args.rss_machines else []))
    print("\n".join(lines))
    print()
    print(report)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report)
    print(f"(written to {args.output})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
