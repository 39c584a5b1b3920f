"""A client over its failed-login limit learns nothing from its guesses: a right password (even
one another client logged in with) and a right token get the same 429 as a wrong one; a user name
locked out by guessers still lets in the clients that logged in with it before."""
from __future__ import annotations

from test_auth_limits import TOKEN, client, get, limited  # noqa: F401 - limited: a fixture


def test_limited_client_cannot_tell_right_from_wrong(limited):
    owner, guesser = client("127.0.0.1"), client("127.0.0.3")
    assert get(owner, limited, "alice", "alice-pw").status_code == 200  # verified and cached
    for _ in range(3):
        assert get(guesser, limited, "alice", "guess").status_code == 401
    answers = {pw: get(guesser, limited, "alice", pw) for pw in ("guess2", "alice-pw")}
    assert {pw: r.status_code for pw, r in answers.items()} == {"guess2": 429, "alice-pw": 429}
    tokens = {t: guesser.get(limited.cep_url, headers={"Authorization": f"Bearer {t}"},
                             timeout=30).status_code for t in ("nope", TOKEN)}
    assert tokens == {"nope": 429, TOKEN: 429}
    # the name is locked everywhere, but the owner's cached login from its own address still works
    assert get(client("127.0.0.4"), limited, "alice", "alice-pw").status_code == 429
    assert get(owner, limited, "alice", "alice-pw").status_code == 200
