# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The part every in-process fake CIMI server shares: a threaded stdlib HTTP server on a free
loopback port, used as a context manager, and a request handler that answers JSON."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    """Every method goes to _dispatch(method), which subclasses implement."""
    protocol_version = 'HTTP/1.1'

    def _dispatch(self, method):
        raise NotImplementedError

    def do_GET(self):
        self._dispatch('GET')

    def do_POST(self):
        self._dispatch('POST')

    def do_PUT(self):
        self._dispatch('PUT')

    def do_DELETE(self):
        self._dispatch('DELETE')

    def log_message(self, *args):
        pass

    def _send(self, status, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b'')
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if data:
            self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class LoopbackServer:
    """Subclasses implement _handler_class() (a JsonHandler subclass bound to their state)."""

    def __init__(self):
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), self._handler_class())
        self.server.daemon_threads = True
        self.base = 'http://127.0.0.1:%d/cimi/' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05},
                                       daemon=True)

    def _handler_class(self):
        raise NotImplementedError

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def cep_url(self):
        return self.base + 'cloudEntryPoint'
