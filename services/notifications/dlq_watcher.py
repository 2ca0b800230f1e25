"""The periodic dead-letter check: sizes from the bus, growth rules, alerts to operators."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence

import structlog

from infra.clock import sleep_unless_stopped
from infra.uow import UnitOfWork
from services.notifications import repository
from services.notifications.dlq_growth import Alert, WatchRules, assess
from services.notifications.domain import dlq_notices, messages_for
from services.notifications.outgoing import post
from services.notifications.templates import Templates

log = structlog.get_logger(__name__)

Sizes = Callable[[], Awaitable[Mapping[str, int]]]


class DlqWatcher:
    """Each round: every dead-letter topic's size, judged against what was seen before."""

    def __init__(self, uow: UnitOfWork, sizes: Sizes, rules: WatchRules,
                 operators: Sequence[uuid.UUID], templates: Templates) -> None:
        self._uow = uow
        self._sizes = sizes
        self._rules = rules
        self._operators = tuple(operators)
        self._templates = templates

    async def check_once(self) -> list[Alert]:
        """One check of every topic; the alerts it raised (each told to every operator)."""
        alerts: list[Alert] = []
        for topic, size in sorted((await self._sizes()).items()):
            # One transaction per topic: the state, the alert and its messages commit together.
            async with self._uow.transaction() as tx:
                now = tx.clock.now()
                state, alert = assess(await repository.lock_watch(tx.conn, topic, now), size,
                                      now, self._rules)
                await repository.save_watch(tx.conn, state, now)
                if alert is None:
                    continue
                alerts.append(alert)
                # Operators read logs too: topic and counts only, nothing personal.
                log.warning("dead-letter topic growing", topic=topic, size=size,
                            growth=alert.growth, episode_id=str(alert.episode_id))
                for notice in dlq_notices(self._operators, topic, size, alert.growth,
                                          self._rules.window.total_seconds()):
                    prefs = await repository.preferences(tx.conn, notice.recipient_id)
                    for message in messages_for(notice, prefs, alert.episode_id,
                                                self._templates.render):
                        await post(tx, message, prefs)
        return alerts

    async def run(self, stop: asyncio.Event, interval_s: float) -> None:
        """Until `stop`: a check every `interval_s` on the service's clock."""
        while not await sleep_unless_stopped(self._uow.clock, interval_s, stop):
            try:
                await self.check_once()
            except Exception as exc:  # a bus or database outage: try again next round
                log.warning("dead-letter check failed", error=type(exc).__name__)
