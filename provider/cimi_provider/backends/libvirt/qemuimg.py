"""Image inspection with ``qemu-img info`` before anything is imported into a pool.

qemu-img reads the already opened, checked file (``/dev/fd/N``, see ``..imports``), never a
path, through the collection's shared wrapper (``module_utils/libvirt/qemuimg.py``): under CPU and address-space
limits, so a hostile image cannot exhaust the host, and with its image checks.
"""
from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.libvirt import errors, qemuimg

ACCEPTED_FORMATS = ("qcow2", "raw")


class ImageError(ValueError):
    """The file cannot be used as a machine image (the message says why)."""


def _info(fd: int, fmt: str | None, location: str) -> dict:
    try:
        return qemuimg.info((["-f", fmt] if fmt else []) + ["--", f"/dev/fd/{fd}"], pass_fds=(fd,))
    except errors.ImageError as exc:
        raise ImageError(f"cannot inspect {location}: {exc.message}") from None


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
    try:
        qemuimg.check_self_contained(info, f"image {location}", fmt)
    except errors.ImageError as exc:
        raise ImageError(exc.message) from None
    return {"format": fmt, "virtual_size": int(info.get("virtual-size") or 0),
            "actual_size": int(info.get("actual-size") or 0)}
