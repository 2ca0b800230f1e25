"""Shared links' rules: signed tokens, expiry and revocation, the fields a viewer is shown."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from services.recruiting.settings import RecruitingSettings
from services.recruiting.shared_links import (
    DEFAULT_HIDDEN,
    HIDEABLE_FIELDS,
    PERSONAL_FIELDS,
    BadToken,
    LinkState,
    expiry,
    hidden_fields,
    link_key,
    shown,
    sign,
    state,
    verify,
)

KEY = link_key("a secret of the shared links, long enough")
LINK = uuid.UUID("0b1c6a0e-2f58-4a52-9f39-1d5a4cc0b001")
NOW = datetime(2026, 3, 1, 12, 0, 0, 500_000, tzinfo=UTC)


def test_a_token_names_its_link_and_expiry() -> None:
    ends = expiry(NOW, 3600)
    assert ends == datetime(2026, 3, 1, 13, 0, 0, tzinfo=UTC)
    token = sign(KEY, LINK, ends)
    assert verify(KEY, token).link_id == LINK
    assert verify(KEY, token).expires_at == ends
    assert token.isascii() and "/" not in token and "+" not in token  # fits in a path


def _flip(token: str, at: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[at] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


@pytest.mark.parametrize("at", [0, 15, 16, 23, 24, 55])  # id, expiry, signature
def test_any_altered_byte_is_refused(at: int) -> None:
    token = sign(KEY, LINK, expiry(NOW, 60))
    with pytest.raises(BadToken):
        verify(KEY, _flip(token, at))


def test_another_key_a_cut_token_or_garbage_is_refused() -> None:
    token = sign(KEY, LINK, expiry(NOW, 60))
    for bad in (token[:-2], token + "AA", "", "not a token", "\u00e9" * 75, "A" * 5000):
        with pytest.raises(BadToken):
            verify(KEY, bad)
    with pytest.raises(BadToken):
        verify(link_key("another secret, as long as the first"), token)


def test_the_key_is_not_the_secret_itself() -> None:
    assert b"a secret" not in KEY and len(KEY) == 32


def test_a_link_is_live_until_it_expires_or_is_revoked() -> None:
    ends = expiry(NOW, 60)
    assert state(ends, None, ends - timedelta(microseconds=1)) is LinkState.LIVE
    assert state(ends, None, ends) is LinkState.EXPIRED
    assert state(ends, NOW, NOW) is LinkState.REVOKED
    assert state(ends, NOW, ends + timedelta(days=1)) is LinkState.REVOKED


def test_personal_fields_are_hidden_unless_the_company_chooses_otherwise() -> None:
    assert hidden_fields(None) == list(DEFAULT_HIDDEN) == list(PERSONAL_FIELDS)
    assert hidden_fields([]) == []
    assert hidden_fields(["explanation", "email", "email"]) == ["email", "explanation"]
    with pytest.raises(ValueError, match="score"):
        hidden_fields(["score", "email"])
    assert set(PERSONAL_FIELDS) <= set(HIDEABLE_FIELDS)


def test_a_hidden_field_is_left_out_not_blanked() -> None:
    profile = {"name": "Ann Lee", "email": "ann@example.com", "phone": None, "score": 88.0,
               "explanation": ["Led the Springfield team"]}
    view = shown(profile, ["name", "phone", "explanation"])
    assert view == {"email": "ann@example.com", "score": 88.0}


def test_links_are_signed_with_their_own_secret_else_one_derived_from_the_jwt_secret(
        tmp_path: Path) -> None:
    jwt = SecretStr("the JWT secret of the service, 0123456789")
    derived = RecruitingSettings(jwt_secret=jwt, data_dir=tmp_path).shared_link_key()
    own = RecruitingSettings(jwt_secret=jwt, data_dir=tmp_path,
                             shared_link_secret=SecretStr("links' own secret, 0123")
                             ).shared_link_key()
    assert derived != own and len(derived) == len(own) == 32
    assert derived != jwt.get_secret_value().encode()[:32]
    with pytest.raises(ValidationError, match="16 characters"):
        RecruitingSettings(jwt_secret=jwt, data_dir=tmp_path, shared_link_secret=SecretStr("short"))
