"""Durable resource store: SQLite in WAL mode, synced off the event loop before each answer.

Every resource (top-level, sub-resource, job) is one row: its relative id (``machines/ab12``),
its catalogue type, an optional parent (the owning Machine, Interface or System), an insertion
sequence, the stored document as JSON and its owner (the principal that created it, see
``tenancy.py``; NULL: the operator, also for rows of databases made before owners existed).
``write()`` opens an immediate transaction and commits it without waiting for the disk
(``synchronous=NORMAL``); ``await durable()`` then syncs the write-ahead log in a worker thread,
which is what ``synchronous=FULL`` does at each commit, once for every commit made so far (a
group commit). The HTTP layer awaits it before answering any mutating request and a Job before
it ends, so every acknowledged change survives a crash, and reads go on while the disk
syncs. A read cache mirrors committed rows (the provider is the only writer of its database);
it is updated only after a successful commit.

All calls happen on the event-loop thread, never across an ``await`` inside a transaction, so
transactions are serialised; the lock guards against use from worker threads.
"""
from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from . import tenancy

CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024  # a WAL this large is copied into the database

SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    parent TEXT,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL,
    owner TEXT
);
CREATE INDEX IF NOT EXISTS resources_type ON resources (type, seq);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class Row:
    id: str
    type: str
    parent: str | None
    seq: int
    text: str
    owner: str | None = None

    @property
    def doc(self) -> dict:
        return json.loads(self.text)


class Transaction:
    def __init__(self, store: "Store"):
        self._store = store
        self._puts: dict[str, Row] = {}
        self._deletes: set[str] = set()
        # rows of watched types (Store.watch) this transaction wrote or deleted: id -> the row
        # as it was before the transaction (None: new), for the store's observers
        self.touched: dict[str, Row | None] = {}

    def put(self, rid: str, rtype: str, doc: dict, parent: str | None = None,
            owner_of: list | tuple = ()) -> None:
        """Write a row. A row keeps its owner; a new one takes its parent's, else that of the
        first existing row of ``owner_of`` (a Job: its target's), else the current principal."""
        old = self._puts.get(rid) or self._store._rows.get(rid)
        if rtype in self._store.watch and rid not in self.touched:
            self.touched[rid] = old
        seq = old.seq if old else self._store._next_seq()
        parent = parent if parent is not None or not old else old.parent
        if old:
            owner = old.owner
        else:
            owner = next((r.owner for r in map(self.row, (parent, *owner_of)) if r is not None),
                         tenancy.current.get().owner)
        row = Row(rid, rtype, parent, seq, json.dumps(doc, separators=(",", ":"), sort_keys=False),
                  owner)
        self._store._db.execute(
            "INSERT OR REPLACE INTO resources (id, type, parent, seq, doc, owner) "
            "VALUES (?,?,?,?,?,?)", (row.id, row.type, row.parent, row.seq, row.text, row.owner))
        self._puts[rid] = row
        self._deletes.discard(rid)

    def next_seq(self) -> int:
        """The sequence number the next new row will get: larger than every existing row's, so
        an id made from it (an Event's, a Sample's) names no existing row, without a counter
        round trip."""
        return self._store._seq + 1

    def delete(self, rid: str) -> None:
        old = self._puts.get(rid) or self._store._rows.get(rid)
        if old is not None and old.type in self._store.watch and rid not in self.touched:
            self.touched[rid] = old
        self._store._db.execute("DELETE FROM resources WHERE id = ?", (rid,))
        self._puts.pop(rid, None)
        self._deletes.add(rid)

    def row(self, rid: str | None) -> Row | None:
        if rid is None or rid in self._deletes:
            return None
        return self._puts.get(rid) or self._store._rows.get(rid)

    def get(self, rid: str) -> dict | None:
        row = self.row(rid)
        return row.doc if row else None

    def counter(self, name: str) -> int:
        """Next value (from 1) of a durable named counter."""
        cur = self._store._db.execute("SELECT value FROM counters WHERE name = ?", (name,))
        found = cur.fetchone()
        value = (found[0] if found else 0) + 1
        self._store._db.execute("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)",
                                (name, value))
        return value

    def set_meta(self, key: str, value: str) -> None:
        self._store._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                (key, value))


