# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One transport from the connection options, for modules and the inventory plugin alike."""
from __future__ import annotations

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import HttpTransport


def test_unset_options_take_the_documented_defaults():
    transport = HttpTransport.from_options({'endpoint': 'https://cimi.example/cep', 'timeout': None, 'retries': None})
    assert transport.timeout == 30.0 and transport.retries == 3


def test_set_options_are_kept_even_zero_retries():
    transport = HttpTransport.from_options({'timeout': 5, 'retries': 0}, sleep=lambda seconds: None)
    assert transport.timeout == 5 and transport.retries == 0
