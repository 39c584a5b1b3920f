"""Image inspection with ``qemu-img info`` before anything is imported into a pool."""
from __future__ import annotations

import json
import os
import subprocess

ACCEPTED_FORMATS = ("qcow2", "raw")


class ImageError(ValueError):
    """The file cannot be used as a machine image (the message says why)."""


def inspect(path: str, timeout: float = 60.0) -> dict:
    """Return ``{"format", "virtual_size", "actual_size"}`` for a local qcow2 or raw file.

    Refuses anything with a backing file (it could make a guest read an arbitrary host file) and any
    format but qcow2 and raw.
    """
    if not os.path.isabs(path):
        raise ImageError(f"image path must be absolute: {path!r}")
    if not os.path.isfile(path):
        raise ImageError(f"image file not found: {path}")
    try:
        proc = subprocess.run(
            ["qemu-img", "info", "--output=json", "--", path],
            capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ImageError(f"cannot inspect {path}: {exc}") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "qemu-img failed"
        raise ImageError(f"cannot inspect {path}: {detail}")
    try:
        info = json.loads(proc.stdout)
    except ValueError:
        raise ImageError(f"cannot inspect {path}: unreadable qemu-img output") from None
    fmt = info.get("format")
    if fmt not in ACCEPTED_FORMATS:
        raise ImageError(f"unsupported image format {fmt!r} in {path} (qcow2 or raw only)")
    if info.get("backing-filename") or info.get("full-backing-filename"):
        raise ImageError(f"image {path} has a backing file; flatten it first (qemu-img convert)")
    if fmt == "qcow2" and (info.get("format-specific") or {}).get("data", {}).get("data-file"):
        raise ImageError(f"image {path} uses an external data file; not accepted")
    return {"format": fmt, "virtual_size": int(info.get("virtual-size") or 0),
            "actual_size": int(info.get("actual-size") or 0)}
