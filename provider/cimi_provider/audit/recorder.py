"""ApiAudit: write the provider's CADF events to a hash-chained trail, digest it at shutdown.

One event per mutating request. A request answered at once (200/201/204, every 4xx/5xx) is
recorded before the answer is sent. A request accepted with a Job still running (202) is recorded
when that Job ends, with the Job's outcome; until then its event waits in ``<trail>.inflight``
(written, and fsynced under the ``always``/``batch`` policies, before the 202 is sent), so a
provider that stops or crashes first records it at its next start-up, with the outcome start-up
recovery gave the Job. The writer is shared by the event loop and any thread: every append
holds the trail's lock (and its ``flock``, so two processes never interleave).
"""
from __future__ import annotations

import json
import logging
import os
import threading

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf import digest, model, signing, trail

from ..catalogue import JOB_TERMINAL as TERMINAL
from . import AuditError, AuditSettings, audit_files, refuse_conflicting_paths
from . import events as ev

log = logging.getLogger("cimi_provider.audit")


class ApiAudit:
    def __init__(self, settings: AuditSettings, provider_name: str, other_paths: dict | None = None):
        self.files = audit_files(settings)
        refuse_conflicting_paths(self.files, other_paths or {})
        self.settings = settings
        self.digest_path = self.files["--audit-digest-path"]
        self.inflight_path = self.files["the trail's in-flight file"]
        self.run_id = model.new_id()
        self.started = model.utc_now()
        self.count, self.first_seq, self.last_seq, self.failures = 0, None, None, 0
        self._lock = threading.RLock()
        # job id -> [(event, action, target type)] waiting for the Job's end (a Job may have two:
        # the request that started it and one that asked it to stop)
        self._pending: dict = {}
        self._orphans: dict = {}    # the same, left by a previous process
        self.key = None
        try:
            if settings.signing_key_file:
                self.key = signing.load_key(settings.signing_key_file)
                if not self.key.can_sign:
                    raise AuditError(f"audit signing key {settings.signing_key_file} is a public key; "
                                     "a private key (or an HMAC secret) is needed")
            self.writer = trail.TrailWriter(settings.trail, fsync=settings.fsync).open()
            with self.writer.locked_state():
                pass  # refuse now, not at the first request, a trail whose chain cannot continue
        except (signing.SigningKeyError, trail.TrailError, ValueError) as exc:
            raise AuditError(str(exc)) from None
        self._orphans = self._load_inflight()
        self.observer = ev.observer(provider_name)

    # -- writing ------------------------------------------------------------------------------
    def append(self, event: dict) -> bool:
        """Seal and write one event; False (logged, never raised) when the trail fails."""
        with self._lock:
            try:
                self.writer.append(event, self.run_id)
            except trail.TrailError as exc:
                self.failures += 1
                log.error("audit: event %s not recorded: %s", event["id"], exc)
                return False
            seq = model.integrity_of(event)["seq"]
            self.count += 1
            self.first_seq = seq if self.first_seq is None else self.first_seq
            self.last_seq = seq
            return True

    def record(self, event: dict, job: str | None, store, subject: ev.Subject) -> None:
        """Write ``event`` now, or, for a 202 whose Job still runs, when the Job ends."""
        if job is None or event["reason"]["reasonCode"] != "202":
            self.append(event)
            return
        with self._lock:
            self._pending.setdefault(job, []).append((event, subject.action, subject.type_name))
            self._save_inflight()
        row = store.row(job)
        state = row.doc.get("state") if row is not None else None
        if state in TERMINAL:  # ended before we listened (a synchronous backend)
            self.job_ended(job, state)

    def job_ended(self, job: str, state: str) -> None:
        """JobRunner listener: a Job reached SUCCESS, FAILED or STOPPED."""
        with self._lock:
            entries = self._pending.pop(job, None)
            if not entries:
                return
            for event, action, type_name in entries:
                self._finish(event, state, action, type_name)
            self._save_inflight()

    def _finish(self, event, state, action, type_name, recovered=False):
        self.append(ev.finish(event, state, action, type_name, recovered))

    def recover(self, store) -> int:
        """At start-up, after Job recovery: record the events a previous process left waiting."""
        with self._lock:
            orphans, self._orphans = self._orphans, {}
            if not orphans:
                return 0
            written = self._event_ids_in_trail({e["id"] for entries in orphans.values()
                                                for e, _a, _t in entries})
            done = 0
            for job, entries in orphans.items():
                row = store.row(job)
                for event, action, type_name in entries:
                    if event["id"] in written:
                        continue  # recorded just before that process stopped
                    self._finish(event, row.doc.get("state") if row is not None else None, action,
                                 type_name, recovered=True)
                    done += 1
            self._save_inflight()
            return done

    # -- the inflight file --------------------------------------------------------------------
    def _load_inflight(self) -> dict:
        try:
            with open(self.inflight_path, encoding="utf-8") as handle:
                data = json.load(handle)
            return {job: [(e["event"], e["action"], e.get("type")) for e in entries]
                    for job, entries in data.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AuditError(f"cannot read {self.inflight_path}: {exc}") from None

    def _save_inflight(self) -> None:
        data = {}
        for waiting in (self._orphans, self._pending):
            for job, entries in waiting.items():
                data.setdefault(job, []).extend({"event": e, "action": a, "type": t} for e, a, t in entries)
        tmp = self.inflight_path + ".tmp"
        try:
            if not data:
                if os.path.exists(self.inflight_path):
                    os.unlink(self.inflight_path)
                return
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, json.dumps(data, sort_keys=True).encode("utf-8"))
                if self.settings.fsync != "never":
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.inflight_path)
        except OSError as exc:
            self.failures += 1
            log.error("audit: cannot write %s: %s", self.inflight_path, exc.strerror or exc)

    def _event_ids_in_trail(self, ids: set) -> set:
        found = set()
        with open(self.settings.trail, "rb") as handle:
            for line in handle:
                found.update(i for i in ids if i.encode() in line)
        return found

    # -- shutdown -----------------------------------------------------------------------------
    def close(self) -> None:
        """Seal this run: fsync, write the (signed) digest, close. Waiting events stay inflight."""
        with self._lock:
            if self.writer is None:
                return
            try:
                self.writer.sync()
                digest.write_digest(self.writer, self.digest_path, self.run_id, self.started,
                                                self.count, self.first_seq, self.last_seq, self.key)
            except trail.TrailError as exc:
                log.error("audit: cannot seal the trail: %s", exc)
            finally:
                self.writer.close()
                self.writer = None