class Store:
    def __init__(self, path: str):
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # the WAL is synced by durable()
        # Checkpoints (which sync the database file) run in durable()'s worker thread too,
        # on a connection of their own, never in a commit on the event loop.
        self._db.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpointer = None
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        columns = {c[1] for c in self._db.execute("PRAGMA table_info(resources)")}
        if "owner" not in columns:  # a database from before owners: its rows are the operator's
            self._db.execute("ALTER TABLE resources ADD COLUMN owner TEXT")
        self._lock = threading.RLock()
        self._rows: dict[str, Row] = {}
        self._by_type: dict[str, dict[str, None]] = {}
        self._by_parent: dict[str, dict[str, None]] = {}
        self._seq = 0
        self._committed = 0  # commits so far; _synced of them are on stable storage
        self._synced = 0
        self._sync_task = None
        self._wal_fd: int | None = None
        # Bumped after every committed write, once the read index shows it: a reader that sees
        # generation g sees every write up to g (the HTTP render cache keys on it).
        self.generation = 0
        # Types whose row changes are shown to ``observers`` (callables taking the transaction
        # and its ``touched`` rows) just before each commit, inside it: what they write commits (and syncs) with the change.
        self.watch: frozenset = frozenset()
        self.observers: list = []
        # callables taking the transaction, run inside every transaction before its commit (the
        # EventLogs write the access Events they hold there: no commit of their own)
        self.riders: list = []
        for rid, rtype, parent, seq, text, owner in self._db.execute(
                "SELECT id, type, parent, seq, doc, owner FROM resources ORDER BY seq"):
            self._index(Row(rid, rtype, parent, seq, text, owner))
            self._seq = max(self._seq, seq)

    def close(self) -> None:
        with self._lock:
            self.sync()
            if self._checkpointer is not None:
                self._checkpointer.close()
            self._db.close()
            if self._wal_fd is not None:
                os.close(self._wal_fd)
                self._wal_fd = None

    # durability (see the module docstring) --------------------------------------------------
    def sync(self) -> int:
        """Put every commit made so far on stable storage; returns how many that covers."""
        upto = self._committed
        if self.path == ":memory:" or self._synced >= upto:
            return upto
        if self._wal_fd is None:
            self._wal_fd = os.open(self.path + "-wal", os.O_RDONLY | os.O_CLOEXEC)
            directory = os.open(os.path.dirname(os.path.abspath(self.path)), os.O_RDONLY)
            try:
                os.fsync(directory)  # the -wal file's own name, once
            finally:
                os.close(directory)
        os.fsync(self._wal_fd)
        if os.fstat(self._wal_fd).st_size > CHECKPOINT_WAL_BYTES:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(self.path, isolation_level=None,
                                                     check_same_thread=False)
            # PASSIVE: copies what it can without blocking the writer; the WAL restarts from its
            # beginning at a later commit once all of it was copied.
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return upto

    async def durable(self) -> None:
        """Return once every commit made before the call is on stable storage. Callers that
        come while a sync runs share the next one, so a busy provider syncs once for many
        commits, and the event loop serves reads meanwhile."""
        wanted = self._committed
        while self._synced < wanted:
            task = self._sync_task
            if task is None or task.done():
                task = self._sync_task = asyncio.ensure_future(asyncio.to_thread(self.sync))
            self._synced = max(self._synced, await asyncio.shield(task))

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _index(self, row: Row) -> None:
        old = self._rows.get(row.id)
        if old:
            self._unindex(old)
        self._rows[row.id] = row
        self._by_type.setdefault(row.type, {})[row.id] = None
        if row.parent:
            self._by_parent.setdefault(row.parent, {})[row.id] = None

    def _unindex(self, row: Row) -> None:
        self._rows.pop(row.id, None)
        self._by_type.get(row.type, {}).pop(row.id, None)
        if row.parent:
            self._by_parent.get(row.parent, {}).pop(row.id, None)

    @contextmanager
    def write(self):
        """One transaction, committed on leaving the block (made durable by ``durable()``)."""
        with self._lock:
            seq_before = self._seq
            self._db.execute("BEGIN IMMEDIATE")
            tx = Transaction(self)
            try:
                yield tx
                for rider in self.riders:
                    rider(tx)
                if tx.touched:
                    touched = dict(tx.touched)  # what observers write is not shown again
                    for observer in self.observers:
                        observer(tx, touched)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                self._seq = seq_before
                raise
            self._committed += 1
            for rid in tx._deletes:
                row = self._rows.get(rid)
                if row:
                    self._unindex(row)
            for row in tx._puts.values():
                self._index(row)
            self.generation += 1

    # reads (committed state)
    def get(self, rid: str) -> dict | None:
        row = self._rows.get(rid)
        return row.doc if row else None

    def row(self, rid: str) -> Row | None:
        return self._rows.get(rid)

    def list(self, rtype: str, parent: str | None = None) -> list[dict]:
        ids = self._by_type.get(rtype, {})
        if parent is not None:
            children = self._by_parent.get(parent, {})
            return [self._rows[i].doc for i in children if self._rows[i].type == rtype]
        return [self._rows[i].doc for i in ids]

    def rows(self, rtype: str, parent: str | None = None) -> list[Row]:
        """Committed rows of a type (of one parent), in insertion order; not decoded."""
        if parent is not None:
            return [self._rows[i] for i in self._by_parent.get(parent, {})
                    if self._rows[i].type == rtype]
        return [self._rows[i] for i in self._by_type.get(rtype, {})]

    def children(self, parent: str) -> list[Row]:
        return [self._rows[i] for i in self._by_parent.get(parent, {})]

    def count(self, rtype: str) -> int:
        return len(self._by_type.get(rtype, {}))

    def meta(self, key: str) -> str | None:
        with self._lock:
            found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return found[0] if found else None
