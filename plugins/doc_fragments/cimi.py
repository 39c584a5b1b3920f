# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by every CIMI module and the inventory plugin. The option
    # table lives in plugins/module_utils/cimi/options.py; a unit test keeps the two in step.
    DOCUMENTATION = r'''
options:
  endpoint:
    description:
      - URL of the provider's CIMI Cloud Entry Point, for example C(https://cimi.example.com/cimi/cloudEntryPoint).
      - Every other URL is discovered from it; none is built by hand.
      - If not set, the environment variable E(CIMI_ENDPOINT) is used. One of the two is required.
    type: str
  username:
    description:
      - User name for HTTP Basic authentication.
      - If not set, the environment variable E(CIMI_USERNAME) is used.
    type: str
  password:
    description:
      - Password for HTTP Basic authentication. Never logged nor returned.
      - If not set, the environment variable E(CIMI_PASSWORD) is used.
    type: str
  token:
    description:
      - "Bearer token, sent as C(Authorization: Bearer <token>). Never logged nor returned."
      - Takes precedence over O(username) and O(password) when both are set.
      - If not set, the environment variable E(CIMI_TOKEN) is used.
    type: str
  validate_certs:
    description:
      - Verify the provider's TLS certificate. Only turn this off for throw-away test endpoints.
      - If not set, the environment variable E(CIMI_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file (or OpenSSL hashed directory) of CA certificates used to verify the provider.
      - If not set, the environment variable E(CIMI_CA_PATH) is used.
    type: path
  client_cert:
    description:
      - PEM client certificate for mutual TLS.
    type: path
  client_key:
    description:
      - PEM private key of O(client_cert), when it is not in the same file.
    type: path
  timeout:
    description:
      - Seconds to wait for the provider to answer one HTTP request (connect and read).
    type: float
    default: 30.0
  retries:
    description:
      - How many times an idempotent request (GET, PUT, DELETE, HEAD) is retried after a connection
        failure, a timeout or an HTTP 429, 502, 503 or 504, with exponential backoff and jitter,
        honouring C(Retry-After) (capped at 60 seconds).
      - A POST is retried only when it certainly did not reach the provider (connection refused, HTTP 429).
      - Every create carries a client request id in its C(properties), under the key
        C(cloudmgmt.dmtf/request-id); it is shown in results as the provider shows it, is never
        reported as a change and is kept by updates of the properties.
      - When a create fails ambiguously, the resource is looked up by that request id (O(retries)
        lookups with backoff) and adopted if it exists. Otherwise, after an HTTP 502, 503 or 504, the
        create is sent again, at most O(retries) times; after a timeout or a connection lost
        mid-request the task fails saying the create may or may not have happened.
      - An endpoint that refuses connections or does not answer fails the task with a message that
        says how many attempts were made over how long; an HTTP 401 says which credentials to set.
    type: int
    default: 3
requirements:
  - requests
notes:
  - The client speaks CIMI 2.0 (DMTF DSP0263 2.0.0) in JSON and tolerates CIMI 1.x providers.
  - Secrets (O(password), O(token), credential passwords) never appear in results or error messages.
'''

    # Additions for plugins (inventory), which read the same options from the environment.
    PLUGINS = r'''
options:
  endpoint:
    env:
      - name: CIMI_ENDPOINT
  username:
    env:
      - name: CIMI_USERNAME
  password:
    env:
      - name: CIMI_PASSWORD
  token:
    env:
      - name: CIMI_TOKEN
  validate_certs:
    env:
      - name: CIMI_VALIDATE_CERTS
  ca_path:
    env:
      - name: CIMI_CA_PATH
'''

    # Options shared by the collection-reading *_info modules.
    INFO = r'''
options:
  id:
    description: CIMI id of one resource; then O(name) and O(filters) are not allowed.
    type: str
  name:
    description: Only resources with exactly this name.
    type: str
  filters:
    description:
      - "Attribute equalities ANDed together, for example C({state: STARTED}); a list value means any of them."
      - Keys of the form C(property[KEY]) match consumer properties.
    type: dict
  expand:
    description:
      - Attributes to expand (CIMI C($expand)), for example C(volumes), in addition to those the
        module expands itself to build its results (for M(cloudmgmt.dmtf.cimi_machine_info) the
        interfaces and their endpoints).
    type: list
    elements: str
  page_size:
    description:
      - Resources read per request (C($first)/C($last) paging, following the collection's C(count)).
        A provider may return fewer.
    type: int
    default: 100
notes:
  - Read-only; supports check mode.
  - A collection is read in pages of O(page_size), with what the results need expanded inline, so
    the number of requests does not grow with the number of sub-resources (see the collection's
    performance guide).
'''

    # Common attributes of the resource modules (cimi_machine, cimi_network...).
    RESOURCE = r'''
options:
  description:
    description: Description of the resource.
    type: str
  properties:
    description:
      - Consumer properties (a string-to-string map in CIMI). When set, made exactly this map
        (or, with O(purge_properties=false), these keys set and the others kept), apart from the
        C(cloudmgmt.dmtf/request-id) key the collection adds at creation, which is always kept.
      - "One coercion rule, on create and update alike: strings are sent as they are, integers and
        floats as their decimal text (C(8080) becomes C(\"8080\")), booleans as C(true) or C(false);
        a null, list or mapping value is refused with an error naming the key (give a string, for
        example C({{ value | to_json }}))."
    type: dict
  purge_properties:
    description:
      - Remove the properties not named in O(properties) (as C(purge_tags) of amazon.aws).
      - With V(false), the keys of O(properties) are added or changed and every other key is kept.
      - Has no effect when O(properties) is not set.
    type: bool
    default: true
'''

    # Waiting options of the resource modules that change resources through jobs or states.
    WAIT = r'''
options:
  wait:
    description: Wait for jobs and for the resource to settle (in the wanted state).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each job or state change.
    type: int
    default: 600
'''

    # Creation-only options of cimi_machine and cimi_volume: what a difference does.
    DRIFT = r'''
options:
  on_drift:
    description:
      - What to do when an existing resource differs from the task in a creation-only option
        (the configuration, CPU, memory or image of a machine; the capacity or configuration of a volume).
      - V(warn) reports it (a warning naming each option, its current and its desired value, and the
        result's RV(drift)) and changes nothing; V(fail) fails the task before any change.
      - V(update) changes it in place (a resize) when the provider's ResourceMetadata marks every
        attribute involved as mutable, and otherwise fails saying the resource must be recreated.
        The reference provider allows no resize, so there the resource must be deleted and created again.
    type: str
    default: warn
    choices: [warn, fail, update]
'''
