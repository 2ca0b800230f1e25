"""Password hashing with argon2id; the slow work runs off the event loop, a few at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from infra.http_conventions import ERR_RATE_LIMIT, ApiError

T = TypeVar("T")


class Passwords:
    """Hashes and checks passwords; parameters are argon2-cffi's defaults (RFC 9106 low-memory).

    At most `concurrency` hashes run at once (each takes its memory cost and a core), so a
    flood of logins queues instead of starving every other request; past `queue` waiting or
    running, a login is refused with 429 at once.
    """

    def __init__(self, hasher: PasswordHasher | None = None, *, concurrency: int = 2,
                 queue: int = 64) -> None:
        self._hasher = hasher or PasswordHasher()
        self._slots = asyncio.Semaphore(concurrency)
        self._queue = queue
        self._admitted = 0
        # Checked against when the email is unknown, so both paths take as long.
        self._decoy = self._hasher.hash("not a real password, only here to spend time")

    async def hash(self, password: str) -> str:
        return await self._bounded(self._hasher.hash, password)

    async def check(self, stored_hash: str | None, password: str) -> bool:
        """True if `password` matches; a None hash (unknown user) costs the same and is False."""
        return await self._bounded(self._check, stored_hash, password)

    async def _bounded(self, work: Callable[..., T], *args: str | None) -> T:
        if self._admitted >= self._queue:
            raise ApiError(429, ERR_RATE_LIMIT, "too many logins at once; try again shortly",
                           {"scope": "password_hashing"}, headers={"Retry-After": "1"})
        self._admitted += 1
        try:
            async with self._slots:
                return await asyncio.to_thread(work, *args)
        finally:
            self._admitted -= 1

    def _check(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._decoy, password) and \
                stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
