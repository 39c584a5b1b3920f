#!/usr/bin/env python3
"""Create-to-running of a burst of machines through a provider over two real libvirt hosts
(this machine's libvirtd and tools/libvirtd_second.sh's), next to the same provider over one.

Each round creates --burst machines at once (initialState STARTED) and times every one from its
POST to its Job's SUCCESS with the machine STARTED; then deletes them. Rounds alternate between
the two providers (bench/common.interleave); prints the medians of every machine's time and of
the bursts' wall time, and the ratio two hosts / one host. Both daemons share this machine's
CPUs, so the ratio shows what the second host's own daemon (its locks, its qemu start-up
serialisation) adds or saves, not what a second machine's CPUs would.
Usage: .venv/bin/python bench/multihost_machine/bench.py [--rounds N] [--burst N]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import libvirt

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "provider" / "tests"))
sys.path.insert(0, str(ROOT / "provider" / "tests" / "libvirt"))
from common import interleave, machine_description, median, ratio, today  # noqa: E402
from libvirt_helpers import LIBVIRT_URI, NS, ProviderProcess, cleanup_prefix, machine_body  # noqa: E402
from second_host import SecondHost  # noqa: E402


class Variant:
    """One provider (one or two hosts) with its image; ``burst()`` times one burst."""

    def __init__(self, work: Path, name: str, uris: tuple, image_path: Path, size: int):
        self.prefix = f"{name}{uuid.uuid4().hex[:6]}-"
        self.proc = ProviderProcess(work, self.prefix, name, uris=uris)
        self.proc.start()
        self.client = self.proc.client
        self.image = self.client.create("machineImages", {
            "resourceURI": NS + "/MachineImage", "name": "blank",
            "imageLocation": f"file://{image_path}"})
        self.add = self.client.add_href("machines")
        self.size = size
        self.serial = 0
        self.spread: dict = {}

    def _one(self, name: str) -> tuple:
        t0 = time.perf_counter()
        resp = self.client.post(self.add, machine_body(name, self.image, initialState="STARTED"))
        assert resp.status_code in (201, 202), resp.text
        job = self.client.wait_job(resp, timeout=300)
        elapsed = time.perf_counter() - t0
        machine = self.client.get(resp.headers["Location"])
        assert job["state"] == "SUCCESS" and machine["state"] == "STARTED", (job, machine)
        return elapsed, machine

    def burst(self) -> dict:
        names = [f"m{self.serial + i}" for i in range(self.size)]
        self.serial += self.size
        t0 = time.perf_counter()
        with ThreadPoolExecutor(self.size) as pool:
            done = list(pool.map(self._one, names))
        wall = time.perf_counter() - t0
        for _, machine in done:
            host = machine.get("host", "?")
            self.spread[host] = self.spread.get(host, 0) + 1
        with ThreadPoolExecutor(self.size) as pool:  # not timed: the next round starts empty
            list(pool.map(self._remove, [m for _, m in done]))
        return {"each": [t for t, _ in done], "wall": wall}

    def _remove(self, machine: dict) -> None:
        self.client.delete(self.client.action(machine, "stop", force=True))

    def close(self, conns) -> None:
        self.proc.stop()
        for conn in conns:
            cleanup_prefix(conn, self.prefix)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--burst", type=int, default=6)
    args = parser.parse_args()
    subprocess.run([str(ROOT / "tools" / "libvirtd.sh")], check=True)
    second = SecondHost().start()
    libvirt.registerErrorHandler(lambda _c, _e: None, None)
    conns = [libvirt.open(LIBVIRT_URI), second.open()]
    work = Path("/var/tmp") / f"cimi-bench-mh-{uuid.uuid4().hex[:8]}"
    (work / "images").mkdir(parents=True)
    image_path = work / "images" / "blank.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(image_path), "32M"], check=True)
    variants = {}
    try:
        variants["one host"] = Variant(work, "one", (f"kvm1={LIBVIRT_URI}",), image_path,
                                       args.burst)
        variants["two hosts"] = Variant(work, "two", second.uris(), image_path, args.burst)
        results = interleave({name: v.burst for name, v in variants.items()}, args.rounds)
    finally:
        for variant in variants.values():
            variant.close(conns)
        for conn in conns:
            conn.close()
        second.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{today()}, {machine_description()}")
    print(f"rounds: {args.rounds} (interleaved), {args.burst} machines created at once per round")
    figures = {}
    for name, rounds in results.items():
        each = median([t for r in rounds for t in r["each"]])
        wall = median([r["wall"] for r in rounds])
        figures[name] = (each, wall)
        print(f"{name:9}: create -> STARTED median {each * 1000:.0f} ms per machine, "
              f"burst wall median {wall * 1000:.0f} ms; placed {variants[name].spread}")
    one, two = figures["one host"], figures["two hosts"]
    print(f"ratio two hosts / one host: per machine {ratio(two[0], one[0]):.2f}x, "
          f"burst wall {ratio(two[1], one[1]):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
