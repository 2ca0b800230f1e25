"""Access tokens: what verifies, and every way a token can be wrong."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from infra.auth import (
    Principal,
    Role,
    TokenIssuer,
    TokenVerifier,
    mint_access_token,
    principal_dependency,
    require_roles,
)
from infra.clock import FakeClock
from infra.http_conventions import ERR_AUTH_REQUIRED, ApiError, install_api_conventions

SECRET = SecretStr("unit-test-secret-0123456789abcdef")
USER = uuid.UUID("00000000-0000-4000-8000-000000000001")


def _claims(**overrides: object) -> dict[str, object]:
    now = int(FakeClock().now().timestamp())
    return {"iss": "jams", "sub": str(USER), "role": "reviewer", "typ": "access",
            "iat": now, "exp": now + 900, **overrides}


def _refused(verifier: TokenVerifier, token: str) -> ApiError:
    with pytest.raises(ApiError) as refused:
        verifier.verify(token)
    assert (refused.value.status, refused.value.code) == (401, ERR_AUTH_REQUIRED)
    return refused.value


def test_a_minted_token_verifies_to_its_principal(fake_clock: FakeClock) -> None:
    token = mint_access_token(SECRET, USER, Role.SUPERVISOR, clock=fake_clock)
    principal = TokenVerifier(SECRET, clock=fake_clock).verify(token)
    assert principal == Principal(USER, Role.SUPERVISOR)
    assert principal.owns(USER) and not principal.owns(uuid.uuid4()) and not principal.owns(None)


def test_a_tampered_token_is_refused(fake_clock: FakeClock) -> None:
    token = mint_access_token(SECRET, USER, Role.REVIEWER, clock=fake_clock)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"  # promote oneself, keep the old signature
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    verifier = TokenVerifier(SECRET, clock=fake_clock)
    _refused(verifier, f"{header}.{forged}.{signature}")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    _refused(verifier, f"{header}.{payload}.{flipped}")
    _refused(verifier, token.replace(".", "", 1))
    _refused(verifier, "")
    _refused(verifier, "not a token")


def test_a_token_signed_with_another_key_is_refused(fake_clock: FakeClock) -> None:
    other = mint_access_token(SecretStr("some-other-secret-0123456789abcdef"), USER, Role.ADMIN,
                              clock=fake_clock)
    _refused(TokenVerifier(SECRET, clock=fake_clock), other)


def test_an_expired_token_is_refused_after_the_leeway(fake_clock: FakeClock) -> None:
    token = TokenIssuer(SECRET, ttl_s=60, clock=fake_clock).issue(Principal(USER, Role.ADMIN))[0]
    verifier = TokenVerifier(SECRET, leeway_s=5, clock=fake_clock)
    fake_clock._now += timedelta(seconds=64)
    assert verifier.verify(token).role is Role.ADMIN  # within the leeway
    fake_clock._now += timedelta(seconds=2)
    assert "expired" in _refused(verifier, token).message


def test_a_token_from_the_future_is_refused(fake_clock: FakeClock) -> None:
    later = int((fake_clock.now() + timedelta(hours=1)).timestamp())
    token = jwt.encode(_claims(iat=later, exp=later + 900), SECRET.get_secret_value(),
                       algorithm="HS256")
    _refused(TokenVerifier(SECRET, clock=fake_clock), token)


@pytest.mark.parametrize("claims", [
    _claims(iss="someone-else"),
    _claims(iss=None),
    _claims(role="emperor"),
    _claims(role=None),
    _claims(sub="not-a-uuid"),
    _claims(typ="refresh"),
    {k: v for k, v in _claims().items() if k != "exp"},
    {k: v for k, v in _claims().items() if k != "sub"},
])
def test_wrong_or_missing_claims_are_refused(claims: dict[str, object],
                                             fake_clock: FakeClock) -> None:
    clean = {k: v for k, v in claims.items() if v is not None}
    token = jwt.encode(clean, SECRET.get_secret_value(), algorithm="HS256")
    _refused(TokenVerifier(SECRET, clock=fake_clock), token)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_alg_none_and_other_algorithms_are_refused(fake_clock: FakeClock) -> None:
    verifier = TokenVerifier(SECRET, clock=fake_clock)
    unsigned = jwt.encode(_claims(role="admin"), "", algorithm="none")
    _refused(verifier, unsigned)
    hs512 = jwt.encode(_claims(), SECRET.get_secret_value(), algorithm="HS512")
    _refused(verifier, hs512)


def test_a_short_or_missing_secret_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="JAMS_JWT_SECRET"):
        TokenVerifier(SecretStr(""))
    with pytest.raises(ValueError):
        TokenIssuer(SecretStr("short"))


def _app(verifier: TokenVerifier) -> TestClient:
    app = FastAPI()
    install_api_conventions(app)
    principal = principal_dependency(verifier)

    @app.get("/who")
    async def who(caller: Principal = Depends(principal)) -> dict[str, str]:
        return {"user_id": str(caller.user_id), "role": str(caller.role)}

    @app.get("/admin-only")
    async def admin_only(
        caller: Principal = Depends(require_roles(Role.ADMIN, principal=principal)),
    ) -> dict[str, str]:
        return {"role": str(caller.role)}

    return TestClient(app)


@pytest.mark.parametrize("role, status", [
    (Role.ADMIN, 200), (Role.OPERATOR, 403), (Role.SUPERVISOR, 403), (Role.REVIEWER, 403),
    (Role.CANDIDATE, 403),
])
def test_roles_are_enforced(role: Role, status: int) -> None:
    client = _app(TokenVerifier(SECRET))
    token = mint_access_token(SECRET, USER, role)
    response = client.get("/admin-only", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status
    if status == 403:
        assert response.json()["error"]["code"] == "ERR_FORBIDDEN"


def test_bearer_header_or_cookie_authenticate_nothing_else_does() -> None:
    client = _app(TokenVerifier(SECRET))
    token = mint_access_token(SECRET, USER, Role.CANDIDATE)
    assert client.get("/who", headers={"Authorization": f"Bearer {token}"}).json() == {
        "user_id": str(USER), "role": "candidate"}
    assert client.get("/who", headers={"Cookie": f"jams_access={token}"}).status_code == 200
    for headers in ({}, {"Authorization": f"Basic {token}"}, {"Authorization": "Bearer "},
                    {"Cookie": f"other={token}"}):
        response = client.get("/who", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "ERR_AUTH_REQUIRED"
    anonymous = client.get("/admin-only")
    assert anonymous.status_code == 401
