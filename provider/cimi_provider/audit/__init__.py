"""The provider's audit of its own API: one CADF event per mutating request.

The events, the hash chain, the digests and the signing keys come from the collection's CADF
library (``plugins/module_utils/cadf``), the same code the ``cloudmgmt.dmtf.cadf`` callback and
the ``cadf_verify`` module use, so one verifier checks both kinds of trail. The collection is a
dependency of the provider, installed into its Python environment (``make setup``, the
``cimi_provider`` role).
"""
from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import digest, paths

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



def audit_files(settings: AuditSettings) -> dict:
    """Every file the audit writes or reads, by the flag (or role) that names it."""
    trail = settings.trail
    return {"--audit-trail": trail,
            "--audit-digest-path": settings.digest_path or digest.default_digest_path(trail),
            "the trail's in-flight file": trail + ".inflight",
            "--audit-signing-key-file": settings.signing_key_file}


def refuse_conflicting_paths(files: dict, others: dict) -> None:
    """The audit's ``files`` may share no path with each other or with the provider's other
    files (``others``: flag -> path); checked before anything is opened."""
    problems = paths.path_conflicts({**files, **others})
    if problems:
        raise AuditError("conflicting paths: " + "; ".join(problems))
