# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tolerance for CIMI 1.x providers and for the spec's loose spots.

CIMI 2.0 is the model; these helpers let the client read 1.x shapes too: the ``cimi/1``
namespace, URI-form core rels (``.../action/delete``), ``networkInterfaces``, the 1.x Job state
CANCELLED, and error bodies that are not Jobs.
"""

from __future__ import annotations

import json
import re

SCHEMA_BASES = ('http://schemas.dmtf.org/cimi/2/', 'http://schemas.dmtf.org/cimi/1/')
SCHEMA_BASE = SCHEMA_BASES[0]
ACTION_BASE = SCHEMA_BASE + 'action/'

# 1.0-era providers report CANCELLED; 2.0 has STOPPED. Both end a Job unsuccessfully.
JOB_SUCCESS_STATES = frozenset(['SUCCESS'])
JOB_FAILED_STATES = frozenset(['FAILED', 'STOPPED', 'CANCELLED'])
JOB_TERMINAL_STATES = JOB_SUCCESS_STATES | JOB_FAILED_STATES

MAX_TEXT_ERROR = 300


def type_uri(name):
    """The 2.0 type URI of a resource type name, e.g. Machine."""
    return SCHEMA_BASE + name


def action_uri(name):
    return ACTION_BASE + name


def last_segment(uri):
    """Last path segment of a URI or bare word: '.../cimi/1/action/delete' -> 'delete'."""
    if not uri:
        return ''
    segment = uri.rstrip('/').rsplit('/', 1)[-1]
    # DSP0263 2.0.0 p.94 misprints the pause rel as '.../cimi/2/action.pause'.
    if segment.startswith('action.'):
        segment = segment[len('action.'):]
    return segment


def type_name(resource):
    """Type name of a representation from its resourceURI (either namespace), or ''."""
    if not isinstance(resource, dict):
        return ''
    return last_segment(resource.get('resourceURI', ''))


def is_job(body):
    if not isinstance(body, dict):
        return False
    if type_name(body) == 'Job':
        return True
    return 'statusMessage' in body and 'state' in body and 'returnCode' in body


def collection_items(collection, items_key=None):
    """The item list of a Collection representation.

    The key is the pluralised type name (machines, machineConfigurations, ...); when the caller
    does not know it, any list of objects other than operations is taken.
    """
    if not isinstance(collection, dict):
        return []
    if items_key and isinstance(collection.get(items_key), list):
        return collection[items_key]
    for key, value in collection.items():
        if key == 'operations' or not isinstance(value, list):
            continue
        if all(isinstance(item, dict) for item in value):
            return value
    return []


def interfaces_key(machine):
    """'interfaces' (2.0) or 'networkInterfaces' (1.x)."""
    if 'interfaces' not in machine and 'networkInterfaces' in machine:
        return 'networkInterfaces'
    return 'interfaces'


def ref_href(value):
    """href of a ref; tolerates plain-string refs (StratusLab targetResource)."""
    if isinstance(value, dict):
        return value.get('href')
    if isinstance(value, str):
        return value
    return None


def _looks_like_html(text):
    return bool(re.match(r'\s*<(!doctype|html)', text, re.IGNORECASE))


def error_details(text):
    """(message, returnCode, job) from an error body: a Job, JSON message/error, or text."""
    text = (text or '').strip()
    if not text:
        return None, None, None
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        if is_job(body) or 'statusMessage' in body:
            return body.get('statusMessage') or None, body.get('returnCode'), body
        for key in ('message', 'error', 'detail', 'errorMessage'):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value, body.get('code'), None
            if isinstance(value, dict) and isinstance(value.get('message'), str):
                return value['message'], value.get('code'), None
        return None, None, None
    match = re.search(r'<statusMessage>([^<]*)</statusMessage>', text)
    if match:
        return match.group(1).strip(), None, None
    if _looks_like_html(text):
        title = re.search(r'<title>([^<]*)</title>', text, re.IGNORECASE)
        return (title.group(1).strip() if title else None), None, None
    return text[:MAX_TEXT_ERROR], None, None
