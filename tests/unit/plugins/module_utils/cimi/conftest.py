# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import CimiClient
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import HttpTransport
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.waiter import Backoff


class Sleeps(list):
    """Records requested sleeps instead of sleeping (keeps tests fast and deterministic)."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_client(sleeps):
    def make(server, **kwargs):
        kwargs.setdefault('timeout', 2.0)
        kwargs.setdefault('retries', 3)
        transport = HttpTransport(sleep=sleeps, **kwargs)
        return CimiClient(server.cep_url, transport, backoff=Backoff(sleep=sleeps))
    return make
