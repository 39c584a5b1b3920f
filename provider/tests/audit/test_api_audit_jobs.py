"""Accepted requests (202 + Job): one event, written when the Job ends, with the Job's outcome.

Until then the event waits in ``<trail>.inflight``; a provider killed first records it at its
next start-up with the outcome recovery gave the Job (FAILED: interrupted). Also: anonymous
initiators when authentication is off, and clear start-up errors for unusable audit settings.
"""
from __future__ import annotations

import json
import subprocess
import sys

from audit_support import cimi_facts, integrity, records
from strict_validator import validate

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.verify import verify_trail
from cimi import Cimi
from server import ProviderProcess, wait_until


def slow_provider(tmp_path, latency="0.6"):
    return ProviderProcess(tmp_path / "cimi.db", "--latency", latency, "--inject-failure", "^fail-",
                           "--audit-trail", str(tmp_path / "api.jsonl"))


def test_accepted_requests_are_recorded_with_the_jobs_outcome(tmp_path):
    trail, inflight = tmp_path / "api.jsonl", tmp_path / "api.jsonl.inflight"
    with slow_provider(tmp_path) as prov:
        cimi = Cimi(prov, "json")
        ok = cimi.create("machines", cimi.machine_body("audit-slow"))
        bad = cimi.create("machines", cimi.machine_body("fail-slow"))
        assert (ok.status, bad.status) == (202, 202)
        # accepted, Jobs running: nothing in the trail yet, both waiting durably
        assert records(trail) == []
        waiting = json.loads(inflight.read_text())
        assert set(waiting) == {ok.headers["CIMI-Job-URI"][len(prov.base):],
                                bad.headers["CIMI-Job-URI"][len(prov.base):]}
        assert (cimi.settle(ok)["state"], cimi.settle(bad)["state"]) == ("SUCCESS", "FAILED")
        wait_until(lambda: len(records(trail)) == 2)
        assert not inflight.exists()
    events = {r["target"]["name"]: r for r in records(trail)}
    assert len(records(trail)) == 2
    for name, outcome, state in (("audit-slow", "success", "SUCCESS"), ("fail-slow", "failure", "FAILED")):
        validate(events[name])
        facts = cimi_facts(events[name])
        assert (events[name]["outcome"], facts["jobState"], facts["status"]) == (outcome, state, 202)
        assert events[name]["reason"]["reasonCode"] == "202"
        assert events[name]["initiator"]["name"] == "anonymous"
    assert verify_trail(str(trail), str(trail) + ".digest", require_sealed=True)["valid"]


def test_stopping_a_job_records_both_requests_when_it_ends(tmp_path):
    trail = tmp_path / "api.jsonl"
    with slow_provider(tmp_path, latency="30") as prov:
        cimi = Cimi(prov, "json")
        reply = cimi.create("machines", cimi.machine_body("audit-stopped"))
        job = cimi.ok("GET", reply.headers["CIMI-Job-URI"]).doc
        assert cimi.act(job, "stop").status == 202
        assert cimi.wait_job(reply.headers["CIMI-Job-URI"])["state"] == "STOPPED"
        wait_until(lambda: len(records(trail)) == 2)
    create, stop = records(trail)
    for record in (create, stop):
        validate(record)
    assert (create["action"], create["outcome"], cimi_facts(create)["jobState"]) == ("create", "failure", "STOPPED")
    assert (stop["action"], stop["outcome"], stop["target"]["typeURI"]) == ("stop", "success", "compute/job")
    assert stop["target"]["ref"] == prov.base + cimi_facts(create)["job"]


def test_event_waiting_for_a_job_survives_a_crash(tmp_path):
    trail = tmp_path / "api.jsonl"
    prov = slow_provider(tmp_path, latency="30").start()
    try:
        cimi = Cimi(prov, "json")
        reply = cimi.create("machines", cimi.machine_body("audit-crash"))
        assert reply.status == 202
        job = reply.headers["CIMI-Job-URI"][len(prov.base):]
        prov.kill()                       # SIGKILL: no shutdown, no digest
        assert records(trail) == []
        prov.start()                      # recovery fails the Job; the audit records the event
        state = cimi.ok("GET", prov.base + job).doc["state"]  # a new port
        assert state == "FAILED"
    finally:
        prov.stop()
    events = records(trail)
    assert len(events) == 1
    validate(events[0])
    facts = cimi_facts(events[0])
    assert (events[0]["outcome"], facts["job"], facts["jobState"], facts["recordedAfterRestart"]) == \
        ("failure", job, "FAILED", True)
    assert integrity(events[0])["seq"] == 1
    assert not (tmp_path / "api.jsonl.inflight").exists()
    report = verify_trail(str(trail), str(trail) + ".digest", require_sealed=True)
    assert report["valid"], report["problems"]


def serve_error(tmp_path, *args):
    proc = subprocess.run([sys.executable, "-m", "cimi_provider.cli", "serve", "--db",
                           str(tmp_path / "x.db"), "--listen", "127.0.0.1:0", *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_unusable_audit_settings_are_refused_at_start(tmp_path):
    short = tmp_path / "short.key"
    short.write_text("tooshort")
    err = serve_error(tmp_path, "--audit-trail", str(tmp_path / "a.jsonl"),
                      "--audit-signing-key-file", str(short))
    assert "too short" in err and "tooshort" not in err
    err = serve_error(tmp_path, "--audit-trail", str(tmp_path / "a.jsonl"),
                      "--audit-signing-key-file", str(tmp_path / "missing.key"))
    assert "missing.key" in err
    broken = tmp_path / "broken.jsonl"
    broken.write_text("not a record\n")
    assert "cannot resume the chain" in serve_error(tmp_path, "--audit-trail", str(broken))
    assert broken.read_text() == "not a record\n"
    err = subprocess.run([sys.executable, "-m", "cimi_provider.cli", "serve", "--db", str(tmp_path / "y.db"),
                          "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=60,
                         env={"CIMI_PROVIDER_AUDIT_TRAIL": str(tmp_path / "env.jsonl"),
                              "CIMI_PROVIDER_AUDIT_FSYNC": "sometimes", "PATH": "/usr/bin:/bin"})
    assert err.returncode == 2 and "CIMI_PROVIDER_AUDIT_FSYNC" in err.stderr
