"""Cursors are opaque but checked; the policy admits roles and narrows lists to one's own."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest

from infra.auth import Principal, Role
from infra.http_conventions import ApiError
from services.gateway.policy import POLICY, Access, Authorizer
from services.gateway.readmodel import tables as t
from services.gateway.readmodel.paging import InvalidCursor, decode_cursor, encode_cursor

WHEN = datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_a_cursor_comes_back_as_it_went_out() -> None:
    ident = uuid.uuid4()
    assert decode_cursor(encode_cursor(WHEN, ident), t.jobs.c.job_id) == (WHEN, ident)
    assert decode_cursor(encode_cursor(WHEN, "acme"), t.sources.c.source) == (WHEN, "acme")


def forged(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize("cursor", [
    "", "%%%", forged(["not a time", str(uuid.uuid4())]), forged([WHEN.isoformat(), "x"]),
    forged(["2026-05-01T12:00:00", str(uuid.uuid4())]), forged({"a": 1}),
    forged([WHEN.isoformat(), 5]),
])
def test_forged_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, t.jobs.c.job_id)


def test_a_cursor_with_text_postgres_cannot_store_is_refused() -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(forged([WHEN.isoformat(), "a\x00b"]), t.sources.c.source)


async def test_a_role_outside_the_rule_is_forbidden() -> None:
    caller = Principal(uuid.uuid4(), Role.OPERATOR)

    async def principal() -> Principal:
        return caller

    check = Authorizer(principal)("resumes.content")
    with pytest.raises(ApiError) as refused:
        await check(caller)
    assert (refused.value.status, refused.value.code) == (403, "ERR_FORBIDDEN")
    access = await Authorizer(principal)("jobs.list")(caller)
    assert access.own_candidate() is None


def test_candidates_and_reviewers_see_lists_of_their_own_only() -> None:
    me = uuid.uuid4()
    candidate = Access(Principal(me, Role.CANDIDATE), "matches.list", POLICY["matches.list"])
    assert candidate.own_candidate() == me
    reviewer = Access(Principal(me, Role.REVIEWER), "tasks.list", POLICY["tasks.list"])
    assert (reviewer.own_reviewer(), reviewer.own_candidate()) == (me, None)
    admin = Access(Principal(me, Role.ADMIN), "tasks.list", POLICY["tasks.list"])
    assert admin.own_reviewer() is None


def test_only_admins_change_config_or_unlock_and_operators_never_read_resumes() -> None:
    assert POLICY["config.put"].roles == {Role.ADMIN}
    assert POLICY["reviewers.unlock"].roles == {Role.ADMIN}
    assert Role.OPERATOR not in POLICY["resumes.content"].roles
