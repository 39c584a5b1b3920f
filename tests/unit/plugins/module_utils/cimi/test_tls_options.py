# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS options reach every request, whatever the CA-bundle environment variables say."""

from __future__ import annotations

import pytest

from ansible_collections.cloudmgmt.dmtf.plugins.module_utils.cimi.http import HttpTransport


class _Stop(Exception):
    pass


def _verify_sent(monkeypatch, **options):
    transport = HttpTransport(**options)
    seen = {}

    def request(method, url, **kwargs):
        seen.update(kwargs)
        raise _Stop()

    monkeypatch.setattr(transport.session, 'request', request)
    with pytest.raises(_Stop):
        transport.request('GET', 'https://127.0.0.1:1/cimi/cloudEntryPoint')
    return seen['verify']


@pytest.fixture(autouse=True)
def env_bundle(monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    monkeypatch.setenv('CURL_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')


def test_ca_path_wins_over_the_environment_bundle(monkeypatch):
    assert _verify_sent(monkeypatch, ca_path='/srv/pki/cimi-ca.pem') == '/srv/pki/cimi-ca.pem'


def test_validate_certs_false_disables_verification(monkeypatch):
    assert _verify_sent(monkeypatch, validate_certs=False, ca_path='/srv/pki/cimi-ca.pem') is False


def test_default_verifies(monkeypatch):
    assert _verify_sent(monkeypatch) is True
