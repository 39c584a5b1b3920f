"""An independent CIMI 2.0 wire client for the black-box conformance suite.

It deliberately does not use the provider's own serializer: XML bodies are read and written here
with lxml from the generic rules of DSP0263 5.5 (refs as ``href`` attributes, arrays in a wrapper
element, ``properties`` as ``<property key>``), so a bug shared by the provider's reader and writer
cannot hide. Every response is checked for the Deltacloud harness's wire rules: the Content-Type
is the requested one, XML uses the CIMI 2 default namespace, JSON carries ``resourceURI``.
"""
from __future__ import annotations

import json
import re
import time
from urllib.parse import urljoin

import requests
from lxml import etree

NS = "http://schemas.dmtf.org/cimi/2"
ACTION = NS + "/action/"
MEDIA = {"json": "application/json", "xml": "application/xml"}
TERMINAL_JOB = ("SUCCESS", "FAILED", "STOPPED")
TRANSIENT_STATES = ("CREATING", "STARTING", "STOPPING", "PAUSING", "SUSPENDING", "CAPTURING",
                    "DELETING", "RESTORING", "ATTACHING", "DETACHING")
_INT = re.compile(r"^-?[0-9]+$")
# Array element names whose item element is not the name minus a trailing "s".
_ITEM_NAMES = {"properties": "property", "resourceMetadatas": "ResourceMetadata"}
# Arrays of refs are bare repeated elements in XML (5.5.11): one of them is still an array.
_REF_ARRAYS = ("affectedResources", "nestedJobs")
# Collection item types whose element name is not capitalised.
_LOWER_ITEMS = ("locatedVolume",)


# ---------------------------------------------------------------- XML -> dict
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _scalar(text: str | None):
    text = (text or "").strip()
    if text in ("true", "false"):
        return text == "true"
    if _INT.match(text) and len(text) < 19:
        return int(text)
    return text


def _attrs(elem) -> dict:
    return {k: _scalar(v) if k == "available" else v for k, v in elem.attrib.items()}


def _is_array(parent: str, children: list, in_collection: bool) -> bool:
    if not children:
        return False
    names = {_local(c.tag) for c in children}
    if len(names) != 1:
        return False
    child = names.pop()
    if len(children) > 1 or child[0].isupper() or child in _LOWER_ITEMS:
        return True
    if in_collection and parent not in ("operations",):  # the one item array of a Collection
        return True
    return parent.lower() in (child.lower() + "s", child[:-1].lower() + "ies")


def _value(elem, in_collection: bool = False):
    name = _local(elem.tag)
    children = [c for c in elem if isinstance(c.tag, str)]
    if name == "properties":
        return {c.get("key"): c.text or "" for c in children}
    if not children:
        if elem.attrib:  # a ref, an operation, a capability or attribute description
            out = _attrs(elem)
            if (elem.text or "").strip():
                out["value"] = _scalar(elem.text)
            return out
        return _scalar(elem.text)
    if _is_array(name, children, in_collection):
        return [_value(c) for c in children]
    out = _attrs(elem)
    for child in children:
        key = _local(child.tag)
        value = _value(child, in_collection=name == "Collection")
        if key + "s" in _REF_ARRAYS:  # <affectedResource href/> repeated: affectedResources
            key += "s"
        if key in out:  # bare repeated elements (ref arrays without wrapper, 5.5.11)
            out[key] = out[key] if isinstance(out[key], list) else [out[key]]
            out[key].append(value)
        else:
            out[key] = [value] if key in _REF_ARRAYS else value
    return out


