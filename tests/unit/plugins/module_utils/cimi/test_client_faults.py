# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client against a real HTTP server (in-process) that misbehaves on purpose."""
from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.errors import (
    CimiAmbiguousCreate, CimiConnectionError, CimiHTTPError, CimiJobFailed, CimiLookupError,
    CimiNotFoundError, CimiOperationUnavailable, CimiProtocolError)

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.client import REQUEST_ID_PROPERTY, CimiClient
from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import HttpTransport, url_origin

from fake_cimi import FakeCimi


def _methods(fake, path):
    return [r[0] for r in fake.requests if r[1] == path]


def test_discovery_resolves_relative_hrefs_and_add_with_last_zero(fake, make_client):
    client = make_client(fake)
    assert client.collection_url('machines') == fake.base + 'machines'
    assert client.add_href('machines') == fake.base + 'machines'
    collection_reads = [r for r in fake.requests if r[1] == '/cimi/machines']
    assert collection_reads[0][2] == {'$last': ['0']}
    assert fake.requests[0][4]['Accept'] == 'application/json'


def test_503_then_success_is_retried_for_get(fake, make_client, sleeps):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', status=503)
    fake.add_fault('GET', '/cimi/cloudEntryPoint', status=502)
    client = make_client(fake)
    assert client.cep['baseURI'] == fake.base
    assert len(_methods(fake, '/cimi/cloudEntryPoint')) == 3
    assert len(sleeps) == 2 and sleeps[1] >= sleeps[0] * 0.5  # backoff grows (jitter 50-100 %)


def test_429_retry_after_is_honoured(fake, make_client, sleeps):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', status=429, headers={'Retry-After': '7'})
    client = make_client(fake)
    assert client.cep['name'] == 'fake'
    assert sleeps == [7.0]


def test_retries_exhausted_gives_clean_error_with_provider_message(fake, make_client):
    for unused in range(4):
        fake.add_fault('GET', '/cimi/cloudEntryPoint', status=503,
                       body={'id': '', 'state': 'FAILED', 'returnCode': 503, 'statusMessage': 'maintenance'})
    client = make_client(fake)
    with pytest.raises(CimiHTTPError) as info:
        client.cep
    assert info.value.status == 503
    assert 'maintenance' in str(info.value) and 'GET' in str(info.value)
    assert len(_methods(fake, '/cimi/cloudEntryPoint')) == 4


def test_connection_reset_on_get_is_retried(fake, make_client):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', reset='before')
    client = make_client(fake)
    assert client.cep['baseURI'] == fake.base


def test_read_timeout_on_get_is_retried(fake, make_client):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', sleep=1.0)
    client = make_client(fake, timeout=0.3)
    assert client.cep['baseURI'] == fake.base


def test_malformed_json_is_a_clean_protocol_error(fake, make_client):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', malformed=True)
    with pytest.raises(CimiProtocolError) as info:
        make_client(fake).cep
    assert 'malformed JSON' in str(info.value)


def test_connection_refused_is_clean(make_client):
    with FakeCimi() as server:
        url = server.cep_url
    client = make_client(server, retries=1)
    with pytest.raises(CimiConnectionError) as info:
        client.cep
    assert url in str(info.value)


def test_credentials_never_in_messages(fake, make_client):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', status=500, raw=b'boom')
    client = make_client(fake, username='ops', password='s3cret-pw')
    client.endpoint = fake.cep_url.replace('http://', 'http://ops:s3cret-pw@')
    with pytest.raises(CimiHTTPError) as info:
        client.cep
    assert 's3cret-pw' not in str(info.value) and 's3cret-pw' not in repr(info.value.to_result())
    assert 'boom' in str(info.value)


def test_create_reset_after_processing_adopts_instead_of_duplicating(fake, make_client):
    client = make_client(fake)
    client.add_href('machines')
    fake.add_fault('POST', '/cimi/machines', reset='after')
    outcome = client.create('machines', {'name': 'web-1', 'machineTemplate': {}})
    assert outcome.recovered
    assert fake.creates == 1
    assert [m['name'] for m in fake.machines.values()] == ['web-1']


def test_create_reset_before_processing_fails_clearly_without_resending(fake, make_client):
    """A connection lost mid-request may still commit later: no second POST, a clear failure."""
    client = make_client(fake)
    fake.add_fault('POST', '/cimi/machines', reset='before')
    with pytest.raises(CimiAmbiguousCreate) as info:
        client.create('machines', {'name': 'web-2'})
    assert 'may or may not have happened' in str(info.value) and REQUEST_ID_PROPERTY in str(info.value)
    assert _methods(fake, '/cimi/machines').count('POST') == 1 and fake.creates == 0


