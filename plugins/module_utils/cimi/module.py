# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CimiModule: the AnsibleModule wrapper every CIMI module uses."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import CimiClient, looks_like_href
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import (
    CimiError, CimiLookupError, CimiMissingCreateInfo)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR)
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.options import (
    connection_argument_spec, connection_options)


# Attributes the provider shows back that hold what the user passed as a no_log option (user_data,
# base64-encoded, so Ansible's own no_log masking does not recognise it): masked in every result.
MASKED_ATTRIBUTES = frozenset(['userData'])
NO_LOG_MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def mask_attributes(value):
    """Deep copy of a result with the values of MASKED_ATTRIBUTES replaced by NO_LOG_MASK."""
    if isinstance(value, dict):
        return dict((k, NO_LOG_MASK if k in MASKED_ATTRIBUTES and v is not None else mask_attributes(v))
                    for k, v in value.items())
    if isinstance(value, list):
        return [mask_attributes(v) for v in value]
    return value


class CimiModule:
    """Connection options, check/diff mode, and CimiError -> fail_json without a traceback.

    Subclasses set ``argument_spec`` (and optionally ``module_kwargs``) and implement run().
    """

    argument_spec = {}
    module_kwargs = {}

    def __init__(self):
        spec = connection_argument_spec()
        spec.update(self.argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **self.module_kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.diff_mode = self.module._diff
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        if not self.params.get('endpoint'):
            self.module.fail_json(msg='no CIMI endpoint: set the endpoint option or CIMI_ENDPOINT '
                                      '(the Cloud Entry Point URL, e.g. https://cimi.example.com/cimi/cloudEntryPoint)')
        self.client = None

    def make_client(self):
        return CimiClient.from_options(connection_options(self.params.get))

    def run(self):
        """Implemented by each module: return the result dict."""
        raise NotImplementedError

    def failure_hint(self):
        """The ``cadf`` hint of a failed run (the resource it was about), or None."""
        return None

    def __call__(self):
        try:
            self.client = self.make_client()
            result = self.run()
        except CimiError as exc:
            self.module.fail_json(**dict(self.failure(exc), **self._hint_of_failure()))
        except ValueError as exc:  # bad input caught while building a request (e.g. a filter)
            self.module.fail_json(msg=str(exc), **self._hint_of_failure())
        finally:
            if self.client is not None:
                self.client.transport.close()
        self.module.exit_json(**mask_attributes(result))

    def failure(self, exc):
        """fail_json keys of exc. A run that failed after the provider accepted a change reports
        changed=true, the resource id and the actions accepted, and says so in the message."""
        result = exc.to_result()
        engine = getattr(self, 'engine', None)
        extra = engine.failure_result() if engine is not None else {}
        if extra:
            result.update(extra)
            result['msg'] = 'the provider accepted %s of %s, then: %s' % (
                ', '.join(extra['actions']), extra['id'], result['msg'])
        return result

    def _hint_of_failure(self):
        hint = self.failure_hint()
        return {'cadf': hint} if hint else {}

    def ref(self, key, value, what):
        """{'href'} for a name or href. In check mode a missing name is assumed to be created by
        an earlier task (as in a --check run of a whole playbook) and only warned about."""
        try:
            return self.client.ref(key, value, what)
        except CimiLookupError as exc:
            if self.check_mode and getattr(exc, 'not_found', False):
                self.module.warn('%s; check mode assumes an earlier task creates it' % exc)
                return {'href': value}
            raise

    def lookup(self, key, value, what, required=True):
        """The resource a name or href refers to, or None when it does not exist and not required.

        A required one that is missing is a CimiLookupError; in check mode it is only warned about
        and predicted ({'id', 'name', 'predicted'}), as ref() assumes an earlier task creates it."""
        if looks_like_href(value):
            href = self.client.resolve(value)
            found = self.client.get_optional(href)
            error = CimiLookupError('no %s at %s' % (what, href))
        else:
            href = value
            found = self.client.find_one(key, value, what=what + 's')
            error = CimiLookupError('no %s named %r' % (what, value))
        if found is not None or not required:
            return found
        error.not_found = True
        if not self.check_mode:
            raise error
        self.module.warn('%s; check mode assumes an earlier task creates it' % error)
        return {'id': href, 'name': None if looks_like_href(value) else value, 'predicted': True}

    def build_create_body(self, build):
        """build() or, in check mode when the task cannot create (it only changes a resource an
        earlier task creates), None with a warning."""
        try:
            return build()
        except CimiMissingCreateInfo as exc:
            if self.check_mode:
                self.module.warn('%s; check mode assumes an earlier task creates it' % exc)
                return None
            raise

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)
