# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The forwarding sinks with a real ansible-playbook: RFC 5424 messages on a local syslog socket,
and the HTTP collector over TLS (trusted through http_ca_path, refused when not trusted) and with
a wrong token; in every failure the file trail is whole, the records wait in the spool, and the
token is never printed."""
import re
import socket
import sys
import threading

import pytest

from cadf_support import (ROOT, SIMPLE_PLAY, Collector, forwarded, is_anchor_notice, local_inventory, records,
                          run_playbook)

sys.path.insert(0, str(ROOT / "provider" / "tests"))
from tls_support import make_cert  # noqa: E402

PLAY = SIMPLE_PLAY + """
    - name: Fail
      ansible.builtin.fail:
        msg: on purpose
      ignore_errors: true
"""
RFC5424 = re.compile(rb"^<(\d+)>1 (\S+) (\S+) ansible-cadf (\d+) cadf - \xef\xbb\xbf(.*)$", re.S)
TOKEN = "tok-Canary-5e1f"


class SyslogSocket:
    """A local datagram socket like /dev/log, keeping every message it receives."""

    def __init__(self, path):
        self.path = str(path)
        self.messages = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            try:
                self.messages.append(self.sock.recv(65536))
            except socket.timeout:
                continue

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_syslog_gets_every_record_as_rfc5424(tmp_path):
    sink = SyslogSocket(tmp_path / "log.sock")
    try:
        env = {"ANSIBLE_CALLBACK_CADF_FORWARDERS": "syslog",
               "ANSIBLE_CALLBACK_CADF_SYSLOG_SOCKET": sink.path}
        proc = run_playbook(tmp_path, PLAY, local_inventory(1), env)
    finally:
        sink.close()
    assert proc.returncode == 0 and "CADF audit" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    trail = (tmp_path / "audit.jsonl").read_bytes().splitlines()
    parsed = [RFC5424.match(message) for message in sink.messages]
    assert all(parsed)
    anchors = [m for m in parsed if is_anchor_notice(m.group(5))]
    parsed = [m for m in parsed if not is_anchor_notice(m.group(5))]
    assert len(anchors) == 1 and len(parsed) == len(trail) == 6      # start, 3 changes, 1 failure, end
    assert [m.group(5) for m in parsed] == trail              # the exact sealed lines, in order
    by_outcome = dict((r["outcome"], int(m.group(1))) for r, m in zip(records(tmp_path / "audit.jsonl"), parsed))
    assert by_outcome == {"success": 10 * 8 + 5, "failure": 10 * 8 + 4}   # authpriv.notice / .warning


def test_syslog_socket_missing_warns_and_keeps_the_trail(tmp_path):
    env = {"ANSIBLE_CALLBACK_CADF_FORWARDERS": "syslog",
           "ANSIBLE_CALLBACK_CADF_SYSLOG_SOCKET": str(tmp_path / "no-such.sock")}
    proc = run_playbook(tmp_path, PLAY, local_inventory(1), env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "CADF audit: syslog" in output and "Traceback" not in output, output
    assert len(records(tmp_path / "audit.jsonl")) == 6


@pytest.fixture
def tls_collector(tmp_path):
    cert, key = make_cert(tmp_path)
    collector = Collector(token=TOKEN, tls=(cert, key))
    yield collector, cert
    collector.close()


def http_env(url, **extra):
    env = {"ANSIBLE_CALLBACK_CADF_FORWARDERS": "http", "ANSIBLE_CALLBACK_CADF_HTTP_URL": url,
           "ANSIBLE_CALLBACK_CADF_HTTP_TOKEN": TOKEN, "ANSIBLE_CALLBACK_CADF_HTTP_FLUSH_TIMEOUT": "1"}
    env.update(extra)
    return env


def test_http_over_tls_untrusted_then_trusted(tmp_path, tls_collector):
    collector, cert = tls_collector
    proc = run_playbook(tmp_path, PLAY, local_inventory(1), http_env(collector.url))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "CERTIFICATE_VERIFY_FAILED" in output and TOKEN not in output, output
    assert collector.records == [] and collector.requests == 0   # the TLS handshake never completed
    first = [r["id"] for r in records(tmp_path / "audit.jsonl")]

    env = http_env(collector.url, ANSIBLE_CALLBACK_CADF_HTTP_CA_PATH=str(cert),
                   ANSIBLE_CALLBACK_CADF_HTTP_FLUSH_TIMEOUT="30")
    proc = run_playbook(tmp_path, PLAY, local_inventory(1), env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "CADF audit" not in output, output
    everything = [r["id"] for r in records(tmp_path / "audit.jsonl")]
    assert len(everything) == 2 * len(first) == 12
    delivered, anchors = forwarded(collector.records)
    assert sorted(r["id"] for r in delivered) == sorted(everything)   # the spool replayed, once each
    assert len(anchors) == 2


def test_http_wrong_token_keeps_records_spooled(tmp_path, collector):
    env = http_env(collector.url, ANSIBLE_CALLBACK_CADF_HTTP_TOKEN="not-the-token-Canary-0b7e")
    proc = run_playbook(tmp_path, PLAY, local_inventory(1), env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "answered HTTP 401" in output, output
    assert "not-the-token-Canary-0b7e" not in output and "tok-123" not in output
    assert collector.records == [] and collector.requests >= 1
    spooled = b"".join(p.read_bytes() for p in (tmp_path / "audit.jsonl.spool").glob("*.jsonl"))
    assert forwarded(spooled.splitlines()) == ((tmp_path / "audit.jsonl").read_bytes().splitlines(), [
        spooled.splitlines()[-1]])
