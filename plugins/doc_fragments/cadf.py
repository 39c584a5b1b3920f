# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Forwarder options of the cloudmgmt.dmtf.cadf callback (HTTP collector and syslog).
    DOCUMENTATION = r"""
options:
  forwarders:
    description:
      - Where to send each sealed record besides the local trail file, which is always written and holds the chain.
      - V(http) POSTs batches to O(http_url) from a background thread through a durable on-disk spool (O(spool_dir)).
      - V(syslog) sends an RFC 5424 message per record to the local socket O(syslog_socket), best effort.
    type: list
    elements: str
    choices: [http, syslog]
    default: []
    env: [{name: ANSIBLE_CALLBACK_CADF_FORWARDERS}]
    ini: [{section: callback_cadf, key: forwarders}]
  http_url:
    description:
      - Collector URL. Each request is a POST of a JSON array of records (C(Content-Type application/json)).
      - Credentials in the URL are used for HTTP Basic auth and never appear in warnings or records.
    type: str
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_URL}]
    ini: [{section: callback_cadf, key: http_url}]
  http_token:
    description: Bearer token sent in the C(Authorization) header. Prefer O(http_token_file).
    type: str
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_TOKEN}]
    ini: [{section: callback_cadf, key: http_token}]
  http_token_file:
    description: File holding the bearer token (surrounding whitespace removed).
    type: path
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_TOKEN_FILE}]
    ini: [{section: callback_cadf, key: http_token_file}]
  http_validate_certs:
    description: Verify the collector's TLS certificate and host name.
    type: bool
    default: true
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_VALIDATE_CERTS}]
    ini: [{section: callback_cadf, key: http_validate_certs}]
  http_ca_path:
    description: CA bundle used to verify the collector (default system trust store).
    type: path
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_CA_PATH}]
    ini: [{section: callback_cadf, key: http_ca_path}]
  http_timeout:
    description: Seconds to wait for one collector request.
    type: float
    default: 10
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_TIMEOUT}]
    ini: [{section: callback_cadf, key: http_timeout}]
  http_batch_size:
    description: Records per POST at most.
    type: int
    default: 200
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_BATCH_SIZE}]
    ini: [{section: callback_cadf, key: http_batch_size}]
  http_flush_timeout:
    description:
      - Seconds the run waits at its end for queued records to reach the collector.
      - What is not delivered stays in the spool and is replayed first by the next run.
    type: float
    default: 10
    env: [{name: ANSIBLE_CALLBACK_CADF_HTTP_FLUSH_TIMEOUT}]
    ini: [{section: callback_cadf, key: http_flush_timeout}]
  spool_dir:
    description:
      - Directory (mode 0700) of the HTTP spool; each record is written there before it is sent.
      - Defaults to the trail path with C(.spool) appended.
    type: path
    env: [{name: ANSIBLE_CALLBACK_CADF_SPOOL_DIR}]
    ini: [{section: callback_cadf, key: spool_dir}]
  syslog_socket:
    description: Local syslog socket (Unix datagram).
    type: path
    default: /dev/log
    env: [{name: ANSIBLE_CALLBACK_CADF_SYSLOG_SOCKET}]
    ini: [{section: callback_cadf, key: syslog_socket}]
  syslog_facility:
    description: Syslog facility of the messages.
    type: str
    default: authpriv
    choices: [auth, authpriv, audit, daemon, user, syslog, kern, local0, local1, local2, local3, local4, local5, local6, local7]
    env: [{name: ANSIBLE_CALLBACK_CADF_SYSLOG_FACILITY}]
    ini: [{section: callback_cadf, key: syslog_facility}]
"""
