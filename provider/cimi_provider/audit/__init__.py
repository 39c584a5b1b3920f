"""The provider's audit of its own API: one CADF event per mutating request.

The events, the hash chain, the digests and the signing keys come from the collection's CADF
library (``plugins/module_utils/cadf``), the same code the ``cloudmgmt.dmtf.cadf`` callback and
the ``cadf_verify`` module use, so one verifier checks both kinds of trail. The library is found
as ``ansible_collections.cloudmgmt.dmtf`` on ``sys.path``, else under a collections path
(``CIMI_PROVIDER_COLLECTIONS_PATH``, ``ANSIBLE_COLLECTIONS_PATH``, this source checkout's
``.collections``, ``~/.ansible/collections``, ``/usr/share/ansible/collections``).
"""
from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

LIBRARY = "ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf"
FSYNC_CHOICES = ("always", "batch", "never")


class AuditError(Exception):
    """The audit trail cannot be set up (message names the file, never key material)."""


@dataclass
class AuditSettings:
    trail: str
    digest_path: str | None = None
    signing_key_file: str | None = None
    # "always": an acknowledged mutation's record is on disk before the answer is sent, as the
    # store's own commits are.
    fsync: str = "always"


def collection_roots() -> list:
    roots = []
    for var in ("CIMI_PROVIDER_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
        roots.extend(p for p in os.environ.get(var, "").split(os.pathsep) if p)
    roots.append(str(Path(__file__).resolve().parents[3] / ".collections"))
    roots.extend([os.path.expanduser("~/.ansible/collections"), "/usr/share/ansible/collections"])
    return roots


def load_library() -> dict:
    """Import the collection's CADF modules; returns them by short name."""
    names = ("model", "builder", "actions", "trail", "digest", "signing", "paths")
    try:
        return {n: importlib.import_module(f"{LIBRARY}.{n}") for n in names}
    except ImportError:
        pass
    for root in collection_roots():
        if os.path.isdir(os.path.join(root, *LIBRARY.split("."))):
            if root not in sys.path:
                sys.path.append(root)
            importlib.invalidate_caches()
            try:
                return {n: importlib.import_module(f"{LIBRARY}.{n}") for n in names}
            except ImportError:
                continue
    raise AuditError("--audit-trail needs the CADF library of the cloudmgmt.dmtf collection: install "
                     "the collection and set ANSIBLE_COLLECTIONS_PATH (or CIMI_PROVIDER_COLLECTIONS_PATH)")


def refuse_conflicting_paths(settings: AuditSettings, others: dict, lib: dict) -> None:
    """The trail, its digest, in-flight file and key may share no path with each other or with
    the provider's other files (``others``: flag -> path); checked before anything is opened."""
    trail = settings.trail
    problems = lib["paths"].path_conflicts({
        "--audit-trail": trail,
        "--audit-digest-path": settings.digest_path or lib["digest"].default_digest_path(trail),
        "the trail's in-flight file": trail + ".inflight",
        "--audit-signing-key-file": settings.signing_key_file, **others})
    if problems:
        raise AuditError("conflicting paths: " + "; ".join(problems))
