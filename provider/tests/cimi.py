"""A small CIMI test client speaking JSON or XML to a running provider (tests only)."""
from __future__ import annotations

import json
from urllib.parse import urljoin

import requests

from cimi_provider.serialization import parse_body, render
from conformance.wire import op  # noqa: F401 - the conformance suite's look-up, re-exported
from server import wait_until

NS = "http://schemas.dmtf.org/cimi/2"
# The memory providers' import root: nothing is read there, it only makes file:// locations valid.
IMPORT_ROOT = "/srv/cimi-images"
IMAGES = "file://" + IMPORT_ROOT
ACTION = NS + "/action/"
TERMINAL = ("SUCCESS", "FAILED", "STOPPED")
MEDIA = {"json": "application/json", "xml": "application/xml"}
CREATE_URI = {"machines": "MachineCreate", "volumes": "VolumeCreate", "networks": "NetworkCreate",
              "credentials": "CredentialCreate", "systems": "SystemCreate",
              "machineConfigs": "MachineConfiguration", "machineImages": "MachineImage",
              "machineTemplates": "MachineTemplate", "volumeConfigs": "VolumeConfiguration",
              "volumeImages": "VolumeImage", "volumeTemplates": "VolumeTemplate",
              "networkTemplates": "NetworkTemplate", "credentialTemplates": "CredentialTemplate",
              "systemTemplates": "SystemTemplate"}


class Reply:
    def __init__(self, resp: requests.Response):
        self.resp = resp
        self.status = resp.status_code
        self.headers = resp.headers
        ctype = resp.headers.get("content-type", "")
        self.doc = None
        if resp.content:
            if "xml" in ctype:
                self.doc = parse_body(resp.content, "application/xml", 10 ** 8)
            elif "json" in ctype:
                self.doc = json.loads(resp.content)

    def __repr__(self):
        return f"<Reply {self.status} {self.doc!r}>"


class Cimi:
    def __init__(self, provider, fmt: str = "json", auth=None, verify=True):
        self.provider = provider
        self.fmt = fmt
        self.http = requests.Session()
        self.http.auth = auth
        self.http.verify = verify
        self._cep = None

    @property
    def base(self) -> str:
        return self.provider.base

    def call(self, method: str, url: str, body: dict | None = None, params=None,
             headers=None) -> Reply:
        if body is not None and "resourceURI" not in body and method == "PUT":
            body = {"resourceURI": NS + "/Machine", **body}
        hdrs = {"Accept": MEDIA[self.fmt]}
        data = None
        if body is not None:
            if "resourceURI" not in body and "action" in body:
                body = {"resourceURI": NS + "/Action", **body}
            data, ctype = render(body, self.fmt)
            hdrs["Content-Type"] = ctype
        hdrs.update(headers or {})
        return Reply(self.http.request(method, urljoin(self.base, url), data=data, params=params,
                                       headers=hdrs, timeout=30))

    def get(self, url, **params) -> Reply:
        return self.call("GET", url, params=params or None)

    def ok(self, method, url, body=None, params=None, status=(200, 201, 202, 204)) -> Reply:
        reply = self.call(method, url, body, params)
        assert reply.status in ((status,) if isinstance(status, int) else status), reply
        return reply

    def cep(self) -> dict:
        if self._cep is None:
            self._cep = self.ok("GET", self.provider.cep_url).doc
        return self._cep

    def collection(self, key: str) -> str:
        cep = self.cep()
        return urljoin(cep["baseURI"], cep[key]["href"])

    def add_href(self, key: str) -> str:
        coll = self.ok("GET", self.collection(key), params={"$last": "0"}).doc
        return op(coll, "add")

    def ref(self, key: str, name: str) -> dict:
        coll = self.ok("GET", self.collection(key), params={"$filter": f"name='{name}'"}).doc
        items = [v for k, v in coll.items() if isinstance(v, list) and k != "operations"][0]
        return {"href": items[0]["id"]}

    def wait_job(self, url: str, timeout: float = 20.0) -> dict:
        def done():
            job = self.ok("GET", url).doc
            return job if job["state"] in TERMINAL else None
        return wait_until(done, timeout)

    def settle(self, reply: Reply) -> dict:
        """Follow CIMI-Job-URI to a terminal job and return it."""
        return self.wait_job(reply.headers["CIMI-Job-URI"])

    def create(self, key: str, body: dict) -> Reply:
        if "resourceURI" not in body:
            body = {"resourceURI": f"{NS}/{CREATE_URI[key]}", **body}
        return self.ok("POST", self.add_href(key), body, status=(201, 202))

    def machine_body(self, name: str, **template) -> dict:
        tmpl = {"machineConfig": self.ref("machineConfigs", "m1-small"),
                "machineImage": self.ref("machineImages", "debian-12")}
        tmpl.update(template)
        return {"resourceURI": NS + "/MachineCreate", "name": name, "machineTemplate": tmpl}

    def new_machine(self, name: str, **template) -> dict:
        reply = self.create("machines", self.machine_body(name, **template))
        job = self.settle(reply)
        assert job["state"] == "SUCCESS", job
        return self.ok("GET", reply.headers["Location"]).doc

    def act(self, resource: dict, action: str, status=(200, 202), **params) -> Reply:
        body = {"resourceURI": NS + "/Action", "action": ACTION + action, **params}
        return self.ok("POST", op(resource, ACTION + action), body, status=status)


def available(doc: dict, rel: str) -> bool:
    for operation in doc.get("operations", []):
        if operation["rel"] in (rel, ACTION + rel):
            return operation.get("available", True)
    raise AssertionError(f"no operation {rel}")


def items(coll: dict) -> list:
    for key, value in coll.items():
        if isinstance(value, list) and key != "operations":
            return value
    return []
