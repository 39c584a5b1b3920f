"""Assemble a provider (store, backend, lifecycles, views, HTTP app) from settings."""
from __future__ import annotations

import contextlib
import gc
import logging
import os
import sqlite3
from dataclasses import dataclass, field

from .audit import AuditError, AuditSettings
from .audit.recorder import ApiAudit
from .backends import BackendError, create_backend
from .catalogue import NS, NS_V1
from .http.access_log import AccessLogFile
from .http.app import Dispatcher, HttpSettings, build_app
from .http.auth import Authenticator
from .http.openapi import openapi_document
from .imports import ImportPolicy
from .service.core import Provider
from .service.infra import (CredentialLifecycle, CredentialTemplateLifecycle, JobLifecycle,
                            MachineImageLifecycle, MachineTemplateLifecycle, NetworkLifecycle,
                            VolumeImageLifecycle, VolumeLifecycle)
from .service.machines import LocatedVolumeLifecycle, MachineLifecycle
from .service.startup import recover, resume_deletes, seed, set_status_message
from .service.systems import SystemLifecycle
from .service.views import Views
from .store import Store
from .timeutil import now_iso

log = logging.getLogger("cimi_provider")


class StartupError(Exception):
    """The provider cannot start; the message is one line for the operator."""


# What start-up can meet on a real host: libvirt, the database, the audit trail, the disk.
STARTUP_ERRORS = (BackendError, AuditError, sqlite3.Error, OSError, ValueError)


@dataclass
class Settings:
    db: str = "cimi-provider.db"
    name: str = "cimi-provider"
    backend: str = "memory"
    latency: float = 0.0
    fail_patterns: list = field(default_factory=list)
    fail_rate: float = 0.0
    fail_operations: list = field(default_factory=list)
    fail_seed: int = 0
    seed_machines: int = 0
    default_initial_state: str = "STOPPED"
    max_body_bytes: int = 1024 * 1024
    render_cache_entries: int = 256
    compat: str | None = None  # "cimi1": answers in the CIMI 1.x namespace
    users_file: str | None = None
    token_file: str | None = None
    env_tokens: str | None = None
    auth_max_failures: int = 10      # failed logins per client address / user name ...
    auth_failure_window: float = 60.0  # ... in this many seconds, then 429
    backend_options: dict = field(default_factory=dict)
    audit: AuditSettings | None = None  # None: the API is not audited
    access_log: str | None = None  # None: no access log
    import_roots: list = field(default_factory=list)  # none: every file import is refused
    private_files: list = field(default_factory=list)  # TLS files etc.: never an import source
    allowed_hosts: tuple = ()  # Host names served besides loopback ones when auth is off


class BackendContext:
    def __init__(self, store: Store):
        self.store = store

    def next_serial(self, name: str) -> int:
        with self.store.write() as tx:
            return tx.counter(f"backend:{name}")


class BackendEvents:
    """Persist out-of-band state changes a backend observes."""

    def __init__(self, store: Store):
        self.store = store

    def state_changed(self, kind: str, resource_id: str, state: str,
                      message: str | None = None) -> None:
        row = self.store.row(resource_id)
        if row is None or row.type != kind:
            return
        doc = row.doc
        if doc.get("state") == state and doc.get("statusMessage") == message:
            return
        doc["state"] = state
        set_status_message(doc, message)
        doc["updated"] = now_iso()
        with self.store.write() as tx:
            tx.put(resource_id, kind, doc)


def database_files(db: str) -> tuple:
    return tuple(db + suffix for suffix in ("", "-wal", "-shm", "-journal"))


def provider_files(settings: Settings) -> dict:
    """The provider's own files by what they are: none may double as an audit file."""
    files = dict(zip(("--db", "the database's -wal file", "the database's -shm file",
                      "the database's -journal file"), database_files(settings.db)))
    files.update({"--access-log": settings.access_log, "--users": settings.users_file,
                  "--token-file": settings.token_file})
    files.update((f"private file {path}", path) for path in settings.private_files if path)
    return files


def protected_files(settings: Settings, audit: ApiAudit | None) -> list:
    """The provider's own files and its pool: never an import source, whatever the roots."""
    files = [*provider_files(settings).values(), settings.backend_options.get("pool_path")]
    if audit is not None:
        files += audit.files.values()
    return [f for f in files if f]


