"""Assemble a provider (store, backend, lifecycles, views, HTTP app) from settings."""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from .audit import AuditSettings
from .backends import create_backend
from .http.app import Dispatcher, HttpSettings, build_app
from .http.auth import Authenticator
from .imports import ImportPolicy
from .service.core import Provider
from .service.infra import (CredentialLifecycle, CredentialTemplateLifecycle, JobLifecycle,
                            MachineImageLifecycle, MachineTemplateLifecycle, NetworkLifecycle,
                            VolumeImageLifecycle, VolumeLifecycle)
from .service.machines import MachineLifecycle
from .service.startup import recover, resume_deletes, seed, set_status_message
from .service.systems import SystemLifecycle
from .service.views import Views
from .store import Store
from .timeutil import now_iso

log = logging.getLogger("cimi_provider")


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
    users_file: str | None = None
    token_file: str | None = None
    env_tokens: str | None = None
    backend_options: dict = field(default_factory=dict)
    audit: AuditSettings | None = None  # None: the API is not audited
    access_log: str | None = None  # None: no access log
    import_roots: list = field(default_factory=list)  # none: every file import is refused
    private_files: list = field(default_factory=list)  # TLS files etc.: never an import source


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


def protected_files(settings: Settings) -> list:
    """The provider's own files and its pool: never an import source, whatever the roots."""
    files = [settings.db + suffix for suffix in ("", "-wal", "-shm", "-journal")]
    files += [settings.users_file, settings.token_file, settings.access_log,
              settings.backend_options.get("pool_path"), *settings.private_files]
    if settings.audit is not None:
        trail = settings.audit.trail
        files += [trail, settings.audit.digest_path or trail + ".digest",
                  settings.audit.signing_key_file]
    return [f for f in files if f]


def build(settings: Settings):
    """Return (starlette app, provider). Start-up work runs in the app's lifespan."""
    auth = Authenticator.from_files(settings.users_file, settings.token_file, settings.env_tokens)
    # Failure injection works on every backend; latency is the memory simulator's only.
    options = dict(fail_patterns=settings.fail_patterns, fail_rate=settings.fail_rate,
                   fail_operations=settings.fail_operations, fail_seed=settings.fail_seed)
    if settings.backend == "memory":
        options["latency"] = settings.latency
    else:
        options.update(settings.backend_options)
    backend = create_backend(settings.backend, **options)
    backend.import_policy = ImportPolicy(settings.import_roots, protected_files(settings),
                                         backend.image_schemes)
    store = Store(settings.db)
    provider = Provider(store, backend, settings.default_initial_state)
    provider.lifecycles.update({
        "Machine": MachineLifecycle(provider), "Volume": VolumeLifecycle(provider),
        "Network": NetworkLifecycle(provider), "MachineImage": MachineImageLifecycle(provider),
        "MachineTemplate": MachineTemplateLifecycle(provider),
        "Credential": CredentialLifecycle(provider),
        "CredentialTemplate": CredentialTemplateLifecycle(provider),
        "Job": JobLifecycle(provider), "VolumeImage": VolumeImageLifecycle(provider), "System": SystemLifecycle(provider),
    })
    views = Views(provider, settings.name)
    audit = None
    if settings.audit is not None:
        from .audit.recorder import ApiAudit
        audit = ApiAudit(settings.audit, settings.name)
        provider.jobs.listeners.append(audit.job_ended)

    access_log = None
    if settings.access_log:
        from .http.access_log import AccessLogFile
        access_log = AccessLogFile(settings.access_log)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        await backend.open(BackendContext(store), BackendEvents(store))
        pending = recover(provider)
        if audit is not None:
            audit.recover(store)  # events a stopped provider left waiting for their Jobs
        seed(provider, settings.seed_machines if settings.backend == "memory" else 0)
        # recover() and seed() adopted every known resource: the backend may now clean up what
        # no resource owns, before the first request and before resumed deletes run.
        backend.adopted()
        if pending:
            await resume_deletes(provider, pending)
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

    from .http.openapi import openapi_document
    dispatcher = Dispatcher(provider, views, auth, HttpSettings(settings.max_body_bytes,
                                                                 settings.render_cache_entries), audit)
    app = build_app(dispatcher, openapi_document(), lifespan, access_log)
    return app, provider
