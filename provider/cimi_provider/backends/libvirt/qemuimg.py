"""Image inspection with ``qemu-img info`` before anything is imported into a pool.

qemu-img reads the already opened, checked file (``/dev/fd/N``, see ``..imports``), never a
path, under the CPU and address-space limits of the collection's guarded runner
(``plugins/module_utils/ovf/disks.py``), so a hostile image cannot exhaust the host.
"""
from __future__ import annotations

import json

from ...collection import import_libraries

ACCEPTED_FORMATS = ("qcow2", "raw")


class ImageError(ValueError):
    """The file cannot be used as a machine image (the message says why)."""


def _runner():
    try:
        lib = import_libraries("ovf", ("disks", "errors"))
    except ImportError:
        raise ImageError("file imports need the cloudmgmt.dmtf collection (its guarded qemu-img "
                         "runner): install it or set CIMI_PROVIDER_COLLECTIONS_PATH") from None
    return lib["disks"], lib["errors"].OvfError


def _info(fd: int, fmt: str | None, location: str) -> dict:
    disks, failure = _runner()
    args = ["info", "--output=json"] + (["-f", fmt] if fmt else []) + ["--", f"/dev/fd/{fd}"]
    try:
        out = disks.run_qemu_img(args, limits=disks.INFO_LIMITS, pass_fds=(fd,))
    except failure as exc:
        raise ImageError(f"cannot inspect {location}: {exc.message}") from None
    try:
        return json.loads(out)
    except ValueError:
        raise ImageError(f"cannot inspect {location}: unreadable qemu-img output") from None


def inspect(fd: int, location: str, allowed=ACCEPTED_FORMATS) -> dict:
    """Return ``{"format", "virtual_size", "actual_size"}`` of the opened qcow2 or raw file ``fd``.

    The format is probed once, then read again with ``-f`` explicit; a probe result outside
    ``allowed`` (raw included) is refused. Refuses a backing file (it could make a guest read an
    arbitrary host file) and an external data file.
    """
    fmt = _info(fd, None, location).get("format")
    if fmt not in allowed:
        raise ImageError(f"unsupported image format {fmt!r} in {location} "
                         f"({' or '.join(allowed)} only)")
    info = _info(fd, fmt, location)
    if info.get("backing-filename") or info.get("full-backing-filename"):
        raise ImageError(f"image {location} has a backing file; flatten it first (qemu-img convert)")
    data = (info.get("format-specific") or {}).get("data", {})
    if fmt == "qcow2" and (data.get("data-file") or data.get("data-file-raw")):
        raise ImageError(f"image {location} uses an external data file; not accepted")
    return {"format": fmt, "virtual_size": int(info.get("virtual-size") or 0),
            "actual_size": int(info.get("actual-size") or 0)}
