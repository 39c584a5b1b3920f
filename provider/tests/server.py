"""Start the real provider as a subprocess on a free loopback port, for tests and benchmarks.

Usage::

    from server import ProviderProcess          # provider/tests is on sys.path under pytest
    with ProviderProcess(tmp_path / "cimi.db", "--latency", "0.3") as prov:
        requests.get(prov.cep_url).json()
    prov.kill()      # SIGKILL (crash); prov.start() again on the same database
    prov.stop()      # SIGTERM, clean shutdown

The provider binds 127.0.0.1:0 and writes the chosen port to a port file once it serves;
``start`` waits for that file, then for the Cloud Entry Point to answer (any HTTP status: a
provider with authentication answers 401), within ``CIMI_PROVIDER_START_TIMEOUT`` seconds
(default 120: a loaded libvirt host can be slow to start). ``base`` ends in ``/cimi/``. The process
log is in ``log_path``; it is part of every start failure.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import requests

START_TIMEOUT = float(os.environ.get("CIMI_PROVIDER_START_TIMEOUT", "120"))


class ProviderError(RuntimeError):
    pass


class ProviderProcess:
    def __init__(self, db, *args: str, env: dict | None = None, scheme: str = "http",
                 workdir=None, preexec_fn=None):
        self.db = Path(db)
        self.args = list(args)
        self.env = env
        self.preexec_fn = preexec_fn  # run in the child before exec (e.g. resource limits)
        self.scheme = scheme
        self.workdir = Path(workdir) if workdir else self.db.parent
        self.port_file = self.workdir / f"{self.db.name}.port"
        self.log_path = self.workdir / f"{self.db.name}.log"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None  # known once the provider wrote its port file

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/cimi/"

    @property
    def cep_url(self) -> str:
        return self.base + "cloudEntryPoint"

    def command(self) -> list:
        return [sys.executable, "-m", "cimi_provider.cli", "serve", "--db", str(self.db),
                "--listen", "127.0.0.1:0", "--port-file", str(self.port_file),
                "--log-level", "warning", *self.args]

    def environment(self) -> dict:
        env = dict(os.environ)
        env.update(self.env or {})
        return env

    def start(self) -> "ProviderProcess":
        self.port_file.unlink(missing_ok=True)
        self.port = None
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     env=self.environment(), preexec_fn=self.preexec_fn)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.port is None and self.port_file.exists():
                text = self.port_file.read_text().strip()
                self.port = int(text) if text else None
            if self.port is not None and self.answers():
                self.ready()
                return self
            if self.proc.poll() is not None:
                raise ProviderError(f"provider exited with {self.proc.returncode}: {self.log()}")
            time.sleep(0.05)
        self.kill()
        raise ProviderError(f"provider did not start within {START_TIMEOUT}s: {self.log()}")

    def answers(self) -> bool:
        try:
            with warnings.catch_warnings():  # readiness only: the certificate is not checked here
                warnings.simplefilter("ignore")
                requests.get(self.cep_url, timeout=5, verify=False)
        except requests.RequestException:
            return False
        return True

    def ready(self) -> None:
        """Called once the provider answers; subclasses set up their clients here."""

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ProviderError("provider did not stop on SIGTERM") from None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> "ProviderProcess":
        self.stop()
        return self.start()

    def __enter__(self) -> "ProviderProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns a truthy value (returned) or time out."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def session(**kw) -> requests.Session:
    s = requests.Session()
    for key, value in kw.items():
        setattr(s, key, value)
    return s


def with_users(workdir, roles: dict, *args: str) -> ProviderProcess:
    """A provider (database in ``workdir``) with a ``--users`` file of ``roles`` (name: role);
    each user's password is ``<name>-pw``."""
    from cimi_provider.http.auth import hash_password
    users = Path(workdir) / "users.json"
    users.write_text(json.dumps({"users": {
        name: {"password_hash": hash_password(name + "-pw", iterations=1000), "role": role}
        for name, role in roles.items()}}))
    return ProviderProcess(Path(workdir) / "cimi.db", "--users", str(users), *args)
