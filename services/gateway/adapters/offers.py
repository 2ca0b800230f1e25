"""The tasks currently offered to each reviewer, so a reconnecting page sees them again."""

from __future__ import annotations

import json
import uuid
from typing import Any

from redis.asyncio import Redis


def offers_key(namespace: str, reviewer_id: uuid.UUID) -> str:
    return f"{namespace}:reviewer:{reviewer_id}:offers"


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

    async def remove(self, reviewer_id: uuid.UUID, task_id: uuid.UUID) -> None:
        key = offers_key(self._namespace, reviewer_id)
        await self._redis.hdel(key, str(task_id))

    async def open_offers(self, reviewer_id: uuid.UUID) -> list[dict[str, Any]]:
        """The reviewer's open offers, soonest deadline first."""
        raw = await self._redis.hgetall(offers_key(self._namespace, reviewer_id))
        offers = [json.loads(value) for value in raw.values()]
        return sorted(offers, key=lambda offer: str(offer.get("due_at", "")))
