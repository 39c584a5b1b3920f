#!/usr/bin/env python3
"""The demo's appliance, built at run time, and its OVF environment read back.

``demo_ova.py build OUT.ova``: a tiny OVA made with the test suite's OVF writer
(tests/ovf_fixtures/ovfgen.py): descriptor first, a SHA256 manifest, one 16 MiB qcow2 disk made
with qemu-img, one virtio NIC on OVF network "VM Network", the iso environment transport and a
ProductSection with hostname, port (uint16) and admin_password (a password property).

``demo_ova.py read-env ISO --expect KEY=VALUE ... --secret KEY``: read ``ovf-env.xml`` out of the
environment ISO attached to the deployed domain (pycdlib) and print its properties. The secret
property (its expected value in $DEMO_APPLIANCE_PASSWORD) is compared, never printed. Exit 1
when a value differs from the one expected.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET

import pycdlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "ovf_fixtures"))
import ovfgen  # noqa: E402  (the tests' OVA builder, reused as is)

NAME = "demo-appliance"
ENV_NS = "http://schemas.dmtf.org/ovf/environment/1"
SECRET_ENV = "DEMO_APPLIANCE_PASSWORD"


def appliance_spec(workdir: str):
    spec = ovfgen.Spec(NAME)
    disk = ovfgen.make_disk(workdir, NAME + "-disk1.qcow2", "qcow2", size_mib=16,
                            payload=b"cloudmgmt.dmtf demo appliance\n")
    spec.files = [{"id": "file1", "href": os.path.basename(disk), "size": os.path.getsize(disk)}]
    spec.disks = [{"id": "vmdisk1", "file": "file1", "capacity": 16, "units": "byte * 2^20",
                   "fmt": "qcow2"}]
    spec.networks = ["VM Network"]
    spec.nics = [{"network": "VM Network", "model": "virtio"}]
    spec.product = {"Product": "Demo Appliance", "Vendor": "cloudmgmt.dmtf", "Version": "1.0",
                    "FullVersion": "1.0.0-demo"}
    spec.properties = [
        {"key": "hostname", "value": "appliance", "qualifiers": "MinLen(1),MaxLen(63)",
         "label": "Host name"},
        {"key": "port", "type": "uint16", "value": "8080", "label": "Service port"},
        {"key": "admin_password", "value": "", "password": True, "qualifiers": "MinLen(8)",
         "label": "Administrator password"},
    ]
    return spec, {os.path.basename(disk): disk}


def build(out: str) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        spec, files = appliance_spec(workdir)
        ovfgen.build(out, spec, files, algorithm="sha256")
    with tarfile.open(out) as tar:
        members = [f"{m.name} ({m.size} bytes)" for m in tar.getmembers()]
    print(f"built {out} ({os.path.getsize(out)} bytes): " + ", ".join(members))


def read_env(iso_path: str, expect: dict, secret_key: str | None) -> int:
    iso = pycdlib.PyCdlib()
    iso.open(iso_path)
    try:
        names = [child.file_identifier().decode() for child in iso.list_children(iso_path="/")
                 if not (child.is_dot() or child.is_dotdot())]
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path="/ovf-env.xml")
    finally:
        iso.close()
    print(f"   {iso_path}: ISO 9660 files {names}")
    found = {p.get(f"{{{ENV_NS}}}key"): p.get(f"{{{ENV_NS}}}value")
             for p in ET.fromstring(out.getvalue()).iter(f"{{{ENV_NS}}}Property")}
    wanted = dict(expect)
    if secret_key:
        wanted[secret_key] = os.environ.get(SECRET_ENV, "")
    bad = 0
    for key in sorted(found):
        if key == secret_key:
            ok = bool(found[key]) and found[key] == wanted[key]
            shown = "(set, matches the playbook's value)" if ok else "(DOES NOT MATCH)"
        else:
            ok = key not in wanted or found[key] == wanted[key]
            shown = found[key] + ("" if ok else f"  (expected {wanted[key]})")
        bad += not ok
        print(f"   ovf-env.xml property {key:<15} = {shown}")
    missing = sorted(set(wanted) - set(found))
    if missing:
        print(f"   missing from ovf-env.xml: {missing}")
    return 1 if bad or missing else 0


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(prog=argv[0], description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build").add_argument("out", metavar="OUT.ova")
    env = sub.add_parser("read-env")
    env.add_argument("iso", metavar="ISO")
    env.add_argument("--expect", action="append", default=[], metavar="KEY=VALUE")
    env.add_argument("--secret", metavar="KEY",
                     help=f"password property, compared with ${SECRET_ENV}, never printed")
    args = parser.parse_args(argv[1:])
    if args.command == "build":
        build(args.out)
        return 0
    expect = dict(item.split("=", 1) for item in args.expect)
    return read_env(args.iso, expect, args.secret)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
