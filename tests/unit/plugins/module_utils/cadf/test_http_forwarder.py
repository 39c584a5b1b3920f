# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP forwarder against real loopback collectors: a redirect is a failed delivery."""
import json

import pytest

from loopback_http import JsonHandler, LoopbackServer

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cadf.http_forwarder import HttpForwarder

TOKEN = "tok-Canary-redirect-77a"


class Collector(LoopbackServer):
    """Records every request (method, headers, body); answers `status` (with `headers`)."""

    def __init__(self, status=204, headers=None):
        self.status, self.headers, self.requests = status, headers or {}, []
        super().__init__()
        self.url = self.base + "cadf"

    def records(self):
        return [record for method, _headers, body in self.requests if method == "POST"
                for record in json.loads(body)]

    def _handler_class(self):
        outer = self

        class Handler(JsonHandler):
            def do_HEAD(self):
                self._dispatch("HEAD")

            def _dispatch(self, method):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((method, dict(self.headers), body))
                self._send(outer.status, headers=outer.headers)

        return Handler


def _forward(url, spool, lines, flush_timeout):
    forwarder = HttpForwarder(url, str(spool), token=TOKEN, timeout=2.0).start()
    for line in lines:
        forwarder.submit(line)
    forwarder.close(flush_timeout=flush_timeout)
    return forwarder


def _spooled(spool):
    return b"".join(path.read_bytes() for path in sorted(spool.glob("*.jsonl"))).splitlines()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_not_followed_and_the_records_stay_spooled(tmp_path, status):
    spool = tmp_path / "spool"
    lines = [json.dumps({"id": "rec-%d" % i}).encode() for i in range(3)]
    with Collector() as elsewhere, Collector(status, {"Location": "PLACEHOLDER"}) as redirector:
        redirector.headers["Location"] = elsewhere.url
        first = _forward(redirector.url, spool, lines, flush_timeout=0.5)
        assert redirector.requests and elsewhere.requests == []  # no token, no body went there
        assert any("answered HTTP %d" % status in e and "redirect" in e for e in first.errors), first.errors
        assert TOKEN not in repr(first.errors) and first.sent == 0
        assert _spooled(spool) == lines

        later = _forward(elsewhere.url, spool, [], flush_timeout=5.0)
        assert later.errors == [] and later.replayed == 3
        assert sorted(r["id"] for r in elsewhere.records()) == ["rec-0", "rec-1", "rec-2"]  # once each
        assert all(h.get("Authorization") == "Bearer " + TOKEN for _m, h, _b in elsewhere.requests)
        assert _spooled(spool) == []
