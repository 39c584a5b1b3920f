"""A small CIMI client and process/libvirt helpers for the libvirt backend tests."""
from __future__ import annotations

import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import libvirt
import requests
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import pools
from urllib.parse import urljoin

import server

LIBVIRT_URI = "qemu:///system"
NS = "http://schemas.dmtf.org/cimi/2"
ACTION = NS + "/action/"
TERMINAL = ("SUCCESS", "FAILED", "STOPPED")


class ProviderProcess(server.ProviderProcess):
    """``cimi-provider serve --backend libvirt`` with this run's prefix and its own pool."""

    def __init__(self, workdir: Path, prefix: str, name: str, stop_timeout: float = 1.0,
                 extra_args: tuple = (), uris: tuple = (LIBVIRT_URI,), import_roots=None):
        # Images are imported from workdir/images only, by default (the pools are beside it).
        roots = [workdir / "images"] if import_roots is None else list(import_roots)
        self.prefix = prefix
        # One pool directory per prefix: libvirt allows one pool per directory.
        self.pool = workdir / f"pool-{prefix.rstrip('-')}"
        super().__init__(
            workdir / f"{name}.db", "--backend", "libvirt",
            *[arg for uri in uris for arg in ("--libvirt-uri", uri)], *extra_args,
            *[arg for root in roots for arg in ("--import-root", str(root))],
            "--pool", str(self.pool), "--libvirt-prefix", prefix,
            "--libvirt-stop-timeout", str(stop_timeout))
        self.client = None

    def environment(self) -> dict:
        return {k: v for k, v in super().environment().items() if not k.startswith("CIMI_LIBVIRT_")}

    def ready(self) -> None:
        self.client = Client(self.base)

    kill9 = server.ProviderProcess.kill


class Client:
    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/json"
        self.cep = self.get(base + "cloudEntryPoint")

    def url(self, href: str) -> str:
        # Ids are absolute URIs; a restarted provider listens on another port, so re-base them.
        if "/cimi/" in href:
            href = href.split("/cimi/", 1)[1]
        return urljoin(self.base, href)

    def get(self, href: str, ok=(200,)):
        resp = self.http.get(self.url(href), timeout=30)
        assert resp.status_code in ok, (resp.status_code, resp.text)
        return resp.json() if resp.status_code == 200 else None

    def add_href(self, collection: str) -> str:
        coll = self.get(self.cep[collection]["href"] + "?$last=0")
        return next(op["href"] for op in coll["operations"] if op["rel"] == "add")

    def post(self, href: str, body: dict):
        return self.http.post(self.url(href), json=body, timeout=60)

    def wait_job(self, resp, timeout: float = 90.0) -> dict:
        job_uri = resp.headers.get("CIMI-Job-URI")
        assert job_uri, (resp.status_code, resp.text)
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_uri)
            if job["state"] in TERMINAL:
                return job
            assert time.monotonic() < deadline, f"job {job_uri} still {job['state']}"
            time.sleep(0.1)

    def create(self, collection: str, body: dict, expect="SUCCESS") -> dict:
        resp = self.post(self.add_href(collection), body)
        assert resp.status_code in (201, 202), (resp.status_code, resp.text)
        job = self.wait_job(resp)
        assert job["state"] == expect, job
        return self.get(resp.headers["Location"]) if expect == "SUCCESS" else job

    def op(self, resource: dict, name: str) -> str:
        for op in resource.get("operations", []):
            if op["rel"] == name or op["rel"] == ACTION + name:
                return op["href"]
        raise AssertionError(f"{resource['id']} has no {name} operation: {resource.get('operations')}")

    def action(self, resource: dict, name: str, expect="SUCCESS", **params) -> dict:
        body = {"resourceURI": NS + "/Action", "action": ACTION + name, **params}
        resp = self.post(self.op(resource, name), body)
        assert resp.status_code in (200, 202, 204), (resp.status_code, resp.text)
        job = self.wait_job(resp)
        assert job["state"] == expect, job
        return self.get(resource["id"])

    def delete(self, resource: dict) -> None:
        resp = self.http.delete(self.url(self.op(resource, "delete")), timeout=60)
        assert resp.status_code in (200, 202, 204), (resp.status_code, resp.text)
        if resp.status_code == 202:
            assert self.wait_job(resp)["state"] == "SUCCESS"
        self.get(resource["id"], ok=(404,))


def machine_body(name: str, image: dict | None = None, config: dict | None = None, **template):
    tmpl = {"machineConfig": config or {"cpu": 1, "memory": 65536,
                                         "disks": [{"capacity": 40000}]},
            "initialState": "STOPPED", **template}
    if image is not None:
        tmpl["machineImage"] = {"href": image["id"]}
    return {"resourceURI": NS + "/MachineCreate", "name": name, "machineTemplate": tmpl}


def key(resource: dict) -> str:
    return resource["id"].rstrip("/").rsplit("/", 1)[-1]


def domain(conn, prefix: str, machine: dict):
    try:
        return conn.lookupByName(f"{prefix}m-{key(machine)}")
    except libvirt.libvirtError:
        return None


def domain_xml(dom, inactive=True) -> ET.Element:
    return ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE if inactive else 0))


def network(conn, prefix: str, net: dict):
    try:
        return conn.networkLookupByName(f"{prefix}n-{key(net)}")
    except libvirt.libvirtError:
        return None


def pool_gone(pool) -> bool:
    try:
        pool.info()
        return False
    except libvirt.libvirtError:
        return True


def pool_volumes(conn, prefix: str) -> dict:
    """name -> path of the volumes in the pools that carry ``prefix``."""
    found = {}
    for pool in conn.listAllStoragePools(0):
        try:
            if not pool.isActive():
                continue
            pools.refresh(pool)  # waits while an upload into it runs, as the provider does
        except libvirt.libvirtError:
            if pool_gone(pool):  # another test run removed it meanwhile
                continue
            raise
        for vol in pool.listAllVolumes(0):
            if vol.name().startswith(prefix):
                found[vol.name()] = vol.path()
    return found


def qemu_info(path: str) -> dict:
    import json
    out = subprocess.run(["qemu-img", "info", "--output=json", "-U", path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def cleanup_prefix(conn, prefix: str) -> None:
    """Remove every libvirt object whose name starts with ``prefix`` (best effort, no errors)."""
    for dom in conn.listAllDomains(0):
        if dom.name().startswith(prefix):
            try:
                if dom.isActive():
                    dom.destroy()
                dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                                  | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
            except libvirt.libvirtError:
                pass
    for net in conn.listAllNetworks(0):
        if net.name().startswith(prefix):
            try:
                if net.isActive():
                    net.destroy()
                net.undefine()
            except libvirt.libvirtError:
                pass
    for pool in conn.listAllStoragePools(0):
        if pool.name().startswith(prefix):
            try:
                if pool.isActive():
                    for vol in pool.listAllVolumes(0):
                        vol.delete(0)
                    pool.destroy()
                pool.undefine()
            except libvirt.libvirtError:
                pass


def owned_domains_of(conn, prefix: str) -> set:
    """Names of the domains whose name starts with ``prefix``."""
    return {d.name() for d in conn.listAllDomains(0) if d.name().startswith(prefix)}
