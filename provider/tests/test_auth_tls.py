"""Authentication (Basic, Bearer, roles), refusal to listen beyond loopback without it, TLS."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from cimi_provider.http.auth import (Authenticator, ConfigError, default_token_name,
                                     hash_password)
from server import ProviderProcess
from tls_support import make_cert

TOKEN = "t0ken-for-tests-0123456789"


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("auth")
    users = tmp / "users.json"
    users.write_text(json.dumps({"users": {
        "alice": {"password_hash": hash_password("wonderland", iterations=1000)},
        "bob": {"password_hash": hash_password("builder", iterations=1000), "role": "reader"}}}))
    tokens = tmp / "tokens"
    tokens.write_text(f"# test tokens\n{TOKEN}\n")
    with ProviderProcess(tmp / "cimi.db", "--users", str(users), "--token-file", str(tokens),
                         env={"CIMI_PROVIDER_TOKENS": "env-token-abc"}) as prov:
        yield prov


def test_credentials_required(secured):
    r = requests.get(secured.cep_url)
    assert r.status_code == 401 and "Basic" in r.headers["WWW-Authenticate"]
    assert r.json()["state"] == "FAILED" and r.json()["returnCode"] == 401
    assert requests.get(secured.cep_url, auth=("alice", "wrong")).status_code == 401
    assert requests.get(secured.cep_url, auth=("nobody", "x")).status_code == 401
    assert requests.get(secured.cep_url, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert requests.get(secured.cep_url, headers={"Authorization": "Basic !!!"}).status_code == 401
    assert requests.get(secured.base + "openapi.json").status_code == 401


def test_basic_and_bearer(secured):
    assert requests.get(secured.cep_url, auth=("alice", "wonderland")).status_code == 200
    for token in (TOKEN, "env-token-abc"):
        r = requests.get(secured.cep_url, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
    r = requests.post(secured.base + "machineConfigs", auth=("alice", "wonderland"),
                      json={"name": "c", "cpu": 1, "memory": 1})
    assert r.status_code == 201


def test_reader_role_is_forbidden_to_write(secured):
    assert requests.get(secured.cep_url, auth=("bob", "builder")).status_code == 200
    r = requests.post(secured.base + "machineConfigs", auth=("bob", "builder"),
                      json={"name": "c", "cpu": 1, "memory": 1})
    assert r.status_code == 403 and r.json()["returnCode"] == 403


def test_refuses_non_loopback_without_auth(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cimi_provider.cli", "serve", "--db",
                           str(tmp_path / "x.db"), "--listen", "0.0.0.0:0"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "authentication" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_users_file(tmp_path):
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": {"x": {"password": "plain"}}}))
    proc = subprocess.run([sys.executable, "-m", "cimi_provider.cli", "serve", "--db",
                           str(tmp_path / "x.db"), "--listen", "127.0.0.1:0", "--users",
                           str(users)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "password_hash" in proc.stderr and "Traceback" not in proc.stderr




def test_tls(tmp_path):
    cert, key = make_cert(tmp_path)
    with ProviderProcess(tmp_path / "tls.db", "--tls-cert", str(cert), "--tls-key", str(key),
                         scheme="https") as prov:
        r = requests.get(prov.cep_url, verify=str(cert))
        assert r.status_code == 200 and r.json()["baseURI"].startswith("https://127.0.0.1:")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(prov.cep_url)  # not trusted by default


def test_token_files_names_and_comments(tmp_path):
    text = tmp_path / "tokens"
    text.write_text("# a comment line\n   # indented comment\n"
                    "ci:tok#en#1 user  # trailing comment\n"
                    "bare#token\n"
                    "other-bare reader\n")
    auth = Authenticator.from_files(None, str(text), "deploy:env-secret,env-bare")
    assert auth.tokens == {
        "tok#en#1": ("ci", "user"), "bare#token": (default_token_name("bare#token"), "admin"),
        "other-bare": (default_token_name("other-bare"), "reader"),
        "env-secret": ("deploy", "admin"), "env-bare": (default_token_name("env-bare"), "admin")}
    assert default_token_name("bare#token").startswith("token-")
    assert "bare" not in default_token_name("bare#token")
    yml = tmp_path / "tokens.yml"
    yml.write_text("tokens:\n  ci: {token: 'a#b c', role: user}\n  ops: {token: xyz}\n")
    assert Authenticator.from_files(None, str(yml), None).tokens == {
        "a#b c": ("ci", "user"), "xyz": ("ops", "admin")}
    for bad, message in (("a:x\na:y\n", "used twice"), ("a:x\nb:x\n", "the same as"),
                         ("t superuser\n", "role must be"), ("a b c\n", "name:token")):
        text.write_text(bad)
        with pytest.raises(ConfigError, match=message):
            Authenticator.from_files(None, str(text), None)
    auth.close()
