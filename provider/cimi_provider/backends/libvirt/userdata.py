"""What a machine's guest reads at first boot, on one ISO 9660 cdrom.

- CIMI user data, ``disk`` method (DSP0263 5.14.2): ``/cimi/user-data``, when userData was given.
- A cloud-init NoCloud seed (volume label ``cidata``): ``user-data`` (the consumer's userData as
  given, so a ``#cloud-config`` is honoured), ``meta-data`` (instance id, host name, the
  credential's SSH key as ``public-keys`` for the image's default user), ``vendor-data`` (the host
  name in /etc/hosts and the credential's user with that key: a userData cloud-config that sets
  ``users`` overrides it, as user data overrides vendor data in cloud-init) and ``network-config`` (DHCP on the
  loopback-forwarded NIC, found by its MAC, whatever name the guest gives it).

JSON is YAML, so the seed needs no YAML writer. A credential's password (kept as a hash) never
reaches the guest: only SSH keys do.
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import re
from dataclasses import dataclass

import pycdlib

VOLUME_ID = "cidata"  # the label NoCloud looks for
_HOSTNAME_UNSAFE = re.compile(r"[^a-z0-9-]+")


@dataclass
class Seed:
    instance_id: str
    hostname: str
    user_name: str | None = None
    ssh_key: str | None = None
    dhcp_mac: str | None = None  # the NIC to configure by DHCP


def ssh_public_key(value: str | None) -> str | None:
    """A credential's ``key`` as an OpenSSH public key line: given as is (what cimi_credential
    sends) or base64-encoded (CIMI's byte[] form)."""
    if not value or " " in value.strip():
        return value.strip() if value else None
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, ValueError):
        return value
    return decoded.strip() if " " in decoded.strip() else value


def hostname(name: str) -> str:
    """A host name label (RFC 1123) from a machine name: lower case, [a-z0-9-], 1-63 characters."""
    label = _HOSTNAME_UNSAFE.sub("-", name.lower()).strip("-")[:63].strip("-")
    return label or "cimi-machine"


def _cloud_config(doc: dict) -> bytes:
    return b"#cloud-config\n" + json.dumps(doc, indent=1, sort_keys=True).encode() + b"\n"


def seed_files(seed: Seed, user_data: bytes | None) -> dict:
    """NoCloud file name -> content."""
    meta = {"instance-id": seed.instance_id, "local-hostname": hostname(seed.hostname)}
    # The host name resolves locally (sudo looks it up; the guest may have no DNS at all).
    vendor = {"manage_etc_hosts": "localhost"}
    if seed.ssh_key:
        meta["public-keys"] = [seed.ssh_key]
        if seed.user_name:
            vendor["users"] = ["default", {
                "name": seed.user_name, "ssh_authorized_keys": [seed.ssh_key],
                "sudo": "ALL=(ALL) NOPASSWD:ALL", "shell": "/bin/bash", "lock_passwd": True}]
    files = {"meta-data": json.dumps(meta, indent=1, sort_keys=True).encode() + b"\n",
             "user-data": user_data if user_data is not None else b"#cloud-config\n{}\n"}
    files["vendor-data"] = _cloud_config(vendor)
    if seed.dhcp_mac:
        files["network-config"] = json.dumps({"version": 2, "ethernets": {"cimi0": {
            "match": {"macaddress": seed.dhcp_mac}, "set-name": "cimi0", "dhcp4": True}}},
            indent=1, sort_keys=True).encode() + b"\n"
    return files


def build_iso(data: bytes | None, seed: Seed | None = None) -> bytes:
    """The ISO: ``/cimi/user-data`` when ``data`` is given, the NoCloud seed when ``seed`` is."""
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, rock_ridge="1.09", joliet=3, vol_ident=VOLUME_ID)
    try:
        if data is not None:
            iso.add_directory("/CIMI", rr_name="cimi", joliet_path="/cimi")
            iso.add_fp(io.BytesIO(data), len(data), "/CIMI/USER_DAT.;1", rr_name="user-data",
                       joliet_path="/cimi/user-data")
        for n, (name, content) in enumerate(sorted(seed_files(seed, data).items()) if seed else ()):
            iso.add_fp(io.BytesIO(content), len(content), f"/SEED{n}.;1", rr_name=name,
                       joliet_path=f"/{name}")
        out = io.BytesIO()
        iso.write_fp(out)
        return out.getvalue()
    finally:
        iso.close()


def read_iso(image: bytes, path: str = "/cimi/user-data") -> bytes:
    """One file of an ISO made by :func:`build_iso`, by its Rock Ridge path (tests use it)."""
    iso = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(image))
    try:
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path=path)
        return out.getvalue()
    finally:
        iso.close()
