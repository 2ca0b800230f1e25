"""The tasks currently offered to each reviewer, so a reconnecting page sees them again."""

from __future__ import annotations

import json
import uuid
from typing import Any

from redis.asyncio import Redis


def offers_key(namespace: str, reviewer_id: uuid.UUID) -> str:
    return f"{namespace}:reviewer:{reviewer_id}:offers"


def every_offers_key(namespace: str) -> str:
    """The pattern that matches every reviewer's `offers_key`."""
    return f"{namespace}:reviewer:*:offers"


class RedisOfferBook:
    """A hash per reviewer: task id -> the `task_offered` message last pushed for it.

    Pub/sub forgets what nobody was listening to; this is what a page that reloads, or
    reconnects to another replica, is shown first.
    """

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._namespace = namespace

    async def put(self, reviewer_id: uuid.UUID, task_id: uuid.UUID,
                  message: dict[str, Any]) -> None:
        key = offers_key(self._namespace, reviewer_id)
        await self._redis.hset(key, str(task_id), json.dumps(message))

    async def update(self, reviewer_id: uuid.UUID, task_id: uuid.UUID,
                     patch: dict[str, Any], base: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
        """Merge `patch` into the stored message, or into `base` if none is stored.

        Read-modify-write is safe here: events of one task arrive in order, one at a time.
        """
        key = offers_key(self._namespace, reviewer_id)
        raw = await self._redis.hget(key, str(task_id))
        message = {**(json.loads(raw) if raw is not None else base or {}), **patch}
        await self._redis.hset(key, str(task_id), json.dumps(message))
        return message

    async def get(self, reviewer_id: uuid.UUID, task_id: uuid.UUID) -> dict[str, Any] | None:
        raw = await self._redis.hget(offers_key(self._namespace, reviewer_id), str(task_id))
        return None if raw is None else dict(json.loads(raw))

    async def remove(self, reviewer_id: uuid.UUID, task_id: uuid.UUID) -> None:
        key = offers_key(self._namespace, reviewer_id)
        await self._redis.hdel(key, str(task_id))

    async def forget_candidate(self, candidate_id: uuid.UUID) -> int:
        """Drop every reviewer's stored offer for the candidate (it holds their resume text);
        how many were dropped."""
        dropped = 0
        async for key in self._redis.scan_iter(match=every_offers_key(self._namespace),
                                               count=500):
            for task_id, raw in (await self._redis.hgetall(key)).items():
                if json.loads(raw).get("candidate_id") == str(candidate_id):
                    dropped += await self._redis.hdel(key, task_id)
        return dropped

    async def open_offers(self, reviewer_id: uuid.UUID) -> list[dict[str, Any]]:
        """The reviewer's open offers, soonest deadline first."""
        raw = await self._redis.hgetall(offers_key(self._namespace, reviewer_id))
        offers = [json.loads(value) for value in raw.values()]
        return sorted(offers, key=lambda offer: str(offer.get("due_at", "")))


def reviewer_state_key(namespace: str) -> str:
    return f"{namespace}:reviewer-state"


class RedisReviewerBoard:
    """What the gateway has been told about each reviewer (strikes, misses, lock), and the
    open tasks of everyone: the reviewer's header and the supervisor's view read it."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._namespace = namespace
        self._key = reviewer_state_key(namespace)

    async def update(self, reviewer_id: uuid.UUID, patch: dict[str, Any],
                     add_miss: bool = False) -> dict[str, Any]:
        """Merge `patch` into the reviewer's state (events of one reviewer arrive in order)."""
        raw = await self._redis.hget(self._key, str(reviewer_id))
        state = {"strikes": 0, "misses": 0, "locked": False,
                 **(json.loads(raw) if raw is not None else {}), **patch}
        if add_miss:
            state["misses"] += 1
        await self._redis.hset(self._key, str(reviewer_id), json.dumps(state))
        return state

    async def state(self, reviewer_id: uuid.UUID) -> dict[str, Any] | None:
        raw = await self._redis.hget(self._key, str(reviewer_id))
        return None if raw is None else dict(json.loads(raw))

    async def states(self) -> dict[str, dict[str, Any]]:
        raw = await self._redis.hgetall(self._key)
        return {(k.decode() if isinstance(k, bytes) else k): json.loads(v) for k, v in raw.items()}

    async def open_tasks(self) -> list[dict[str, Any]]:
        """Every reviewer's open offers and accepted tasks, soonest deadline first."""
        found: list[dict[str, Any]] = []
        async for key in self._redis.scan_iter(match=every_offers_key(self._namespace),
                                               count=500):
            for value in (await self._redis.hgetall(key)).values():
                found.append(json.loads(value))
        return sorted(found, key=lambda t: str(t.get("due_at") or t.get("offer_expires_at")))
