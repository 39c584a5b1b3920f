# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redirects, against two real loopback servers on different ports (different origins): nothing
is ever sent to another origin, a request with a body is never re-sent, loops are bounded."""
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import CimiProtocolError
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import MAX_REDIRECTS

from fake_cimi import FakeCimi

SECRET = 'pw-Canary-redirect-4d2'


@pytest.fixture
def elsewhere():
    with FakeCimi() as server:
        yield server


def _origin(server):
    return 'http://127.0.0.1:%d' % server.server.server_address[1]


@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_get_redirect_to_another_origin_is_refused(fake, elsewhere, make_client, status):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', status=status, headers={'Location': elsewhere.cep_url})
    client = make_client(fake, username='ops', password=SECRET)
    with pytest.raises(CimiProtocolError) as info:
        client.cep
    message = str(info.value)
    assert 'HTTP %d' % status in message and _origin(elsewhere) in message and "endpoint's origin" in message
    assert SECRET not in message and 'cloudEntryPoint' not in message.split(' (GET ', maxsplit=1)[0]
    assert elsewhere.requests == []


@pytest.mark.parametrize('status', [302, 307, 308])
@pytest.mark.parametrize('same_origin', [False, True])
def test_post_redirect_is_never_resent(fake, elsewhere, make_client, status, same_origin):
    client = make_client(fake)
    client.add_href('machines')
    target = (fake if same_origin else elsewhere).base + 'machines'
    fake.add_fault('POST', '/cimi/machines', status=status, headers={'Location': target})
    body = {'name': 'web', 'credential': {'password': SECRET}}
    with pytest.raises(CimiProtocolError) as info:
        client.create('machines', body)
    message = str(info.value)
    assert 'POST with HTTP %d' % status in message and 'never sent again' in message
    assert _origin(fake if same_origin else elsewhere) in message and SECRET not in message
    assert elsewhere.requests == []
    assert [r[0] for r in fake.requests if r[1] == '/cimi/machines'].count('POST') == 1
    assert fake.creates == 0


def test_same_origin_redirect_on_get_is_followed(fake, make_client):
    fake.add_fault('GET', '/cimi/entry', status=302, headers={'Location': 'cloudEntryPoint'})
    client = make_client(fake)
    client.endpoint = fake.base + 'entry'
    assert client.cep['baseURI'] == fake.base
    assert [r[1] for r in fake.requests] == ['/cimi/entry', '/cimi/cloudEntryPoint']


def test_redirect_loop_is_bounded(fake, make_client):
    for unused in range(MAX_REDIRECTS + 3):
        fake.add_fault('GET', '/cimi/cloudEntryPoint', status=307, headers={'Location': fake.cep_url})
    with pytest.raises(CimiProtocolError) as info:
        make_client(fake).cep
    assert 'redirected more than %d times' % MAX_REDIRECTS in str(info.value)
    assert len(fake.requests) == MAX_REDIRECTS + 1
