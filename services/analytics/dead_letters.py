"""Dead letters for operators over HTTP: topics with counts, entries page by page, replay.

Replay reuses `jams dlq replay`'s logic (its own consumer group, so an interrupted replay
resumes and each letter is replayed once; counts read that group's offsets, whichever path
replayed); one replay per topic runs at a time across replicas (a Redis lock), and each is
written to the audit table and log.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from fastapi import APIRouter, Depends, Query
from sqlalchemy.dialects.postgresql import insert

from infra.auth import Principal, PrincipalDependency
from infra.bus.deadletters import DeadLetterView, count_dead_letters, replay_dead_letters
from infra.bus.port import Transport
from infra.http_conventions import ERR_CONFLICT, ERR_NOT_FOUND, ERR_VALIDATION, ApiError
from schemas.events.registry import topics_in_use
from schemas.events.topics import DLQ_SUFFIX, dead_letter_topic
from services.analytics.repository import dead_letter_rows
from services.analytics.shared import Shared
from services.analytics.tables import analytics_dead_letters, analytics_replays

log = structlog.get_logger(__name__)
REPLAY_LOCK_S = 600  # longest a replay may hold its topic before another may start


class DeadLetterDesk:
    """Counts, lists and replays the dead letters of every topic the system uses."""

    def __init__(self, transport: Transport, shared: Shared, *,
                 replay_idle_s: float = 2.0) -> None:
        self._transport = transport
        self._shared = shared
        self._replay_idle_s = replay_idle_s

    @staticmethod
    def topic_of(name: str) -> str:
        """The original topic for `name` (a topic or its `.dlq`); 404 for any other name."""
        topic = name.removesuffix(DLQ_SUFFIX)
        if topic not in topics_in_use():
            raise ApiError(404, ERR_NOT_FOUND, f"no such topic: {name}",
                           {"topics": topics_in_use()})
        return topic

    async def count_all(self) -> list[dict[str, Any]]:
        """Count every dead-letter topic now, from offsets, and remember the counts.

        Replayed is what the replay group has passed, so a replay from `jams dlq replay`
        counts as one from this API does.
        """
        now = self._shared.clock.now()
        counts = await count_dead_letters(self._transport, topics_in_use())
        async with self._shared.engine.begin() as conn:
            for topic, count in counts.items():
                values = {"size": count.held, "replayed": count.replayed, "checked_at": now}
                stmt = insert(analytics_dead_letters).values(topic=topic, **values)
                await conn.execute(stmt.on_conflict_do_update(
                    index_elements=[analytics_dead_letters.c.topic], set_=values))
            rows = await dead_letter_rows(conn)
        return [{**row, "dead_letter_topic": dead_letter_topic(row["topic"])} for row in rows]

    async def entries(self, topic: str, cursor: str | None, limit: int) -> dict[str, Any]:
        """One page of `topic`'s dead letters in (partition, offset) order."""
        after = _decode_cursor(cursor) if cursor else (-1, -1)
        records = sorted(await self._transport.read_all(dead_letter_topic(topic)),
                         key=lambda r: (r.partition, r.offset))
        rest = [r for r in records if (r.partition, r.offset) > after]
        page = rest[:limit]
        items = [{**asdict(DeadLetterView.of(r)), "partition": r.partition,
                  "size_bytes": len(r.value)} for r in page]
        more = len(rest) > limit
        return {"topic": topic, "dead_letter_topic": dead_letter_topic(topic),
                "total": len(records), "items": items,
                "next_cursor": _encode_cursor(page[-1].partition, page[-1].offset)
                if more and page else None}

    async def replay(self, topic: str, by: Principal) -> dict[str, Any]:
        """Replay `topic`'s not-yet-replayed dead letters onto it; 409 while one runs."""
        lock = self._shared.redis_key(f"dlq-replay:{topic}")
        token = uuid.uuid4().hex
        if not await self._shared.redis.set(lock, token, nx=True, ex=REPLAY_LOCK_S):
            raise ApiError(409, ERR_CONFLICT, f"a replay of {topic} is already running")
        try:
            replayed = await replay_dead_letters(self._transport, topic,
                                                 idle_timeout_s=self._replay_idle_s)
        finally:
            if await self._shared.redis.get(lock) == token.encode():
                await self._shared.redis.delete(lock)
        now = self._shared.clock.now()
        await self._record_replay(topic, replayed, by, now)
        log.info("audit: dead letters replayed", topic=topic, replayed=replayed,
                 user_id=str(by.user_id), role=str(by.role))
        return {"topic": topic, "replayed": replayed, "at": now.isoformat()}

    async def _record_replay(self, topic: str, replayed: int, by: Principal,
                             now: datetime) -> None:
        async with self._shared.engine.begin() as conn:
            await conn.execute(sa.insert(analytics_replays).values(
                replay_id=uuid.uuid4(), topic=topic, replayed=replayed,
                requested_by=by.user_id, role=str(by.role), at=now))
            stmt = insert(analytics_dead_letters).values(topic=topic, last_replay_at=now)
            await conn.execute(stmt.on_conflict_do_update(
                index_elements=[analytics_dead_letters.c.topic],
                set_={"last_replay_at": now}))


def _encode_cursor(partition: int, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{partition}:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        partition, offset = raw.split(":")
        return int(partition), int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(422, ERR_VALIDATION, "invalid cursor", {"cursor": cursor}) from None


def dead_letter_routes(desk: DeadLetterDesk, operator: PrincipalDependency,
                       default_limit: int, *,
                       after_replay: Callable[[], None] = lambda: None) -> APIRouter:
    """`/api/v1/dead-letters`: operators and admins only."""
    router = APIRouter(prefix="/api/v1/dead-letters", tags=["dead letters"])

    @router.get("", summary="Dead-letter topics with their counts")
    async def list_topics(_: Principal = Depends(operator)) -> dict[str, Any]:
        return {"items": await desk.count_all()}

    @router.get("/{topic}", summary="A topic's dead letters, cursor-paginated")
    async def list_entries(
        topic: str,
        cursor: str | None = Query(default=None, max_length=200),
        limit: int = Query(default=default_limit, ge=1, le=1000),
        _: Principal = Depends(operator),
    ) -> dict[str, Any]:
        return await desk.entries(desk.topic_of(topic), cursor, limit)

    @router.post("/{topic}/replay", summary="Replay a topic's dead letters (each once)")
    async def replay(topic: str, caller: Principal = Depends(operator)) -> dict[str, Any]:
        result = await desk.replay(desk.topic_of(topic), caller)
        await desk.count_all()  # replayed letters may fail again: count what is there now
        after_replay()
        return result

    return router
