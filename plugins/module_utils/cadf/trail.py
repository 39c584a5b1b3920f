# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local trail: an append-only JSON Lines file whose records form a hash chain.

Every record gets an ``integrity`` attachment ``{"seq": n, "prev": <sha256 of
the previous line>, "run": <run id>}`` before it is written. The chain spans
runs and processes: each append takes an exclusive ``flock`` and, when the file
grew since our last write (another run appended), resumes from the file's tail,
so concurrent runs still produce one linear chain.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.canonical import (
    GENESIS_HASH, canonical_json, sha256_hex)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.model import (
    INTEGRITY_ATTACHMENT, INTEGRITY_TYPE_URI, attachment, integrity_of)

FSYNC_POLICIES = ("always", "batch", "never")
_TAIL_CHUNK = 65536


class TrailError(Exception):
    """The trail cannot be read or made durable."""


def write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_last_line(fd, size):
    """Return (last line without its newline, its offset) within the first ``size`` bytes."""
    if size <= 0:
        return None, 0
    end = size - 1 if os.pread(fd, 1, size - 1) == b"\n" else size
    buf, pos = b"", end
    while True:
        step = min(_TAIL_CHUNK, pos)
        pos -= step
        buf = os.pread(fd, step, pos) + buf
        cut = buf.rfind(b"\n")
        if cut >= 0:
            return buf[cut + 1:], pos + cut + 1
        if pos == 0:
            return buf, 0


class TrailWriter:
    """Appends sealed records to the trail file. Thread-safe and multi-process safe."""

    def __init__(self, path, fsync="batch", batch_size=64, batch_seconds=1.0):
        if fsync not in FSYNC_POLICIES:
            raise TrailError("fsync must be one of %s" % ", ".join(FSYNC_POLICIES))
        self.path = path
        self.fsync = fsync
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self._lock = threading.Lock()
        self._fd = None
        self._size = -1
        self._seq = 0
        self._last_hash = GENESIS_HASH
        self._unsynced = 0
        self._last_sync = time.monotonic()
        self._continue = None

    def continue_chain(self, seq, last_hash):
        """An empty trail continues a chain that went on elsewhere (a rotated file): its first
        record gets ``seq + 1`` and ``prev = last_hash`` instead of 1 and the genesis hash.
        Call it while holding ``locked_state()``."""
        self._continue = (seq, last_hash)
        self._size = -1  # resume again before the next record

    def open(self):
        try:
            parent = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(parent):
                os.makedirs(parent, 0o700)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._rfd = os.open(self.path, os.O_RDONLY)
        except OSError as exc:
            raise TrailError("cannot open audit trail %s: %s" % (self.path, exc.strerror or exc))
        return self

    @property
    def last_seq(self):
        return self._seq

    def _resume(self, size):
        """Continue the chain from the last record of the file (written by any run)."""
        torn = size and os.pread(self._rfd, 1, size - 1) != b"\n"
        if torn:
            # a write torn by a crash: end it so the next record starts on its own line;
            # the chain continues from the last complete record (the verifier reports the torn one)
            write_all(self._fd, b"\n")
        line, offset = read_last_line(self._rfd, size)
        if torn:
            line, offset = read_last_line(self._rfd, offset)
        self._seq, self._last_hash = self._continue if self._continue and not line else (0, GENESIS_HASH)
        if line:
            try:
                chain = integrity_of(json.loads(line.decode("utf-8")))
                self._seq = int(chain["seq"])
            except (ValueError, TypeError, KeyError, UnicodeDecodeError):
                raise TrailError("cannot resume the chain: the last line of %s is not a sealed record"
                                 % self.path)
            self._last_hash = sha256_hex(line)
        self._size = size + 1 if torn else size

    def append(self, record, run_id):
        """Seal ``record`` (adds the integrity attachment) and append it; return its line bytes."""
        with self._lock:
            if self._fd is None:
                raise TrailError("audit trail %s is not open" % self.path)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                try:
                    size = os.fstat(self._fd).st_size
                    if size != self._size:
                        self._resume(size)
                    chain = {"seq": self._seq + 1, "prev": self._last_hash, "run": run_id}
                    record.setdefault("attachments", []).append(
                        attachment(INTEGRITY_ATTACHMENT, INTEGRITY_TYPE_URI, chain))
                    line = canonical_json(record)
                    write_all(self._fd, line + b"\n")
                    self._size += len(line) + 1
                    self._seq += 1
                    self._last_hash = sha256_hex(line)
                    self._maybe_sync()
                finally:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
            except OSError as exc:
                raise TrailError("cannot write audit trail %s: %s" % (self.path, exc.strerror or exc))
            return line

    def _maybe_sync(self, force=False):
        self._unsynced += 1
        if self.fsync == "always" or (self.fsync == "batch" and (
                force or self._unsynced >= self.batch_size
                or time.monotonic() - self._last_sync >= self.batch_seconds)):
            os.fsync(self._fd)
            self._unsynced = 0
            self._last_sync = time.monotonic()

    def sync(self):
        """Make everything written so far durable (any policy but ``never``)."""
        with self._lock:
            if self._fd is not None and self._unsynced and self.fsync != "never":
                try:
                    os.fsync(self._fd)
                except OSError as exc:
                    raise TrailError("cannot fsync audit trail %s: %s" % (self.path, exc.strerror or exc))
                self._unsynced = 0
                self._last_sync = time.monotonic()

    def locked_state(self):
        """Context manager: hold the trail lock and yield (size, last_seq, last_hash) of the file."""
        return _LockedState(self)

    def close(self):
        with self._lock:
            for fd in (self._fd, getattr(self, "_rfd", None)):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._fd = self._rfd = None


class _LockedState:
    def __init__(self, writer):
        self.writer = writer

    def __enter__(self):
        w = self.writer
        w._lock.acquire()
        try:
            fcntl.flock(w._fd, fcntl.LOCK_EX)
            size = os.fstat(w._fd).st_size
            if size != w._size:
                w._resume(size)
            return w._size, w._seq, w._last_hash
        except Exception:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        w = self.writer
        try:
            fcntl.flock(w._fd, fcntl.LOCK_UN)
        finally:
            w._lock.release()
        return False
