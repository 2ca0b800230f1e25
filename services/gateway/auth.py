"""Skeleton reviewer authentication: one static token per reviewer (JWTs come later)."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Mapping

from pydantic import SecretStr

# Private-use WebSocket close code mirroring HTTP 401.
UNAUTHORIZED = 4401


def token_ok(tokens: Mapping[uuid.UUID, SecretStr], reviewer_id: uuid.UUID, token: str) -> bool:
    """True if `token` is the reviewer's; compared in constant time."""
    expected = tokens.get(reviewer_id)
    if expected is None or not token:
        return False
    return hmac.compare_digest(expected.get_secret_value().encode(), token.encode())