def test_create_503_is_never_resent_blindly(fake, make_client):
    client = make_client(fake)
    fake.add_fault('POST', '/cimi/machines', status=503)
    client.create('machines', {'name': 'web-3'})
    posts = [r[3] for r in fake.requests if r[0] == 'POST' and r[1] == '/cimi/machines']
    lookups = [r[2]['$filter'][0] for r in fake.requests if r[0] == 'GET' and '$filter' in r[2]]
    request_id = posts[0]['properties'][REQUEST_ID_PROPERTY]
    assert len(posts) == 2 and posts[1] == posts[0] and fake.creates == 1   # sent again with the same id
    assert lookups and set(lookups) == {"property['%s']='%s'" % (REQUEST_ID_PROPERTY, request_id)}


def test_create_without_name_is_recovered_by_its_request_id(fake, make_client):
    client = make_client(fake)
    client.add_href('machines')
    fake.add_fault('POST', '/cimi/machines', reset='after')
    outcome = client.create('machines', {'machineTemplate': {}})
    assert outcome.recovered and fake.creates == 1


def test_create_answered_after_the_timeout_is_adopted_not_duplicated(fake, make_client):
    """The provider commits the create but answers after the client gave up waiting."""
    client = make_client(fake, timeout=0.3)
    client.add_href('machines')
    fake.add_fault('POST', '/cimi/machines', late_answer=1.0)
    outcome = client.create('machines', {'name': 'web-5', 'properties': {'role': 'web'}})
    assert outcome.recovered and fake.creates == 1
    assert _methods(fake, '/cimi/machines').count('POST') == 1
    assert outcome.resource['properties']['role'] == 'web'


def test_late_create_is_told_apart_from_a_namesake(fake, make_client):
    """Another resource with the same name (made by someone else) is not mistaken for ours."""
    namesake = fake.add_machine('web-7')
    client = make_client(fake, timeout=0.3)
    client.add_href('machines')
    fake.add_fault('POST', '/cimi/machines', late_answer=1.0)
    outcome = client.create('machines', {'name': 'web-7'})
    assert outcome.recovered and outcome.url != namesake['id'] and fake.creates == 1


def test_provider_refusing_the_property_filter_is_scanned(fake, make_client):
    client = make_client(fake, timeout=0.3)
    client.add_href('machines')
    fake.add_machine('other')
    fake.add_fault('POST', '/cimi/machines', late_answer=1.0)
    fake.add_fault('GET', '/cimi/machines', status=400, body={'code': 400, 'message': 'bad $filter'})
    outcome = client.create('machines', {'name': 'web-6'})
    assert outcome.recovered and outcome.resource['name'] == 'web-6' and fake.creates == 1


def test_create_429_is_resent(fake, make_client, sleeps):
    client = make_client(fake)
    fake.add_fault('POST', '/cimi/machines', status=429, headers={'Retry-After': '2'})
    client.create('machines', {'name': 'web-4'})
    assert fake.creates == 1 and 2.0 in sleeps


def test_create_400_is_not_retried(fake, make_client):
    client = make_client(fake)
    fake.add_fault('POST', '/cimi/machines', status=400,
                   body={'id': '', 'state': 'FAILED', 'returnCode': 400, 'statusMessage': 'unknown attribute foo'})
    with pytest.raises(CimiHTTPError) as info:
        client.create('machines', {'name': 'x', 'foo': 1})
    assert 'unknown attribute foo' in str(info.value) and info.value.status == 400
    assert _methods(fake, '/cimi/machines').count('POST') == 1


def test_non_job_error_bodies(fake, make_client):
    client = make_client(fake)
    fake.add_fault('GET', '/cimi/machines/zz', status=404, body={'code': 404, 'message': 'Machine zz not found'})
    with pytest.raises(CimiNotFoundError) as info:
        client.get(fake.base + 'machines/zz')
    assert 'Machine zz not found' in str(info.value)
    fake.add_fault('GET', '/cimi/machines/zz', status=409, raw=b'conflict: machine busy')
    with pytest.raises(CimiHTTPError) as info:
        client.get(fake.base + 'machines/zz')
    assert 'conflict: machine busy' in str(info.value) and info.value.status == 409


def test_find_by_name_quotes_and_detects_ambiguity(fake, make_client):
    fake.add_machine("o'neil")
    fake.add_machine('dup')
    fake.add_machine('dup')
    client = make_client(fake)
    assert client.find_one('machines', "o'neil")['name'] == "o'neil"
    with pytest.raises(CimiLookupError) as info:
        client.find_one('machines', 'dup')
    assert 'ambiguous' in str(info.value)
    assert client.find_one('machines', 'nothing') is None


def test_paging_follows_count_and_detects_provider_page_cap():
    with FakeCimi(page_cap=2) as server:
        for i in range(5):
            server.add_machine('m%d' % i)
        client = CimiClient(server.cep_url, HttpTransport(timeout=2))
        pager = client.pager('machines', page_size=3)
        names = [m['name'] for m in pager]
        assert names == ['m0', 'm1', 'm2', 'm3', 'm4']
        assert pager.count == 5 and not pager.truncated and pager.pages == 3


