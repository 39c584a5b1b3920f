"""A steady background of running Jobs: ``jobs`` machines started and stopped over and over,
each through its Job (with the memory backend's ``--latency``, a Job runs that long and writes its
progress several times). Every progress step and state change is a committed write, so the
provider's caches see what real use brings: Jobs, libvirt events and playbooks writing."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urljoin

import requests

JSON = {"Accept": "application/json"}
ACTION = "http://schemas.dmtf.org/cimi/2/action/"


def _operation(doc: dict, rel: str) -> str | None:
    return next((o["href"] for o in doc.get("operations", []) if o["rel"] == rel), None)


def _cycle(session: requests.Session, base: str, machine_url: str, stop: threading.Event,
           counts: list) -> None:
    while not stop.is_set():
        try:
            _one_job(session, base, machine_url, stop, counts)
        except requests.RequestException:
            time.sleep(0.5)  # the provider is busy or going away: the load goes on


def _one_job(session, base, machine_url, stop, counts) -> None:
    while not stop.is_set():
        doc = session.get(machine_url, headers=JSON, timeout=30).json()
        action = "stop" if doc.get("state") == "STARTED" else "start"
        href = _operation(doc, ACTION + action)
        if href is None:  # busy: its previous Job is still ending
            time.sleep(0.2)
            continue
        answer = session.post(href, json={"resourceURI": "http://schemas.dmtf.org/cimi/2/Action",
                                          "action": ACTION + action}, headers=JSON, timeout=30)
        job = answer.headers.get("CIMI-Job-URI")
        counts.append(answer.status_code)
        while job and not stop.is_set():
            if session.get(urljoin(base, job), headers=JSON,
                           timeout=30).json().get("state") in ("SUCCESS", "FAILED", "STOPPED"):
                return
            time.sleep(0.25)
        return


def churn(base: str, machine_urls: list, stop: threading.Event) -> list:
    """One Job at a time on each of ``machine_urls`` until ``stop``; the action statuses."""
    counts: list = []
    threads = [threading.Thread(target=_cycle, args=(requests.Session(), base, url, stop, counts),
                                daemon=True) for url in machine_urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


@contextmanager
def running_jobs(base: str, machine_urls: list):
    """While inside, Jobs run on each of ``machine_urls``, driven from a process of their own
    (so the load generator's process keeps its core). Yields a list that holds, on exit, the
    number of Jobs started."""
    started: list = []
    proc = subprocess.Popen([sys.executable, __file__, base, *machine_urls],
                            stdout=subprocess.PIPE, text=True)
    try:
        yield started
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        started.append(int(out.strip() or 0))


def main() -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(len(churn(sys.argv[1], sys.argv[2:], stop)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
