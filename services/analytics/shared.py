"""What every analytics replica shares: the database, Redis under one namespace, the clock."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.clock import Clock


@dataclass(frozen=True)
class Shared:
    """Handed to the parts that keep figures and take turns across replicas."""

    engine: AsyncEngine
    redis: Redis
    clock: Clock
    namespace: str

    def redis_key(self, name: str) -> str:
        """The service's Redis key (or channel) `name`, inside the namespace."""
        return f"{self.namespace}:analytics:{name}"
