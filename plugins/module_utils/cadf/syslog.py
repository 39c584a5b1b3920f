# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Forward sealed records as RFC 5424 messages to a local syslog socket (best effort)."""

from __future__ import annotations

import os
import socket
import threading

FACILITIES = {
    "kern": 0, "user": 1, "daemon": 3, "auth": 4, "syslog": 5, "authpriv": 10,
    "audit": 13, "local0": 16, "local1": 17, "local2": 18, "local3": 19,
    "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}
SEVERITY_NOTICE = 5
SEVERITY_WARNING = 4
APP_NAME = "ansible-cadf"
MSG_ID = "cadf"
_BOM = b"\xef\xbb\xbf"


def _header_field(value, limit):
    """RFC 5424 header fields are printable US-ASCII without spaces, or '-'."""
    text = "".join(c for c in str(value or "") if 33 <= ord(c) <= 126)[:limit]
    return text or "-"


def format_message(line, event_time, hostname, facility="authpriv", severity=SEVERITY_NOTICE, pid=None):
    """One RFC 5424 message: ``<PRI>1 TIMESTAMP HOST APP PROCID MSGID - BOM+record``."""
    pri = FACILITIES[facility] * 8 + severity
    header = "<%d>1 %s %s %s %s %s -" % (
        pri, _header_field(event_time, 64), _header_field(hostname, 255), APP_NAME,
        _header_field(pid if pid is not None else os.getpid(), 128), MSG_ID)
    return header.encode("ascii") + b" " + _BOM + line


class SyslogForwarder:
    def __init__(self, socket_path="/dev/log", facility="authpriv", hostname=None):
        if facility not in FACILITIES:
            raise ValueError("syslog facility must be one of %s" % ", ".join(sorted(FACILITIES)))
        self.socket_path = socket_path
        self.facility = facility
        self.hostname = hostname or socket.gethostname()
        self._sock = None
        self._lock = threading.Lock()

    def _connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self._sock = sock

    def send(self, line, event_time, failed=False):
        """Send one record; raises OSError (the caller warns: syslog is not the durable copy)."""
        data = format_message(line, event_time, self.hostname, self.facility,
                              SEVERITY_WARNING if failed else SEVERITY_NOTICE)
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._sock is None:
                        self._connect()
                    self._sock.send(data)
                    return
                except OSError:
                    self.close_locked()
                    if attempt == 2:
                        raise

    def close_locked(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    def close(self):
        with self._lock:
            self.close_locked()
