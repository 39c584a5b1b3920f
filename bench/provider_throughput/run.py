"""Provider throughput next to its floor: single-machine GET and a 1,000-item collection page,
50 concurrent keep-alive clients, against the reference provider and a minimal Starlette app
on the same uvicorn stack serving a same-size static JSON body.

    .venv/bin/python bench/provider_throughput/run.py [--seconds 5] [--rounds 3]

Goal: provider >= 50% of the floor's requests/s, and p99 < 50 ms for single-machine GETs.
Prints ratio lines and a Markdown table for docs/performance.md (also written to --output).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(ROOT / "provider" / "tests")]

from common import (interleave, machine_description, markdown_table, median,  # noqa: E402
                    peak_rss_kib, percentile, ratio, ratio_line, today)
from loadgen import load  # noqa: E402
from server import ProviderProcess, wait_until  # noqa: E402

SEED_MACHINES = 1000
JSON = {"Accept": "application/json"}


def discover(prov) -> dict:
    """The two URLs under test, found from the CEP like any client."""
    cep = requests.get(prov.cep_url, headers=JSON, timeout=30).json()
    machines = requests.compat.urljoin(cep["baseURI"], cep["machines"]["href"])
    first = requests.get(machines, params={"$first": "1", "$last": "1"}, headers=JSON,
                         timeout=30).json()["machines"][0]["id"]
    page = f"{machines}?$first=1&$last={SEED_MACHINES}"
    count = len(requests.get(page, headers=JSON, timeout=60).json()["machines"])
    assert count == SEED_MACHINES, f"page has {count} machines"
    return {"single machine GET": first, "1,000-item page": page}


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of one run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--no-render-cache", action="store_true",
                        help="run the provider with --render-cache-entries 0 (every answer rendered)")
    parser.add_argument("--output", default=str(ROOT / ".cache" / "bench-provider-throughput.md"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-provider-") as tmp:
        workdir = Path(tmp)
        cache = ["--render-cache-entries", "0"] if args.no_render_cache else []
        prov = ProviderProcess(workdir / "cimi.db", "--seed-machines", str(SEED_MACHINES), *cache)
        prov.start()
        floor = None
        try:
            urls = discover(prov)
            bodies = {name: requests.get(url, headers=JSON, timeout=60).content
                      for name, url in urls.items()}
            floor, floor_base = start_floor(workdir, bodies)
            targets = {}
            for index, (name, url) in enumerate(urls.items()):
                targets[(name, "provider")] = url
                targets[(name, "floor")] = f"{floor_base}r{index}"
            for target in targets.values():  # warm-up: imports, caches, SQLite pages
                load(target, args.connections, 1.0)
            runners = {key: (lambda u=target: load(u, args.connections, args.seconds))
                       for key, target in targets.items()}
            results = interleave(runners, args.rounds)
            peaks = {"provider": peak_rss_kib(prov.proc.pid), "floor": peak_rss_kib(floor.pid)}
        finally:
            prov.stop()
            if floor is not None:
                floor.terminate()
                floor.wait(10)

    rows, lines = [], []
    for name, url in urls.items():
        figures = {}
        for side in ("provider", "floor"):
            runs = results[(name, side)]
            figures[side] = {
                "rps": median(r["rps"] for r in runs),
                "p50": median(percentile(r["latencies"], 50) for r in runs) * 1000,
                "p99": median(percentile(r["latencies"], 99) for r in runs) * 1000,
                "errors": sum(r["errors"] for r in runs)}
        prov_f, floor_f = figures["provider"], figures["floor"]
        lines.append(ratio_line(f"{name} requests/s", prov_f["rps"], floor_f["rps"]))
        lines.append(ratio_line(f"{name} p99", prov_f["p99"], floor_f["p99"], " ms"))
        rows.append([name, len(bodies[name]), f"{prov_f['rps']:.0f}", f"{floor_f['rps']:.0f}",
                     f"{ratio(prov_f['rps'], floor_f['rps']):.0%}", f"{prov_f['p50']:.1f}",
                     f"{prov_f['p99']:.1f}", f"{floor_f['p99']:.1f}",
                     prov_f["errors"] + floor_f["errors"]])
    single = next(r for r in rows if r[0] == "single machine GET")
    goal = (f"Goal (single machine GET): >= 50% of floor requests/s -> {single[4]}; "
            f"p99 < 50 ms -> {single[6]} ms")
    table = markdown_table(
        ["Scenario", "Body bytes", "Provider req/s", "Floor req/s", "Ratio", "Provider p50 ms",
         "Provider p99 ms", "Floor p99 ms", "Non-200"], rows)
    report = "\n".join([
        f"### Provider throughput ({today()})", "",
        f"Machine: {machine_description()}. {args.connections} concurrent keep-alive clients, "
        f"{args.rounds} interleaved rounds of {args.seconds:g} s, medians. Render cache: "
        f"{'off' if args.no_render_cache else 'on'}. Floor: Starlette on "
        "uvicorn (same settings) serving a same-size static JSON body. Peak RSS: provider "
        f"{peaks['provider']} KiB, floor {peaks['floor']} KiB.", "", table, "", goal, ""])
    print("\n".join(lines))
    print()
    print(report)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report)
    print(f"(written to {args.output})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