def build(settings: Settings):
    """Return (starlette app, provider). Start-up work runs in the app's lifespan."""
    auth = Authenticator.from_files(settings.users_file, settings.token_file, settings.env_tokens,
                                    max_failures=settings.auth_max_failures,
                                    failure_window=settings.auth_failure_window)
    # Failure injection works on every backend; latency is the memory simulator's only.
    options = dict(fail_patterns=settings.fail_patterns, fail_rate=settings.fail_rate,
                   fail_operations=settings.fail_operations, fail_seed=settings.fail_seed)
    if settings.backend == "memory":
        options["latency"] = settings.latency
    else:
        options.update(settings.backend_options)
    audit = None
    if settings.audit is not None:
        audit = ApiAudit(settings.audit, settings.name, other_paths=provider_files(settings))

    access_log = None
    if settings.access_log:
        if os.path.realpath(settings.access_log) in map(os.path.realpath, database_files(settings.db)):
            raise ValueError(f"--access-log {settings.access_log} is a file of the database --db")
        access_log = AccessLogFile(settings.access_log)

    backend = create_backend(settings.backend, **options)
    backend.import_policy = ImportPolicy(settings.import_roots, protected_files(settings, audit),
                                         backend.image_schemes)
    store = Store(settings.db)
    provider = Provider(store, backend, settings.default_initial_state)
    machines = MachineLifecycle(provider)
    volumes, networks = VolumeLifecycle(provider, machines), NetworkLifecycle(provider)
    provider.install(machines, LocatedVolumeLifecycle(provider, machines), volumes, networks,
                     MachineImageLifecycle(provider, machines),
                     SystemLifecycle(provider, machines, volumes, networks),
                     VolumeImageLifecycle(provider), MachineTemplateLifecycle(provider),
                     CredentialLifecycle(provider), CredentialTemplateLifecycle(provider),
                     JobLifecycle(provider))
    if audit is not None:
        provider.jobs.listeners.append(audit.job_ended)
    views = Views(provider, settings.name, v1_operations=settings.compat == "cimi1")

    async def start() -> None:
        await backend.open(BackendContext(store), BackendEvents(store))
        pending = recover(provider)
        if audit is not None:
            audit.recover(store)  # events a stopped provider left waiting for their Jobs
        seed(provider, settings.seed_machines if settings.backend == "memory" else 0)
        # recover() and seed() adopted every known resource: the backend may now clean up what
        # no resource owns, before the first request and before resumed deletes run.
        backend.adopted()
        store.sync()  # what recovery and seeding wrote, before the first request
        # What start-up loaded (the store's rows, the catalogue) lives as long as the process:
        # the collector no longer walks it, which keeps its pauses out of request latencies.
        gc.collect()
        gc.freeze()
        if pending:
            await resume_deletes(provider, pending)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        try:
            await start()
        except Exception as exc:  # noqa: BLE001 - whatever it is, the operator gets one line
            detail = str(exc) if isinstance(exc, STARTUP_ERRORS) else f"{type(exc).__name__}: {exc}"
            log.debug("start-up failed", exc_info=True)
            with contextlib.suppress(Exception):  # half-open: close what can be closed
                await backend.close()
            store.close()
            raise StartupError(detail) from None
        log.info("provider ready (backend %s, database %s)", backend.name, settings.db)
        try:
            yield
        finally:
            await provider.jobs.shutdown()
            if audit is not None:
                audit.close()  # SIGTERM and SIGINT come here too, through uvicorn's shutdown
            if access_log is not None:
                access_log.close()
            await backend.close()
            store.close()
            auth.close()

    dispatcher = Dispatcher(provider, views, auth, HttpSettings(
        settings.max_body_bytes, settings.render_cache_entries,
        NS_V1 if settings.compat == "cimi1" else NS), audit)
    # Without authentication, only loopback (and allowed) Host names: no DNS rebinding.
    app = build_app(dispatcher, openapi_document(), lifespan, access_log,
                    None if auth.enabled else frozenset(settings.allowed_hosts))
    return app, provider
