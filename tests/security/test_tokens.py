"""Access tokens: each has its own id and names its login; revocations refuse the right ones."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from infra.auth import Principal, Role, TokenIssuer, TokenVerifier
from infra.clock import FakeClock
from infra.http_conventions import ApiError
from infra.revocation import Revocation, RevocationList

SECRET = SecretStr("security-tokens-secret-0123456789")
TTL = timedelta(minutes=15)


def test_every_access_token_has_its_own_id_and_names_its_login() -> None:
    issuer = TokenIssuer(SECRET)
    login = uuid.uuid4()
    principal = Principal(uuid.uuid4(), Role.REVIEWER)
    claims = [jwt.decode(issuer.issue(principal, login)[0], options={"verify_signature": False})
              for _ in range(2)]
    assert claims[0]["jti"] != claims[1]["jti"]
    assert {c["sid"] for c in claims} == {login.hex}


def test_revocations_refuse_a_login_or_every_earlier_token_of_a_user() -> None:
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    revoked = RevocationList(clock)
    verifier = TokenVerifier(SECRET, clock=clock, revoked=revoked)
    issuer = TokenIssuer(SECRET, clock=clock)
    alice, bob = (Principal(uuid.uuid4(), Role.REVIEWER) for _ in range(2))
    one, other = uuid.uuid4(), uuid.uuid4()
    alice_one, alice_other = issuer.issue(alice, one)[0], issuer.issue(alice, other)[0]
    bob_token = issuer.issue(bob, uuid.uuid4())[0]
    for token in (alice_one, alice_other, bob_token):  # verified once: now cached
        verifier.verify(token)

    revoked.add(Revocation.of_session(alice.user_id, one.hex, clock.now(), TTL))
    with pytest.raises(ApiError):
        verifier.verify(alice_one)
    assert verifier.verify(alice_other) == alice

    clock.advance(1)
    revoked.add(Revocation.of_user(alice.user_id, clock.now(), TTL))
    with pytest.raises(ApiError):
        verifier.verify(alice_other)
    assert verifier.verify(bob_token) == bob
    # A token issued after the revocation (the new login of a password change) is good.
    assert verifier.verify(issuer.issue(alice, uuid.uuid4())[0]) == alice
