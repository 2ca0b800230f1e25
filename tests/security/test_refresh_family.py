"""A login does not live forever: however often it is refreshed, its refresh-token family
ends a set time after the password was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_gateway_auth import api_for, bearer, error_of

pytestmark = pytest.mark.integration

HOUR_S = 3600


async def test_refreshing_past_the_familys_longest_life_fails_and_ends_the_login(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with api_for(database_url, redis_url, tmp_path,
                       refresh_family_max_age_s=HOUR_S) as api:
        tokens = await api.tokens("admin@example.test")
        # Refreshed well within the refresh token's own lifetime, again and again.
        for _ in range(5):
            api.clock.advance(10 * 60)
            answer = await api.refresh(tokens["refresh_token"])
            assert answer.status_code == 200, answer.text
            tokens = answer.json()
        api.clock.advance(11 * 60)  # 61 minutes after the login
        error_of(await api.refresh(tokens["refresh_token"]), 401, "ERR_AUTH_REQUIRED")
        ended = await api.audit("refresh_token.family_ended")
        assert len(ended) == 1 and ended[0]["details"]["tokens_revoked"] >= 1
        # The login is over: its last access token (issued 11 minutes ago) is refused too,
        # and presenting the refresh token again changes nothing.
        me = await api.http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 401
        error_of(await api.refresh(tokens["refresh_token"]), 401, "ERR_AUTH_REQUIRED")
        # A new login starts a new family with a full life.
        fresh = await api.tokens("admin@example.test")
        api.clock.advance(50 * 60)
        assert (await api.refresh(fresh["refresh_token"])).status_code == 200


async def test_a_refresh_token_never_outlives_its_family(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with api_for(database_url, redis_url, tmp_path, refresh_token_ttl_s=2 * HOUR_S,
                       refresh_family_max_age_s=HOUR_S) as api:
        tokens = await api.tokens("admin@example.test")
        api.clock.advance(HOUR_S + 1)
        error_of(await api.refresh(tokens["refresh_token"]), 401, "ERR_AUTH_REQUIRED")
