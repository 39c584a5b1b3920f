#!/usr/bin/env python3
"""Time from a CIMI create request (initialState STARTED) to a running libvirt domain, next to
the floor: defining and starting the same domain XML directly with libvirt-python.

Runs are interleaved (provider, direct, provider, ...); prints medians and the ratio (goal <= 1.5).
Usage: .venv/bin/python bench/libvirt_machine/bench.py [--runs N]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import libvirt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "provider" / "tests" / "libvirt"))
from libvirt_helpers import (LIBVIRT_URI, NS, ProviderProcess, cleanup_prefix, domain,  # noqa: E402
                             machine_body)


def wait_running(conn, name, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            dom = conn.lookupByName(name)
            if dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING:
                return
        except libvirt.libvirtError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"{name} not running after {timeout}s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    subprocess.run([str(HERE.parents[1] / "tools" / "libvirtd.sh")], check=True)
    libvirt.registerErrorHandler(lambda _c, _e: None, None)
    conn = libvirt.open(LIBVIRT_URI)
    prefix = f"b{uuid.uuid4().hex[:8]}-"
    work = Path("/var/tmp") / f"cimi-bench-{prefix.rstrip('-')}"
    (work / "images").mkdir(parents=True)
    image_path = work / "images" / "blank.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(image_path), "32M"], check=True)
    proc = ProviderProcess(work, prefix, "bench")
    provider_times, direct_times = [], []
    try:
        proc.start()
        client = proc.client
        image = client.create("machineImages", {"resourceURI": NS + "/MachineImage",
                                                "name": "blank",
                                                "imageLocation": f"file://{image_path}"})
        add = client.add_href("machines")
        for run in range(args.runs):
            t0 = time.perf_counter()
            resp = client.post(add, machine_body(f"bench{run}", image, initialState="STARTED"))
            assert resp.status_code in (201, 202), resp.text
            machine_id = resp.headers["Location"]
            name = f"{prefix}m-{machine_id.rsplit('/', 1)[-1]}"
            wait_running(conn, name)
            provider_times.append(time.perf_counter() - t0)
            client.wait_job(resp)
            machine = client.get(machine_id)
            # The floor: the very XML the provider defined, on a fresh overlay, directly.
            dom = domain(conn, prefix, machine)
            xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
            disk = xml.split("<source file='", 1)[1].split("'", 1)[0]
            floor_disk = work / f"floor{run}.qcow2"
            floor_xml = (xml.replace(f"<name>{name}</name>", f"<name>{prefix}floor{run}</name>")
                         .replace(disk, str(floor_disk)))
            floor_xml = "".join(line for line in floor_xml.splitlines(True)
                                if "<uuid>" not in line and "<mac " not in line)
            t0 = time.perf_counter()
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(image_path),
                            "-F", "qcow2", str(floor_disk)], check=True)
            fdom = conn.defineXML(floor_xml)
            fdom.create()
            direct_times.append(time.perf_counter() - t0)
            fdom.destroy()
            fdom.undefine()
            client.action(machine, "stop", force=True)
            client.delete(client.get(machine_id))
    finally:
        proc.stop()
        cleanup_prefix(conn, prefix)
        subprocess.run(["rm", "-rf", str(work)], check=False)
    p, d = statistics.median(provider_times), statistics.median(direct_times)
    print(f"runs: {args.runs} (interleaved)")
    print(f"CIMI create (STARTED) -> running domain, median: {p * 1000:.0f} ms")
    print(f"direct libvirt define+start (floor), median:     {d * 1000:.0f} ms")
    print(f"ratio: {p / d:.2f}x (goal <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
