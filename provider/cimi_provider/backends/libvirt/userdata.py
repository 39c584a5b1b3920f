"""CIMI user data, ``disk`` method (DSP0263 5.14.2): an ISO 9660 image holding ``cimi/user-data``."""
from __future__ import annotations

import io

import pycdlib

VOLUME_ID = "CIMI"


def build_iso(data: bytes) -> bytes:
    """An ISO 9660 image (with Rock Ridge and Joliet names) whose ``/cimi/user-data`` is ``data``."""
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, rock_ridge="1.09", joliet=3, vol_ident=VOLUME_ID)
    try:
        iso.add_directory("/CIMI", rr_name="cimi", joliet_path="/cimi")
        iso.add_fp(io.BytesIO(data), len(data), "/CIMI/USER_DAT.;1", rr_name="user-data",
                   joliet_path="/cimi/user-data")
        out = io.BytesIO()
        iso.write_fp(out)
        return out.getvalue()
    finally:
        iso.close()


def read_iso(image: bytes) -> bytes:
    """The ``cimi/user-data`` content of an ISO made by :func:`build_iso` (tests use it)."""
    iso = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(image))
    try:
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path="/cimi/user-data")
        return out.getvalue()
    finally:
        iso.close()