def test_actions_update_delete_and_job_wait(fake, make_client):
    fake.add_machine('web', state='STOPPED', properties={'a': '1'})
    client = make_client(fake)
    machine = client.find_one('machines', 'web')
    with pytest.raises(CimiOperationUnavailable) as info:
        client.action(machine, 'stop')
    assert 'not available' in str(info.value) and 'STOPPED' in str(info.value)
    job_url = client.action(machine, 'start')
    job = client.wait_job(job_url, 5)
    assert job['state'] == 'SUCCESS'
    start_post = [r for r in fake.requests if r[0] == 'POST' and r[1].endswith('/start')][0]
    assert start_post[3] == {'resourceURI': 'http://schemas.dmtf.org/cimi/2/Action',
                             'action': 'http://schemas.dmtf.org/cimi/2/action/start'}
    updated, unused_job = client.update(machine, {'description': 'new'})
    assert updated['description'] == 'new' and updated['properties'] == {'a': '1'}
    put = [r for r in fake.requests if r[0] == 'PUT'][0]
    assert put[2] == {'$select': ['description']} and put[3] == {'description': 'new'}
    job_url = client.delete(machine)
    client.wait_job(job_url, 5)
    assert client.get_optional(machine['id']) is None


def test_failed_job_carries_status_message(fake, make_client):
    job = fake.add_job(fake.base + 'machines/m9', 'add', state='FAILED', message='image not found')
    client = make_client(fake)
    with pytest.raises(CimiJobFailed) as info:
        client.wait_job(job['id'], 5, what='creating machine')
    assert 'image not found' in str(info.value) and info.value.job_message == 'image not found'


def test_cimi1_provider_uri_delete_rel_and_namespace():
    with FakeCimi(version=1) as server:
        server.add_machine('old')
        client = CimiClient(server.cep_url, HttpTransport(timeout=2))
        assert client.collection_url('machineConfigs') == server.base + 'machineConfigs'
        machine = client.find_one('machines', 'old')
        assert machine['resourceURI'].startswith('http://schemas.dmtf.org/cimi/1/')
        client.delete(machine)
        assert client.get_optional(machine['id']) is None


def test_credentials_never_leave_the_endpoints_origin(fake, make_client):
    """An href on another host (a hostile or misconfigured provider, or a user's id) is refused
    before any request: the credentials are for the endpoint only."""
    client = make_client(fake, username='ops', password='pw-canary-31f')
    assert client.cep['baseURI'] == fake.base
    with FakeCimi() as elsewhere:
        for url in (elsewhere.base + 'machines/1', fake.base.replace('http:', 'https:') + 'machines/1'):
            with pytest.raises(CimiProtocolError) as info:
                client.get_optional(url)
            assert "not on the endpoint's host" in str(info.value) and 'pw-canary-31f' not in str(info.value)
        assert elsewhere.requests == []
    assert fake.requests and all(r[1].startswith('/cimi/') for r in fake.requests)


def test_same_origin_spelled_differently_is_the_same():
    assert url_origin('https://Cimi.Example.com/cimi/') == url_origin('https://cimi.example.com:443/x')
    assert url_origin('http://h/x') == ('http', 'h', 80)
    assert url_origin('http://h:8780/x') != url_origin('https://h:8780/x')


def test_connection_refused_says_attempts_and_reason(make_client, sleeps):
    with FakeCimi() as server:
        url = server.cep_url
    client = make_client(server, retries=3)
    with pytest.raises(CimiConnectionError) as info:
        client.cep
    message = str(info.value)
    assert 'cannot reach the CIMI endpoint %s after 4 attempts over' % url in message
    assert message.rstrip().endswith('connection refused (GET %s)' % url)
    assert 'urllib3' not in message and 'NewConnectionError' not in message
    assert len(sleeps) == 3


def test_hung_endpoint_says_attempts_and_timeout(fake, make_client):
    for unused in range(2):
        fake.add_fault('GET', '/cimi/cloudEntryPoint', sleep=0.6)
    client = make_client(fake, timeout=0.3, retries=1)
    with pytest.raises(CimiConnectionError) as info:
        client.cep
    assert 'after 2 attempts over' in str(info.value)
    assert 'no answer within 0.3s (timeout option)' in str(info.value)


def test_401_says_which_credentials_to_set(fake, make_client):
    fake.add_fault('GET', '/cimi/cloudEntryPoint', status=401, raw=b'')
    with pytest.raises(CimiHTTPError) as info:
        make_client(fake).cep
    assert info.value.status == 401
    assert 'set CIMI_TOKEN, or username and password' in str(info.value)
