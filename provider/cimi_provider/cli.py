"""``cimi-provider``: run the reference CIMI 2.0 provider, hash passwords, write the OpenAPI file.

    cimi-provider serve --backend memory --db PATH --listen 127.0.0.1:8780 [options]
    cimi-provider serve --backend libvirt --libvirt-uri qemu:///system --pool DIR [options]
    cimi-provider hash-password            # reads the password from stdin (or prompts)
    cimi-provider openapi [--output FILE]
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import signal
import socket
import sys

import uvicorn

from .audit import FSYNC_CHOICES, AuditError, AuditSettings
from .backends import BackendError
from .backends.libvirt import add_arguments as add_libvirt_arguments
from .backends.libvirt import options_from_args as libvirt_options
from .http.auth import ConfigError, hash_password
from .http.connections import (ACCEPT_BATCH, LISTEN_QUEUE, LimitedH11Protocol,
                               fit_connections_to_fd_limit)
from .http.host_check import is_loopback_host
from .http.openapi import openapi_document
from .imports import ENV_EXPORT_ROOTS, roots_from
from .server import Settings, StartupError, build
from .service.eventlogs import Retention


def _listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise argparse.ArgumentTypeError("expected HOST:PORT, e.g. 127.0.0.1:8780 (port 0 = any free port)")
    host = host.strip("[]")
    if int(port) > 65535:
        raise argparse.ArgumentTypeError("port must be 0-65535")
    return host, int(port)


def _positive(convert, value: str):
    try:
        number = convert(value)
    except ValueError:
        number = 0
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {value!r}")
    return number


def _positive_int(value: str) -> int:
    return _positive(int, value)


def _positive_float(value: str) -> float:
    return _positive(float, value)


def _cep_name(value: str) -> str:
    if not value.strip() or len(value) > 256 or not value.isprintable():
        raise argparse.ArgumentTypeError("a non-empty printable name of at most 256 characters")
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="cimi-provider", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the provider")
    serve.add_argument("--backend", default="memory", choices=("memory", "libvirt"))
    serve.add_argument("--db", default="cimi-provider.db", help="SQLite database file")
    serve.add_argument("--name", type=_cep_name, default="cimi-provider",
                       help="the Cloud Entry Point's name (until a consumer renames it)")
    serve.add_argument("--listen", type=_listen, default=("127.0.0.1", 8780), metavar="HOST:PORT",
                       help="address to listen on; port 0 picks a free port (see --port-file)")
    serve.add_argument("--port-file", help="write the bound port here once ready to serve")
    serve.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                       help="memory backend: duration of each operation (0 = synchronous)")
    serve.add_argument("--inject-failure", action="append", default=[], metavar="REGEX",
                       dest="fail_patterns",
                       help="memory backend: fail create/start of resources whose name or a "
                            "key=value property matches (repeatable)")
    serve.add_argument("--fail-rate", type=float, default=0.0,
                       help="memory backend: probability (0-1) that such an operation fails")
    serve.add_argument("--fail-operations", default="create,start",
                       help="operations failures apply to (create,start,delete,capture; libvirt: "
                            "migrate, or migrate-copied: after the volumes are copied)")
    serve.add_argument("--fail-seed", type=int, default=0, help="seed for --fail-rate")
    serve.add_argument("--seed-machines", type=int, default=0, metavar="N",
                       help="memory backend: ensure N seeded machines (two interfaces each)")
    serve.add_argument("--default-initial-state", choices=("STOPPED", "STARTED"),
                       default="STOPPED", help="Machine DefaultInitialState capability")
    serve.add_argument("--compat", choices=("cimi1",), default=None,
                       help="cimi1: for CIMI 1.x clients, answer in the 1.x namespace "
                            "(resourceURIs, action rels and the XML namespace "
                            "http://schemas.dmtf.org/cimi/1) and advertise the 1.x 'add' of a "
                            "MachineVolume; default: CIMI 2.0 answers (1.x requests are read "
                            "either way)")
    serve.add_argument("--max-body-bytes", type=int, default=1024 * 1024)
    serve.add_argument("--render-cache-entries", type=int, default=256, metavar="N",
                       help="rendered GET answers kept until the next write (0 = no cache)")
    for flag, default, metavar, text in (  # EventLog and Meter retention (positive integers)
            ("--event-log-max-events", 1000, "N",
             "Events kept per EventLog, the oldest dropped first (default 1000)"),
            ("--event-log-days", 7, "DAYS",
             "Events older than this are dropped (default 7; the EventLogs' persistence)"),
            ("--meter-interval", 10, "SECONDS",
             "sampleInterval of the standard MeterConfigurations seeded at the first start "
             "(default 10)"),
            ("--meter-max-samples", 100, "N",
             "Samples kept per Meter, the oldest dropped first (default 100)")):
        serve.add_argument(flag, type=_positive_int, default=default, metavar=metavar, help=text)
    serve.add_argument("--max-connections", type=_positive_int, default=200, metavar="N",
                       help="open connections at most (default 200); one more closes the "
                            "connection waiting longest for its request head")
    serve.add_argument("--header-timeout", type=_positive_float, default=10.0, metavar="SECONDS",
                       help="a request head must arrive whole within this time (default 10)")
    serve.add_argument("--keep-alive-timeout", type=_positive_float, default=5.0, metavar="SECONDS",
                       help="close a connection idle this long after an answer (default 5)")
    serve.add_argument("--users", help="YAML/JSON users file (HTTP Basic, salted hashes)")
    serve.add_argument("--token-file", help="bearer tokens: 'name:token [role]' per line, or a "
                       "YAML/JSON 'tokens: {name: {token, role}}' file (also "
                       "CIMI_PROVIDER_TOKENS, comma-separated name:token)")
    serve.add_argument("--auth-max-failures", type=_positive_int, default=10, metavar="N",
                       help="failed logins per client address and per user name within "
                            "--auth-failure-window before answering 429 (default 10)")
    serve.add_argument("--auth-failure-window", type=_positive_float, default=60.0,
                       metavar="SECONDS", help="window of --auth-max-failures (default 60)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       dest="allowed_hosts",
                       help="without authentication, Host headers other than loopback names and "
                            "addresses are refused (DNS rebinding); also accept NAME (repeatable)")
    serve.add_argument("--tls-cert", help="PEM certificate (enables HTTPS)")
    serve.add_argument("--tls-key", help="PEM private key")
    serve.add_argument("--insecure-http", action="store_true",
                       help="allow plain HTTP on a non-loopback address (passwords and tokens then "
                            "cross the network in clear text); refused without it")
    serve.add_argument("--access-log", metavar="PATH",
                       help="append one JSON line per request (time, client, user, method, path, "
                            "status, bytes, duration_ms) to this file; off when unset "
                            "(CIMI_PROVIDER_ACCESS_LOG)")
    serve.add_argument("--import-root", action="append", default=[], metavar="DIR",
                       dest="import_roots",
                       help="directory whose regular files may be imported as images "
                            "(file:///... imageLocation); repeatable; none: every file import is "
                            f"refused (CIMI_PROVIDER_IMPORT_ROOTS, {os.pathsep!r}-separated)")
    serve.add_argument("--export-root", action="append", default=[], metavar="DIR",
                       dest="export_roots",
                       help="directory under which System export may write new OVA files "
                            "(file:///... destination; never overwriting one); repeatable; none: "
                            f"every export is refused (CIMI_PROVIDER_EXPORT_ROOTS, "
                            f"{os.pathsep!r}-separated)")
    serve.add_argument("--log-level", default="info",
                       choices=("critical", "error", "warning", "info", "debug"))
    audit = serve.add_argument_group(
        "API audit", "one CADF event per mutating request, hash-chained (see the auditing guide); "
        "each flag falls back to the CIMI_PROVIDER_AUDIT_* variable named in its help")
    audit.add_argument("--audit-trail", metavar="PATH",
                       help="audit trail file, JSON Lines (CIMI_PROVIDER_AUDIT_TRAIL); off when unset")
    audit.add_argument("--audit-digest-path", metavar="PATH",
                       help="digest file, default: the trail path + .digest (CIMI_PROVIDER_AUDIT_DIGEST_PATH)")
    audit.add_argument("--audit-signing-key-file", metavar="PATH",
                       help="signs each run's digest: a PEM Ed25519 private key, or any other file as an "
                            "HMAC-SHA256 secret of 16+ bytes (CIMI_PROVIDER_AUDIT_SIGNING_KEY_FILE)")
    audit.add_argument("--audit-fsync", choices=FSYNC_CHOICES,
                       help="when the trail is flushed to disk: always (default; before each answer), "
                            "batch or never (CIMI_PROVIDER_AUDIT_FSYNC)")
    add_libvirt_arguments(serve)
    sub.add_parser("hash-password", help="print a password hash for a users file")
    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", "-o", help="file (default: stdout)")
    return top


def _write_port_file(path: str, port: int) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(f"{port}\n")
    os.replace(tmp, path)


def audit_settings(args) -> AuditSettings | None:
    """The audit flags, each falling back to its CIMI_PROVIDER_AUDIT_* variable."""
    def pick(flag, var):
        return getattr(args, flag) or os.environ.get(var) or None
    trail = pick("audit_trail", "CIMI_PROVIDER_AUDIT_TRAIL")
    if trail is None:
        return None
    fsync = pick("audit_fsync", "CIMI_PROVIDER_AUDIT_FSYNC") or "always"
    if fsync not in FSYNC_CHOICES:
        raise ValueError(f"CIMI_PROVIDER_AUDIT_FSYNC must be one of {', '.join(FSYNC_CHOICES)}")
    return AuditSettings(trail=os.path.abspath(trail),
                         digest_path=pick("audit_digest_path", "CIMI_PROVIDER_AUDIT_DIGEST_PATH"),
                         signing_key_file=pick("audit_signing_key_file", "CIMI_PROVIDER_AUDIT_SIGNING_KEY_FILE"),
                         fsync=fsync)


def access_log_path(args) -> str | None:
    path = args.access_log or os.environ.get("CIMI_PROVIDER_ACCESS_LOG") or None
    return os.path.abspath(path) if path else None


def serve(args) -> int:
    host, port = args.listen
    if bool(args.tls_cert) != bool(args.tls_key):
        print("cimi-provider: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    try:
        audit = audit_settings(args)
        import_roots = roots_from(args.import_roots)
        export_roots = roots_from(args.export_roots, env_name=ENV_EXPORT_ROOTS,
                                  flag="--export-root")
    except ValueError as exc:
        print(f"cimi-provider: {exc}", file=sys.stderr)
        return 2
    settings = Settings(
        audit=audit, access_log=access_log_path(args), db=args.db, name=args.name,
        allowed_hosts=tuple(args.allowed_hosts),
        backend=args.backend, latency=args.latency,
        fail_patterns=args.fail_patterns,
        fail_rate=args.fail_rate, fail_operations=[o for o in args.fail_operations.split(",") if o],
        fail_seed=args.fail_seed, seed_machines=args.seed_machines,
        default_initial_state=args.default_initial_state, max_body_bytes=args.max_body_bytes,
        render_cache_entries=max(args.render_cache_entries, 0), compat=args.compat,
        event_retention=Retention(args.event_log_max_events, args.event_log_days),
        meter_interval=min(args.meter_interval, 86400), meter_max_samples=args.meter_max_samples,
        users_file=args.users, token_file=args.token_file,
        env_tokens=os.environ.get("CIMI_PROVIDER_TOKENS"),
        auth_max_failures=args.auth_max_failures, auth_failure_window=args.auth_failure_window,
        import_roots=import_roots, export_roots=export_roots,
        private_files=[args.tls_cert, args.tls_key, args.port_file],
        # Unset libvirt options are None: the backend then falls back to CIMI_LIBVIRT_* variables.
        backend_options=libvirt_options(args) if args.backend == "libvirt" else {})
    try:
        app, provider = build(settings)
    except (AuditError, ConfigError, BackendError, OSError, ValueError) as exc:
        print(f"cimi-provider: {exc}", file=sys.stderr)
        return 2
    if not is_loopback_host(host) and not provider_auth_enabled(app):
        print("cimi-provider: authentication (--users or --token-file/CIMI_PROVIDER_TOKENS) is "
              f"required to listen on {host}, which is not a loopback address", file=sys.stderr)
        return 2
    if not is_loopback_host(host) and not args.tls_cert:
        if not args.insecure_http:
            print(f"cimi-provider: plain HTTP on {host}, which is not a loopback address, would send "
                  "credentials in clear text: give --tls-cert and --tls-key (or --insecure-http)",
                  file=sys.stderr)
            return 2
        logging.getLogger("cimi_provider").warning(
            "--insecure-http: serving plain HTTP on %s; credentials cross the network in clear text",
            host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
    # TCP, and without it keep-alive responses stall on delayed ACKs (~40 ms each).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"cimi-provider: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 2
    sock.listen(LISTEN_QUEUE)
    bound = sock.getsockname()[1]
    # h11 has no request-head timeout and uvicorn no connection cap: see http/connections.py.
    protocol = LimitedH11Protocol.configured(args.header_timeout,
                                             fit_connections_to_fd_limit(args.max_connections))
    # Start-up runs here, not in uvicorn's lifespan, so a failure is one line and exit 2
    # instead of uvicorn's traceback; connections wait in the listen backlog meanwhile.
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="off",
                            ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key,
                            timeout_graceful_shutdown=5, server_header=False, http=protocol,
                            timeout_keep_alive=args.keep_alive_timeout, backlog=ACCEPT_BATCH)
    server = uvicorn.Server(config)

    async def run() -> int:
        try:
            async with app.router.lifespan_context(app):
                return await serve_until_stopped()
        except StartupError as exc:
            print(f"cimi-provider: {exc}", file=sys.stderr)
            return 2

    async def serve_until_stopped() -> int:
        # uvicorn re-raises the captured signal after its graceful shutdown; a no-op handler makes
        # that a clean exit (status 0) instead of a death by signal.
        signal.signal(signal.SIGTERM, lambda *_: None)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started:
            sock.listen(LISTEN_QUEUE)  # asyncio re-listened with the accept batch as its queue
            scheme = "https" if args.tls_cert else "http"
            logging.getLogger("cimi_provider").info(
                "serving CIMI at %s://%s:%d/cimi/cloudEntryPoint", scheme, host, bound)
            if args.port_file:
                _write_port_file(args.port_file, bound)
        await task
        return 0 if server.started else 1

    return asyncio.run(run())


def provider_auth_enabled(app) -> bool:
    return app.state.dispatcher.auth.enabled


def hash_password_cmd() -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        print("cimi-provider: empty password", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def openapi_cmd(args) -> int:
    text = json.dumps(openapi_document(), indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=getattr(args, "log_level", "info").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        return serve(args)
    if args.command == "hash-password":
        return hash_password_cmd()
    return openapi_cmd(args)


if __name__ == "__main__":
    sys.exit(main())
