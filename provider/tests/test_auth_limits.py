"""Failed logins cannot stall the provider: PBKDF2 runs off the event loop, failures are limited
per client address and per user name, and an unknown user costs the same hash as a known one."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import statistics
import threading
import time

import pytest
import requests
from requests.adapters import HTTPAdapter

from cimi_provider.errors import TooManyRequests, Unauthorized
from cimi_provider.http import auth as auth_mod
from cimi_provider.http.auth import Authenticator, FailureLimiter, hash_password
from server import ProviderProcess

TOKEN = "latency-token-0123456789"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class SourceAddressAdapter(HTTPAdapter):
    """Connect from another loopback address: a second client, as the provider sees it."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client(source: str = "127.0.0.1") -> requests.Session:
    http = requests.Session()
    http.mount("http://", SourceAddressAdapter(source))
    return http


# -- unit: hashing cost and the caches ---------------------------------------------------------
def counting_pbkdf2(monkeypatch) -> list:
    calls, real = [], hashlib.pbkdf2_hmac

    def pbkdf2(name, password, salt, iterations, *rest):
        calls.append(iterations)
        return real(name, password, salt, iterations, *rest)
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", pbkdf2)
    return calls


def test_unknown_user_costs_the_same_hash_as_a_known_one(monkeypatch):
    auth = Authenticator({"alice": (hash_password("right", iterations=1500), "user"),
                          "bob": (hash_password("right", iterations=1200), "user")})
    calls = counting_pbkdf2(monkeypatch)
    for name in ("alice", "nobody"):
        with pytest.raises(Unauthorized):
            asyncio.run(auth.authenticate(basic(name, "wrong"), "127.0.0.1"))
    assert calls == [1500, 1500]  # the unknown name ran the dearest real hash too
    auth.close()


def test_success_cache_is_bounded_and_never_matches_a_wrong_password(monkeypatch):
    monkeypatch.setattr(auth_mod, "SUCCESS_CACHE_ENTRIES", 3)
    users = {f"u{i}": (hash_password("pw", iterations=1000), "user") for i in range(6)}
    auth = Authenticator(users, max_failures=100)
    for name in users:
        assert asyncio.run(auth.authenticate(basic(name, "pw"))).name == name
    assert len(auth._cache) == 3
    calls = counting_pbkdf2(monkeypatch)
    assert asyncio.run(auth.authenticate(basic("u5", "pw"))).name == "u5"
    assert calls == []  # a cache hit: no hash
    with pytest.raises(Unauthorized):
        asyncio.run(auth.authenticate(basic("u5", "pw-wrong")))
    assert calls == [1000]
    auth.close()


def test_failure_limiter_window_and_bound():
    limiter = FailureLimiter(max_failures=2, window=10.0, max_keys=3)
    limiter.add("a", 0.0)
    assert limiter.retry_after("a", 1.0) is None
    limiter.add("a", 1.0)
    assert limiter.retry_after("a", 4.0) == pytest.approx(6.0)
    assert limiter.retry_after("a", 10.0) is None  # the window is over
    for key in "bcdef":
        limiter.add(key, 11.0)
    assert len(limiter.entries) == 3


def test_limit_counts_attempts_in_flight():
    """Parallel bad logins cannot all slip under the limit while their hashes run."""
    auth = Authenticator({"alice": (hash_password("right", iterations=20000), "user")},
                         max_failures=3)

    async def attempts():
        return await asyncio.gather(*(auth.authenticate(basic("alice", f"x{i}"), "10.0.0.1")
                                      for i in range(10)), return_exceptions=True)
    outcomes = asyncio.run(attempts())
    assert sum(isinstance(o, Unauthorized) for o in outcomes) == 3
    assert sum(isinstance(o, TooManyRequests) for o in outcomes) == 7
    auth.close()


# -- over HTTP --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def costly(tmp_path_factory):
    """Real PBKDF2 cost (the default iterations) and a limit high enough never to trigger."""
    tmp = tmp_path_factory.mktemp("costly")
    users = tmp / "users.json"
    users.write_text(json.dumps({"users": {"alice": {"password_hash": hash_password("wonderland")}}}))
    with ProviderProcess(tmp / "cimi.db", "--users", str(users), "--auth-max-failures", "100000",
                         env={"CIMI_PROVIDER_TOKENS": f"ci:{TOKEN}"}) as prov:
        yield prov


def timed_gets(prov, count: int) -> float:
    http = client()
    durations = []
    for _ in range(count):
        start = time.monotonic()
        for headers in ({"Authorization": f"Bearer {TOKEN}"},
                        {"Authorization": basic("alice", "wonderland")}):
            assert http.get(prov.cep_url, headers=headers, timeout=60).status_code == 200
        durations.append(time.monotonic() - start)
    return statistics.median(durations)


def test_bad_logins_do_not_stall_valid_requests(costly):
    timed_gets(costly, 3)  # warm: alice's password is now verified and cached
    baseline = timed_gets(costly, 20)
    stop = threading.Event()

    def attack(n: int):
        http = client()
        while not stop.is_set():
            r = http.get(costly.cep_url, headers={"Authorization": basic("alice", f"bad{n}")},
                         timeout=120)
            assert r.status_code == 401
    threads = [threading.Thread(target=attack, args=(n,), daemon=True) for n in range(50)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)  # every attacker has a login queued
        loaded = timed_gets(costly, 20)
    finally:
        stop.set()
        for thread in threads:
            thread.join(120)
    assert loaded < baseline * 5 + 0.1, (baseline, loaded)


@pytest.fixture
def limited(tmp_path):
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": {
        name: {"password_hash": hash_password(name + "-pw", iterations=1000), "role": "user"}
        for name in ("alice", "bob", "carol")}}))
    with ProviderProcess(tmp_path / "cimi.db", "--users", str(users), "--auth-max-failures", "3",
                         "--auth-failure-window", "3",
                         env={"CIMI_PROVIDER_TOKENS": f"ci:{TOKEN}"}) as prov:
        yield prov


def get(http, prov, user, password):
    return http.get(prov.cep_url, headers={"Authorization": basic(user, password)}, timeout=30)


def test_failed_logins_are_limited_per_client_and_user(limited):
    first, second = client("127.0.0.1"), client("127.0.0.2")
    assert get(first, limited, "alice", "alice-pw").status_code == 200  # verified and cached
    for _ in range(3):
        assert get(first, limited, "mallory", "guess").status_code == 401
    refused = get(first, limited, "bob", "bob-pw")  # this client is over its limit
    assert refused.status_code == 429 and refused.json()["returnCode"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 3
    assert "bob-pw" not in refused.text
    bad_token = first.get(limited.cep_url, headers={"Authorization": "Bearer nope"}, timeout=30)
    assert bad_token.status_code == 429
    # another client: unaffected, but the user name mallory is over its limit everywhere
    assert get(second, limited, "bob", "bob-pw").status_code == 200
    assert get(second, limited, "mallory", "guess").status_code == 429
    assert get(second, limited, "carol", "wrong").status_code == 401
    time.sleep(3.2)  # the window is over
    assert get(first, limited, "bob", "bob-pw").status_code == 200
    assert get(second, limited, "mallory", "guess").status_code == 401
