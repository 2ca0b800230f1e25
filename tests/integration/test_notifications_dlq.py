"""Dead-letter growth alerts: sizes read from the real embedded log, state in PostgreSQL,
operators told by e-mail on a real SMTP server once per growth episode (fake clock)."""
# ruff: noqa: F811  (fixtures are imported from the delivery tests and reused)

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import structlog

from infra.bus.deadletters import replay_dead_letters
from infra.bus.port import OutboundRecord, Transport
from infra.clock import FakeClock
from infra.uow import UnitOfWork
from services.notifications import repository
from services.notifications.adapters.dead_letters import TransportDeadLetters
from services.notifications.dlq_growth import WatchRules
from services.notifications.dlq_watcher import DlqWatcher
from services.notifications.domain import Preferences
from services.notifications.templates import Templates
from tests.busfixtures import make_transport
from tests.integration.test_notifications_delivery import (  # noqa: F401
    Mailbox,
    deliverer,
    smtp_server,
    uow,
)

pytestmark = pytest.mark.integration
OPERATOR = uuid.uuid4()
OPS_ADDRESS = "oncall@example.com"
RULES = WatchRules(threshold=50, growth=3)  # growth within ten minutes


@pytest.fixture
async def transport(database_url: str) -> AsyncIterator[Transport]:
    log = make_transport("embedded", database_url=database_url, partitions=2)
    await log.start()
    yield log
    await log.close()


async def dead_letters(transport: Transport, topic: str, count: int) -> None:
    await transport.send([OutboundRecord(
        f"{topic}.dlq", f"k{n}".encode(), b"{}",
        (("dlq_original_topic", topic.encode()), ("dlq_reason", b"handler failed")))
        for n in range(count)])


def watcher(uow: UnitOfWork, transport: Transport, topic: str) -> DlqWatcher:
    return DlqWatcher(uow, TransportDeadLetters(transport, [topic]).sizes, RULES, [OPERATOR],
                      Templates())


async def test_operators_are_told_once_per_growth_episode(
    uow: UnitOfWork, fake_clock: FakeClock, transport: Transport,
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    topic = f"t{uuid.uuid4().hex[:8]}"
    await transport.ensure_topics([topic, f"{topic}.dlq"])
    async with uow.transaction() as tx:
        await repository.set_preferences(tx.conn, Preferences(
            OPERATOR, frozenset({"email"}), OPS_ADDRESS), tx.clock.now())
    watch, send = watcher(uow, transport, topic), deliverer(uow, smtp_port=port)

    assert await watch.check_once() == []  # empty
    await dead_letters(transport, topic, 2)
    fake_clock.advance(60)
    assert await watch.check_once() == []  # two new: under the bar
    await dead_letters(transport, topic, 1)
    fake_clock.advance(60)
    with structlog.testing.capture_logs() as logs:
        [alert] = await watch.check_once()
    assert (alert.topic, alert.size, alert.growth) == (f"{topic}.dlq", 3, 3)
    assert any(entry["event"] == "dead-letter topic growing" for entry in logs)
    assert OPS_ADDRESS not in repr(logs)
    for _ in range(3):  # still growing: the same episode, even after a restart
        await dead_letters(transport, topic, 2)
        fake_clock.advance(60)
        assert await watcher(uow, transport, topic).check_once() == []
    assert await send.run_once() == 1
    [message] = mailbox.messages
    assert mailbox.recipients == [[OPS_ADDRESS]]
    assert message["Subject"] == f"Dead letters growing on {topic}.dlq"
    assert f"jams dlq replay {topic}.dlq" in str(message.get_payload())

    for _ in range(10):  # ten quiet minutes end the episode
        fake_clock.advance(60)
        assert await watch.check_once() == []
    await dead_letters(transport, topic, 4)
    fake_clock.advance(60)
    [again] = await watch.check_once()
    assert again.episode_id != alert.episode_id and again.size == 13
    assert await send.run_once() == 1 and len(mailbox.messages) == 2


async def test_sizes_count_each_topics_dead_letters(transport: Transport) -> None:
    first, second = f"a{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:8]}"
    await transport.ensure_topics([first, f"{first}.dlq", second, f"{second}.dlq"])
    await dead_letters(transport, first, 4)
    sizes = await TransportDeadLetters(transport, [first, second]).sizes()
    assert sizes == {f"{first}.dlq": 4, f"{second}.dlq": 0}

    # `jams dlq replay` replays through the shared replay group: the count sees it.
    assert await replay_dead_letters(transport, first, idle_timeout_s=0.5) == 4
    await dead_letters(transport, first, 1)
    sizes = await TransportDeadLetters(transport, [first, second]).sizes()
    assert sizes == {f"{first}.dlq": 1, f"{second}.dlq": 0}
