# -*- coding: utf-8 -*-
# Copyright (c) cloudmgmt.dmtf contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded, backing-off polling of a Job or of a resource's state."""

from __future__ import annotations

import time

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi import compat
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import (
    CimiError, CimiJobFailed, CimiNotFoundError, CimiTimeout)


class Backoff:
    """Polls until a predicate holds, the deadline passes, or a failure is seen.

    Delays grow from ``initial`` by ``factor`` up to ``maximum`` and never sleep past the
    deadline. Unknown states are not terminal: polling continues until the timeout.
    """

    def __init__(self, initial=0.25, factor=1.6, maximum=5.0, clock=time.monotonic, sleep=time.sleep):
        self.initial = initial
        self.factor = factor
        self.maximum = maximum
        self._clock = clock
        self._sleep = sleep

    def poll(self, fetch, done, timeout, what):
        """Call fetch() until done(value) is truthy; return that value."""
        deadline = self._clock() + max(0.0, float(timeout))
        delay = self.initial
        last = None
        while True:
            last = fetch()
            if done(last):
                return last
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise CimiTimeout('timed out after %ss waiting for %s%s' % (
                    timeout, what, _last_state(last)))
            self._sleep(min(delay, remaining))
            delay = min(self.maximum, delay * self.factor)


class Waiter:
    """Waits for a Job or a resource of one client, polling it on a Backoff schedule."""

    def __init__(self, client, backoff=None):
        self.client = client
        self.backoff = backoff or Backoff()

    def wait_job(self, job_url, timeout, what='the job'):
        """Wait for a Job to reach SUCCESS; raise CimiJobFailed on FAILED/STOPPED/CANCELLED."""
        client = self.client
        job = self.backoff.poll(lambda: client.get(job_url), _job_terminal, timeout,
                                '%s (%s)' % (what, job_url))
        state = (job.get('state') or '').upper()
        if state in compat.JOB_FAILED_STATES:
            message = job.get('statusMessage') or _nested_failure(client, job)
            raise CimiJobFailed('%s ended in %s%s' % (what, state, ': %s' % message if message else ''),
                                url=job_url, job_message=message, return_code=job.get('returnCode'),
                                job=job)
        return job

    def wait_state(self, url, states, timeout, fail_states=('ERROR', 'FAILED'), what='resource'):
        """Wait for the resource at url to reach one of states; fail on an error state."""
        wanted = set(states)
        failed = set(fail_states) - wanted

        def done(resource):
            state = (resource.get('state') or '').upper()
            if state in failed:
                raise CimiError('%s %s is in state %s' % (what, resource.get('name') or url, state), url=url)
            return state in wanted

        return self.backoff.poll(lambda: self.client.get(url), done, timeout,
                                 '%s to reach %s' % (what, '/'.join(sorted(wanted))))

    def wait_gone(self, url, timeout, what='resource'):
        """Wait until GET url answers 404."""
        def fetch():
            try:
                return self.client.get(url)
            except CimiNotFoundError:
                return None

        self.backoff.poll(fetch, lambda resource: resource is None, timeout, '%s to be deleted' % what)


def _job_terminal(job):
    return isinstance(job, dict) and (job.get('state') or '').upper() in compat.JOB_TERMINAL_STATES


def _last_state(value):
    if isinstance(value, dict) and value.get('state'):
        return ' (last state %s)' % value['state']
    return ''


def _nested_failure(client, job):
    """statusMessage of the first failed nested Job, when the parent has none."""
    for ref in job.get('nestedJobs') or []:
        nested = ref if isinstance(ref, dict) and 'state' in ref else None
        if nested is None:
            href = compat.ref_href(ref)
            if not href:
                continue
            try:
                nested = client.get(client.resolve(href))
            except CimiError:
                continue
        if (nested.get('state') or '').upper() in compat.JOB_FAILED_STATES and nested.get('statusMessage'):
            return nested['statusMessage']
    return None