def xml_to_doc(data: bytes) -> tuple[dict, str | None]:
    """Return the document as a dict (with ``resourceURI``) and the root's namespace."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    doc = _value(root)
    if not isinstance(doc, dict):
        doc = {"value": doc}
    namespace = etree.QName(root).namespace
    doc.setdefault("resourceURI", f"{namespace}/{_local(root.tag)}")
    return doc, namespace


# ---------------------------------------------------------------- dict -> XML
def _singular(name: str) -> str:
    if name in _ITEM_NAMES:
        return _ITEM_NAMES[name]
    return name[:-3] + "y" if name.endswith("ies") else name[:-1]


def _fill(elem, key: str, value) -> None:
    if value is None:  # <attr/> erases a template attribute (4.2.1.1)
        etree.SubElement(elem, f"{{{NS}}}{key}")
    elif isinstance(value, dict) and key == "properties":
        wrap = etree.SubElement(elem, f"{{{NS}}}properties")
        for k, v in value.items():
            etree.SubElement(wrap, f"{{{NS}}}property", key=k).text = str(v)
    elif isinstance(value, dict):
        child = etree.SubElement(elem, f"{{{NS}}}{key}")
        if "href" in value:
            child.set("href", value["href"])
        for k, v in value.items():
            if k != "href":
                _fill(child, k, v)
    elif isinstance(value, list):
        wrap = etree.SubElement(elem, f"{{{NS}}}{key}")
        for item in value:
            _fill(wrap, _singular(key), item)
    elif isinstance(value, bool):
        etree.SubElement(elem, f"{{{NS}}}{key}").text = "true" if value else "false"
    else:
        etree.SubElement(elem, f"{{{NS}}}{key}").text = str(value)


def doc_to_xml(doc: dict) -> bytes:
    root = etree.Element(f"{{{NS}}}{doc['resourceURI'].rsplit('/', 1)[-1]}", nsmap={None: NS})
    for key, value in doc.items():
        if key != "resourceURI":
            _fill(root, key, value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# ---------------------------------------------------------------- HTTP
class Reply:
    def __init__(self, resp: requests.Response, fmt: str):
        self.resp = resp
        self.status = resp.status_code
        self.headers = resp.headers
        self.ctype = resp.headers.get("content-type", "")
        self.doc: dict | None = None
        self.namespace = None
        if resp.content:
            if "xml" in self.ctype:
                self.doc, self.namespace = xml_to_doc(resp.content)
            elif "json" in self.ctype:
                self.doc = json.loads(resp.content)

    def __repr__(self):
        return f"<Reply {self.status} {self.resp.request.method} {self.resp.url} {self.doc!r}>"


class Wire:
    """Talk to one provider in one format, discovering every URL from the CEP and operations."""

    xml_writer = staticmethod(doc_to_xml)  # how XML request bodies are written

    def __init__(self, cep_url: str, fmt: str, auth=None):
        self.cep_url = cep_url
        self.fmt = fmt
        self.http = requests.Session()
        self.http.auth = auth
        self._cep: dict | None = None

    # -- raw calls
    def call(self, method: str, url: str, body: dict | None = None, params=None,
             accept: str | None = None, check: bool = True) -> Reply:
        headers = {"Accept": accept or MEDIA[self.fmt]}
        data = None
        if body is not None:
            if self.fmt == "xml":
                data = self.xml_writer(body)
            else:
                data = json.dumps(body).encode()
            headers["Content-Type"] = MEDIA[self.fmt]
        reply = Reply(self.http.request(method, url, data=data, params=params, headers=headers,
                                        timeout=60), self.fmt)
        if check and reply.resp.content and accept is None:
            self.check_wire(reply)
        return reply

    def check_wire(self, reply: Reply) -> None:
        assert reply.ctype.split(";")[0].strip() == MEDIA[self.fmt], reply
        if self.fmt == "xml":
            assert reply.namespace == NS, reply
        assert reply.doc.get("resourceURI", "").startswith(NS + "/"), reply

    def ok(self, method: str, url: str, body=None, params=None,
           status=(200, 201, 202, 204)) -> Reply:
        reply = self.call(method, url, body, params)
        allowed = (status,) if isinstance(status, int) else status
        assert reply.status in allowed, reply
        return reply

    def get(self, url: str, **params) -> dict:
        return self.ok("GET", url, params=params or None, status=200).doc

    # -- discovery
    def cep(self) -> dict:
        if self._cep is None:
            self._cep = self.get(self.cep_url)
        return self._cep

    def resolve(self, href: str) -> str:
        return urljoin(self.cep()["baseURI"], href)

    def collection_url(self, key: str) -> str:
        return self.resolve(self.cep()[key]["href"])

    def collection(self, key: str, **params) -> dict:
        return self.get(self.collection_url(key), **params)

    def add_url(self, key: str) -> str:
        return op(self.collection(key, **{"$last": "0"}), "add")

    def first(self, key: str) -> dict:
        found = items(self.collection(key, **{"$first": "1", "$last": "1"}))
        assert found, f"the provider offers no {key}"
        return {"href": found[0]["id"]}

    # -- asynchronous completion
    def wait_job(self, job_url: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_url)
            if job["state"] in TERMINAL_JOB:
                return job
            assert time.monotonic() < deadline, f"job still {job['state']}: {job}"
            time.sleep(0.05)

    def settle(self, reply: Reply) -> dict | None:
        """Wait for the job behind a mutating reply; it must succeed. Returns the job."""
        job_url = reply.headers.get("CIMI-Job-URI")
        if reply.status == 202:
            assert job_url, f"202 without CIMI-Job-URI: {reply}"
        if not job_url:
            return None
        job = self.wait_job(job_url)
        assert job["state"] == "SUCCESS", job
        return job

    def wait_state(self, url: str, timeout: float = 30.0) -> dict:
        """Poll a resource until it leaves its transitional state."""
        deadline = time.monotonic() + timeout
        while True:
            doc = self.get(url)
            if doc.get("state") not in TRANSIENT_STATES:
                return doc
            assert time.monotonic() < deadline, f"still {doc['state']}: {doc}"
            time.sleep(0.05)

    def create(self, key: str, body: dict) -> tuple[Reply, dict]:
        """POST to the add href: 201 or 202 with Location; wait; return the resource."""
        reply = self.ok("POST", self.add_url(key), body, status=(201, 202))
        location = reply.headers.get("Location")
        assert location, f"create without Location: {reply}"
        self.settle(reply)
        return reply, self.wait_state(self.resolve(location))

    def act(self, resource: dict, action: str, **params) -> Reply:
        body = {"resourceURI": NS + "/Action", "action": ACTION + action, **params}
        reply = self.ok("POST", op(resource, ACTION + action, available=True), body,
                        status=(200, 201, 202, 204))
        self.settle(reply)
        return reply

    def delete(self, resource: dict) -> None:
        reply = self.ok("DELETE", op(resource, "delete"), status=(200, 202, 204))
        self.settle(reply)
        gone = self.call("GET", resource["id"])
        assert gone.status == 404, gone


def machine_create(wire, name, **template):
    """A MachineCreate body by value: the first configuration and image the provider offers."""
    body = {"machineConfig": wire.first("machineConfigs"),
            "machineImage": wire.first("machineImages"), **template}
    return {"resourceURI": NS + "/MachineCreate", "name": name,
            "description": "conformance machine", "machineTemplate": body}


def op(doc: dict, rel: str, available: bool | None = None) -> str:
    for operation in doc.get("operations", []):
        if operation["rel"] == rel:
            if available is not None:
                assert operation.get("available", True) is available, operation
            return operation["href"]
    raise AssertionError(f"no operation {rel} in {doc.get('operations')}")


def is_available(doc: dict, action: str) -> bool:
    for operation in doc.get("operations", []):
        if operation["rel"] == ACTION + action:
            return operation.get("available", True)
    return False


def items(coll: dict) -> list:
    """The item array of a collection, whatever its pluralised name."""
    for key, value in coll.items():
        if isinstance(value, list) and key != "operations":
            return value
    return []
