# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ship sealed records to an HTTP collector, off the play's critical path.

Each record is first appended to this run's spool segment (``spool_dir/seg-*.jsonl``,
mode 0600, locked by this run); a background thread POSTs batches (a JSON array
of records) and stores the acknowledged byte offset in ``<segment>.ack``.
Segments left by earlier runs (collector down, crash) are replayed first; a run
claims a segment with a non-blocking ``flock`` so two runs never replay the same
one. Delivery is at least once: collectors dedupe by event ``id``.
"""

from __future__ import annotations

import base64
import fcntl
import os
import ssl
import threading
import time
import uuid

from urllib.request import Request, build_opener, HTTPSHandler, HTTPHandler, HTTPRedirectHandler
from urllib.parse import urlsplit, urlunsplit, unquote

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.redact import strip_url_credentials
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.trail import write_all

_MAX_BACKOFF = 5.0


class SpoolError(Exception):
    """The spool cannot be written: records cannot be made durable for the collector."""


def _split_credentials(url):
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = "[%s]" % netloc
    if parts.port:
        netloc += ":%d" % parts.port
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    basic = "%s:%s" % (unquote(parts.username), unquote(parts.password or ""))
    return clean, "Basic " + base64.b64encode(basic.encode("utf-8")).decode("ascii")


class _RefuseRedirects(HTTPRedirectHandler):
    """Never follow a redirect: it would carry the Authorization header (and, for 302, turn the
    batch into a GET whose 2xx looks like a delivery). The 3xx stays an HTTP error, so the batch
    stays in the spool and is replayed later."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpForwarder:
    def __init__(self, url, spool_dir, token=None, validate_certs=True, ca_path=None, timeout=10.0,
                 batch_size=200, fsync="batch"):
        self.url, basic = _split_credentials(url)
        self.display_url = strip_url_credentials(url)
        self.spool_dir = spool_dir
        self.batch_size = max(1, int(batch_size))
        self.timeout = timeout
        self.fsync = fsync          # same policies as the trail: always, batch, never
        self._unsynced = 0
        self._last_sync = time.monotonic()
        self._auth = "Bearer " + token if token else basic
        context = ssl.create_default_context(cafile=ca_path) if ca_path else ssl.create_default_context()
        if not validate_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self._opener = build_opener(HTTPHandler(), HTTPSHandler(context=context), _RefuseRedirects())
        self._cond = threading.Condition()
        self._pending = []          # (end_offset, line) not yet sent, in order
        self._closing = False
        self._deadline = None
        self._fd = None
        self._size = 0
        self.errors = []            # messages for the main thread (no secrets: URL without userinfo)
        self.sent = 0
        self.replayed = 0
        self._thread = None

    # -- producer side (callback threads) ---------------------------------
    def start(self):
        try:
            if not os.path.isdir(self.spool_dir):
                os.makedirs(self.spool_dir, 0o700)
            name = "seg-%s-%s.jsonl" % (time.strftime("%Y%m%dT%H%M%S"), uuid.uuid4().hex[:12])
            self.segment = os.path.join(self.spool_dir, name)
            self._fd = os.open(self.segment, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError as exc:
            raise SpoolError("cannot create the HTTP spool in %s: %s" % (self.spool_dir, exc.strerror or exc))
        self._thread = threading.Thread(target=self._run, name="cadf-http-forwarder")
        self._thread.daemon = True
        self._thread.start()
        return self

    def submit(self, line):
        """Make ``line`` durable in the spool and queue it for sending. Raises SpoolError."""
        data = line + b"\n"
        with self._cond:
            try:
                write_all(self._fd, data)
                self._unsynced += 1
                if self.fsync == "always" or (self.fsync == "batch" and (
                        self._unsynced >= 64 or time.monotonic() - self._last_sync >= 1.0)):
                    self._sync_locked()
            except OSError as exc:
                raise SpoolError("cannot write the HTTP spool %s: %s" % (self.segment, exc.strerror or exc))
            self._size += len(data)
            self._pending.append((self._size, line))
            if len(self._pending) >= self.batch_size:
                self._cond.notify()

    def _sync_locked(self):
        os.fsync(self._fd)
        self._unsynced = 0
        self._last_sync = time.monotonic()

    def sync(self):
        """Make the spool durable now (policies other than ``never``)."""
        with self._cond:
            if self._fd is not None and self._unsynced and self.fsync != "never":
                try:
                    self._sync_locked()
                except OSError as exc:
                    raise SpoolError("cannot fsync the HTTP spool %s: %s" % (self.segment, exc.strerror or exc))

    def close(self, flush_timeout=10.0):
        """Try to deliver what is queued within ``flush_timeout`` s; the rest stays spooled."""
        if self._thread is None:
            return
        with self._cond:
            self._closing = True
            self._deadline = time.monotonic() + max(0.0, flush_timeout)
            self._cond.notify()
        self._thread.join(max(0.0, flush_timeout) + self.timeout + 1.0)
        with self._cond:
            if not self._pending and self._thread is not None and not self._thread.is_alive():
                _remove_segment(self.segment)
            if self._fd is not None:
                os.close(self._fd)  # releases the claim: the next run replays what is left
                self._fd = None

    # -- sender thread -----------------------------------------------------
    def _run(self):
        try:
            self._replay_leftovers()
            self._send_own()
        except Exception as exc:  # never let the thread die silently
            self._error("HTTP forwarder stopped: %s" % strip_url_credentials(str(exc)))

    def _expired(self):
        return self._closing and time.monotonic() >= self._deadline

    def _send_with_retry(self, lines):
        """POST until accepted or the close deadline passes; True when delivered."""
        delay = 0.2
        while True:
            problem = self._post(lines)
            if problem is None:
                return True
            if not self.errors or self.errors[-1] != problem:
                self._error(problem)
            with self._cond:
                if self._expired():
                    return False
                wait = delay if not self._closing else min(delay, max(0.0, self._deadline - time.monotonic()))
                self._cond.wait(wait)
            delay = min(delay * 2, _MAX_BACKOFF)

    def _post(self, lines):
        body = b"[" + b",".join(lines) + b"]"
        request = Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            response = self._opener.open(request, timeout=self.timeout)
            status = response.getcode()
            response.read()
            response.close()
        except Exception as exc:
            status = getattr(exc, "code", None)
            if status is None:
                return "collector %s unreachable: %s" % (self.display_url, strip_url_credentials(
                    str(getattr(exc, "reason", exc))))
        if 200 <= status < 300:
            return None
        if 300 <= status < 400:
            return "collector %s answered HTTP %s (a redirect; not followed, the records stay spooled)" % (
                self.display_url, status)
        return "collector %s answered HTTP %s" % (self.display_url, status)

    def _replay_leftovers(self):
        for name in sorted(os.listdir(self.spool_dir)):
            path = os.path.join(self.spool_dir, name)
            if not name.endswith(".jsonl") or path == self.segment:
                continue
            if self._closing and self._expired():
                return
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a live run owns it
                if self._replay_segment(fd, path):
                    _remove_segment(path)
            finally:
                os.close(fd)

    def _replay_segment(self, fd, path):
        offset = _read_ack(path)
        with os.fdopen(os.dup(fd), "rb") as handle:
            handle.seek(offset)
            batch, end = [], offset
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # torn last line of a crashed run: never acknowledged, not a record
                batch.append(raw[:-1])
                end += len(raw)
                if len(batch) >= self.batch_size:
                    if not self._send_with_retry(batch):
                        return False
                    self.replayed += len(batch)
                    _write_ack(path, end)
                    batch = []
            if batch:
                if not self._send_with_retry(batch):
                    return False
                self.replayed += len(batch)
        return True

    def _send_own(self):
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait(0.5)
                if not self._pending:
                    return
                if not self._closing and len(self._pending) < self.batch_size:
                    self._cond.wait(0.2)  # let a batch build up
                batch = self._pending[:self.batch_size]
            if not self._send_with_retry([line for _end, line in batch]):
                return
            with self._cond:
                del self._pending[:len(batch)]
                self.sent += len(batch)
            _write_ack(self.segment, batch[-1][0])

    def _error(self, message):
        self.errors.append(message)


def _ack_path(segment):
    return segment + ".ack"


def _read_ack(segment):
    try:
        with open(_ack_path(segment)) as handle:
            return max(0, int(handle.read().strip() or 0))
    except (IOError, OSError, ValueError):
        return 0


def _write_ack(segment, offset):
    tmp = _ack_path(segment) + ".tmp"
    with open(tmp, "w") as handle:
        handle.write(str(offset))
    os.rename(tmp, _ack_path(segment))


def _remove_segment(segment):
    for path in (_ack_path(segment), segment):
        try:
            os.unlink(path)
        except OSError:
            pass
