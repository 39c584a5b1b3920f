#!/usr/bin/env python3
"""A readable CIMI session against a running provider (uses only requests and the stdlib).

Discovers everything from the Cloud Entry Point, creates a machine from m1-small/debian-12,
starts it, stops it, deletes it, following operation hrefs and polling Jobs. Exit status 0 on
success, 1 on any failure.

With ``--image-location URI`` (a real backend) the session first registers that file as image
``demo-image`` and uses a small configuration by value; it deletes the image at the end.
``--after-start CMD`` runs a shell command once the machine is STARTED (e.g. ``virsh list``);
its failure fails the session. ``--force-stop`` stops with ``force: true`` (a guest without an
OS ignores ACPI shutdown).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from urllib.parse import urljoin

import requests

NS = "http://schemas.dmtf.org/cimi/2"
ACTION = NS + "/action/"
TERMINAL = ("SUCCESS", "FAILED", "STOPPED")


class DemoError(Exception):
    pass


class Session:
    def __init__(self, cep_url: str):
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/json"
        self.cep_url = cep_url
        self.base = cep_url

    def call(self, method: str, url: str, body: dict | None = None, params=None,
             expect=(200,)) -> requests.Response:
        url = urljoin(self.base, url)
        resp = self.http.request(method, url, json=body, params=params, timeout=30)
        shown = url + (f"?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else "")
        print(f"   {method} {shown} -> {resp.status_code}")
        if resp.status_code not in expect:
            detail = resp.json().get("statusMessage") if resp.content else ""
            raise DemoError(f"{method} {url} answered {resp.status_code}: {detail}")
        return resp

    @staticmethod
    def operation(doc: dict, rel: str) -> str:
        for op in doc.get("operations", []):
            if op["rel"] == rel:
                if op.get("available", True) is False:
                    raise DemoError(f"operation {rel} is not available now")
                return op["href"]
        raise DemoError(f"{doc.get('id')} has no operation {rel}")

    def wait_job(self, url: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while True:
            job = self.http.get(url, timeout=30).json()
            if (job["state"], job.get("progress")) != last:
                last = (job["state"], job.get("progress"))
                print(f"   job {job['state']:<8} {job.get('progress', 0):>3}%  {job.get('statusMessage', '')}")
            if job["state"] in TERMINAL:
                if job["state"] != "SUCCESS":
                    raise DemoError(f"job {url} ended {job['state']}: {job.get('statusMessage')}")
                return job
            if time.monotonic() > deadline:
                raise DemoError(f"job {url} did not finish within {timeout}s")
            time.sleep(0.1)

    def follow(self, resp: requests.Response) -> None:
        job = resp.headers.get("CIMI-Job-URI")
        if job:
            self.wait_job(job)


def step(title: str) -> None:
    print(f"\n-- {title}")


SMALL_CONFIG = {"cpu": 1, "memory": 131072, "disks": [{"capacity": 100000, "format": "qcow2"}]}


def find(s: Session, cep: dict, key: str, name: str) -> str:
    coll = s.call("GET", cep[key]["href"], params={"$filter": f"name='{name}'"}).json()
    found = [v for k, v in coll.items() if isinstance(v, list) and k != "operations"]
    if not found or not found[0]:
        raise DemoError(f"{name} not found in {key}")
    print(f"   {name}: {found[0][0]['id']}")
    return found[0][0]["id"]


def register_image(s: Session, cep: dict, location: str) -> str:
    step(f"register image demo-image from {location}")
    images = s.call("GET", cep["machineImages"]["href"], params={"$last": "0"}).json()
    body = {"resourceURI": NS + "/MachineImage", "name": "demo-image", "type": "IMAGE",
            "imageLocation": location}
    resp = s.call("POST", s.operation(images, "add"), body, expect=(201, 202))
    s.follow(resp)
    image = s.call("GET", resp.headers["Location"]).json()
    if image["state"] != "AVAILABLE":
        raise DemoError(f"image is {image['state']}: {image.get('statusMessage', '')}")
    print(f"   {image['id']}: state {image['state']}")
    return image["id"]


def run_command(command: str) -> None:
    print(f"   $ {command}")
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                          check=False)
    for line in (proc.stdout + proc.stderr).splitlines():
        print(f"   | {line}")
    if proc.returncode != 0:
        raise DemoError(f"{command!r} exited with {proc.returncode}")


def run(cep_url: str, image_location: str | None = None, after_start: str | None = None,
        force_stop: bool = False) -> None:
    s = Session(cep_url)
    step("discover the Cloud Entry Point")
    cep = s.call("GET", cep_url).json()
    s.base = cep["baseURI"]
    print(f"   baseURI {cep['baseURI']}; collections: "
          + ", ".join(k for k, v in cep.items() if isinstance(v, dict) and "href" in v))

    if image_location:
        image = register_image(s, cep, image_location)
        config = dict(SMALL_CONFIG)
    else:
        step("find machine configuration m1-small and image debian-12")
        config = {"href": find(s, cep, "machineConfigs", "m1-small")}
        image = find(s, cep, "machineImages", "debian-12")

    step("create machine demo-web1 (MachineCreate, template by value)")
    machines = s.call("GET", cep["machines"]["href"], params={"$last": "0"}).json()
    body = {"resourceURI": NS + "/MachineCreate", "name": "demo-web1",
            "description": "created by tools/demo_session.py",
            "machineTemplate": {"machineConfig": config, "machineImage": {"href": image}}}
    resp = s.call("POST", s.operation(machines, "add"), body, expect=(201, 202))
    location = resp.headers["Location"]
    print(f"   Location: {location}  state {resp.json().get('state')}")
    s.follow(resp)
    machine = s.call("GET", location).json()
    print(f"   {machine['name']}: state {machine['state']}, cpu {machine['cpu']}, "
          f"memory {machine['memory']} KiB")

    for action, expected in (("start", "STARTED"), ("stop", "STOPPED")):
        force = force_stop and action == "stop"
        step(f"{action} the machine" + (" (force)" if force else ""))
        body = {"resourceURI": NS + "/Action", "action": ACTION + action}
        if force:
            body["force"] = True
        resp = s.call("POST", s.operation(machine, ACTION + action), body, expect=(200, 202, 204))
        s.follow(resp)
        machine = s.call("GET", location).json()
        if machine["state"] != expected:
            raise DemoError(f"machine is {machine['state']}, expected {expected}")
        print(f"   state {machine['state']}")
        if action == "start":
            ifaces = s.call("GET", location, params={"$expand": "interfaces/endpoints"}).json()
            for iface in ifaces["interfaces"].get("interfaces", []):
                addresses = [e["address"] for e in iface["endpoints"].get("endpoints", [])]
                print(f"   interface {iface['name']} {iface.get('macAddress')} {addresses}")
            if after_start:
                run_command(after_start)

    step("delete the machine")
    resp = s.call("DELETE", s.operation(machine, "delete"), expect=(200, 202, 204))
    s.follow(resp)
    gone = s.http.get(location, timeout=30)
    print(f"   GET {location} -> {gone.status_code}")
    if gone.status_code != 404:
        raise DemoError("the machine still exists after its delete job")

    if image_location:
        step("delete the image")
        image_doc = s.call("GET", image).json()
        s.follow(s.call("DELETE", s.operation(image_doc, "delete"), expect=(200, 202, 204)))


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(prog=argv[0], description=__doc__.splitlines()[0])
    parser.add_argument("cep_url", metavar="CLOUD_ENTRY_POINT_URL")
    parser.add_argument("--image-location", metavar="URI",
                        help="register this image (file:/// URI under the provider's --import-root) "
                             "instead of using debian-12")
    parser.add_argument("--after-start", metavar="CMD",
                        help="shell command run once the machine is STARTED (must succeed)")
    parser.add_argument("--force-stop", action="store_true", help="stop with force=true")
    args = parser.parse_args(argv[1:])
    try:
        run(args.cep_url, args.image_location, args.after_start, args.force_stop)
    except (DemoError, requests.RequestException, KeyError, ValueError) as exc:
        print(f"\nDEMO FAILED: {exc}", file=sys.stderr)
        return 1
    print("\nsession complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
