#!/usr/bin/env python3
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP requests and wall time of the *_info modules on a large collection.

    .venv/bin/python bench/info_requests/run.py [--machines 2000] [--baseline-ref main]

Starts the reference provider (memory backend, latency 0, ``--access-log``), creates --machines
machines with one interface each on a network (and --machines / 10 volumes) with bare `requests`,
then runs ``cimi_machine_info``, ``cimi_volume_info`` and ``cimi_network_info`` once each with
``ansible localhost -m``, counting the requests in the access log and timing the run. With
--baseline-ref, the same runs use the collection as it is at that git ref (``git archive``), so the
two can be compared on the same provider and data. Goal: requests do not grow with the number of
interfaces (at most 1 + machines / page size + 1 for the machines).
Prints a Markdown table for docs/performance.md (also written to --output).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent), str(ROOT / "provider" / "tests")]

from common import machine_description, markdown_table, today  # noqa: E402
from server import ProviderProcess  # noqa: E402

NS = "http://schemas.dmtf.org/cimi/2/"
JSON = {"Accept": "application/json"}
MODULES = ("cimi_machine_info", "cimi_volume_info", "cimi_network_info")


def seed(cep_url: str, machines: int, threads: int = 8) -> None:
    """A network, machines with one interface on it, and machines / 10 volumes."""
    http = requests.Session()
    http.headers.update(JSON)
    cep = http.get(cep_url).json()
    base = cep["baseURI"]

    def href(key, name):
        page = http.get(urljoin(base, cep[key]["href"]), params={"$filter": "name='%s'" % name}).json()
        return [v for k, v in page.items() if isinstance(v, list) and k != "operations"][0][0]["id"]

    def post(key, body):
        reply = requests.post(urljoin(base, cep[key]["href"]), json=body, headers=JSON)
        reply.raise_for_status()

    post("networks", {"resourceURI": NS + "NetworkCreate", "name": "bench-net",
                      "networkTemplate": {"initialState": "STARTED"}})
    time.sleep(0.5)
    network = href("networks", "bench-net")
    template = {"machineConfig": {"href": href("machineConfigs", "m1-small")},
                "machineImage": {"href": href("machineImages", "debian-12")},
                "interfaceTemplates": [{"network": {"href": network}}]}
    volume_config = href("volumeConfigs", "small-volume")
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda i: post("machines", {"resourceURI": NS + "MachineCreate", "name": "bench-%d" % i,
                                                  "machineTemplate": template}), range(machines)))
        list(pool.map(lambda i: post("volumes", {"resourceURI": NS + "VolumeCreate", "name": "bench-v%d" % i,
                                                 "volumeTemplate": {"volumeConfig": {"href": volume_config}}}),
                      range(max(1, machines // 10))))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # every create job done
        page = http.get(urljoin(base, cep["machines"]["href"]),
                        params={"$filter": "state='CREATING'", "$last": 0}).json()
        if not page.get("count"):
            return
        time.sleep(0.5)
    raise SystemExit("machines still CREATING after 300 s")


def collection_at(ref: str, workdir: Path) -> Path:
    """ANSIBLE_COLLECTIONS_PATH holding the collection as it is at ref."""
    path = workdir / ("collections-" + ref.replace("/", "_"))
    target = path / "ansible_collections" / "cloudmgmt" / "dmtf"
    target.mkdir(parents=True)
    archive = workdir / "tree.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref, "plugins", "meta",
                    "galaxy.yml"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return path


def run_module(module: str, endpoint: str, collections: Path, log: Path, workdir: Path) -> dict:
    before = len(log.read_bytes().splitlines())
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"))
    started = time.monotonic()
    done = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-m",
                           "cloudmgmt.dmtf." + module, "-a", json.dumps({"endpoint": endpoint}),
                           "-e", "ansible_python_interpreter=" + sys.executable],
                          env=env, cwd=workdir, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode:
        raise SystemExit("%s failed:\n%s%s" % (module, done.stdout[-2000:], done.stderr[-2000:]))
    result = json.loads(done.stdout[done.stdout.index("{"):])  # "localhost | SUCCESS => {...}"
    key = module.replace("cimi_", "").replace("_info", "") + "s"
    return {"requests": len(log.read_bytes().splitlines()) - before, "wall": wall,
            "items": len(result[key])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machines", type=int, default=2000)
    parser.add_argument("--baseline-ref", help="git ref to compare with (e.g. main)")
    parser.add_argument("--output", default=str(ROOT / ".cache" / "bench-info-requests.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-info-") as tmp:
        workdir = Path(tmp)
        (workdir / "tmp").mkdir()
        log = workdir / "access.jsonl"
        prov = ProviderProcess(workdir / "cimi.db", "--latency", "0", "--access-log", str(log))
        prov.start()
        try:
            seed(prov.cep_url, args.machines)
            trees = [("this tree", ROOT / ".collections")]
            if args.baseline_ref:
                trees.insert(0, (args.baseline_ref, collection_at(args.baseline_ref, workdir)))
            for label, collections in trees:
                for module in MODULES:
                    figures = run_module(module, prov.cep_url, collections, log, workdir)
                    rows.append((f"`{module}`", label, figures["items"], figures["requests"],
                                 f"{figures['wall']:.1f} s"))
        finally:
            prov.stop()
    table = markdown_table(["module", "collection", "resources", "requests", "wall (whole `ansible` run)"], rows)
    text = "\n".join([f"Measured {today()} on {machine_description()}; {args.machines} machines with one "
                      "interface each, memory backend, latency 0, requests counted in the access log.",
                      "", table, ""])
    print(text)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
