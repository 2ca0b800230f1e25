"""Tampering with accounts: tokens forged or altered, roles asked for in bodies, a role change
by anyone but an admin. Each is refused and changes nothing."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import jwt
import pytest

from infra.auth import Role, mint_access_token
from tests.integration.test_gateway_auth import (
    ADMIN_ID,
    PASSWORD,
    SECRET,
    Api,
    api_for,
    bearer,
    error_of,
)

pytestmark = pytest.mark.integration


def _segment(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged_tokens(user_id: uuid.UUID) -> dict[str, str]:
    """Admin tokens nobody issued: unsigned, signed with another key, a claim changed."""
    genuine = mint_access_token(SECRET, user_id, Role.CANDIDATE)
    header, _, signature = genuine.split(".")
    # The genuine token's claims (a good login and id), the role raised.
    claims = {**jwt.decode(genuine, options={"verify_signature": False}), "role": "admin"}
    return {
        "alg none": f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(claims)}.",
        "another key": jwt.encode(claims, "not the gateway's key at all, 32+", algorithm="HS256"),
        "role raised": f"{header}.{_segment(claims)}.{signature}",
    }


async def test_forged_and_altered_tokens_are_refused(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with api_for(database_url, redis_url, tmp_path) as api:
        user = (await api.http.post("/api/v1/auth/register", json={
            "email": "cand@example.test", "password": PASSWORD})).json()
        for name, token in forged_tokens(uuid.UUID(user["user_id"])).items():
            answer = await api.http.get("/api/v1/users", headers=bearer(token))
            assert answer.status_code == 401, name


async def staff_token(api: Api, role: Role) -> tuple[uuid.UUID, str]:
    user_id = uuid.uuid4()
    email = f"{role}-{user_id.hex[:6]}@example.test"
    await api.auth.accounts.create_staff("test", email, PASSWORD, role, user_id)
    return user_id, (await api.tokens(email))["access_token"]


async def test_no_body_grants_a_role_and_only_an_admin_changes_one(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with api_for(database_url, redis_url, tmp_path) as api:
        chosen = uuid.uuid4()
        made = await api.http.post("/api/v1/auth/register", json={
            "email": "eve@example.test", "password": PASSWORD, "role": "admin",
            "user_id": str(chosen), "disabled": False})
        assert made.status_code == 201, made.text
        assert made.json()["role"] == "candidate" and made.json()["user_id"] != str(chosen)
        eve = (await api.tokens("eve@example.test"))["access_token"]
        reviewer_id, reviewer = await staff_token(api, Role.REVIEWER)
        _, supervisor = await staff_token(api, Role.SUPERVISOR)
        for caller, target in ((eve, made.json()["user_id"]), (reviewer, reviewer_id),
                               (supervisor, reviewer_id), (reviewer, ADMIN_ID)):
            error_of(await api.http.patch(f"/api/v1/users/{target}", headers=bearer(caller),
                                          json={"role": "admin"}), 403, "ERR_FORBIDDEN")
        # An admin's change touches only what the route allows.
        admin = (await api.tokens("admin@example.test"))["access_token"]
        changed = await api.http.patch(f"/api/v1/users/{reviewer_id}", headers=bearer(admin),
                                       json={"role": "supervisor", "email": "x@example.test",
                                             "password_hash": "x", "user_id": str(ADMIN_ID)})
        assert changed.status_code == 200, changed.text
        assert changed.json()["user_id"] == str(reviewer_id)
        assert changed.json()["email"].startswith("reviewer-")
        assert (await api.http.get("/api/v1/auth/me", headers=bearer(admin))).json()["role"] \
            == "admin"
        (entry,) = await api.audit("user.role_changed")
        assert entry["details"]["from"] == "reviewer" and entry["details"]["to"] == "supervisor"
