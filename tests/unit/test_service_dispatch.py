"""A service names the event types it handles; the runtime skips the rest of their topics and
counts what it skipped."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast

from prometheus_client import REGISTRY

from infra.service import ServiceSpec
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from schemas.events.envelope import Envelope, EventData

CANDIDATE, JOB = uuid.uuid4(), uuid.uuid4()


def envelope(data: EventData) -> Envelope:
    return Envelope.wrap(data, source="jams/tests", time=datetime(2026, 12, 7, tzinfo=UTC))


def skipped(group: str, event_type: str) -> float:
    return REGISTRY.get_sample_value("jams_events_skipped_total",
                                     {"group": group, "type": event_type}) or 0.0


async def test_a_service_reads_the_topics_of_its_types_and_skips_the_rest_counted() -> None:
    seen: list[EventData] = []

    async def on_failed(data: Any, _: Envelope) -> None:
        seen.append(data)

    spec = ServiceSpec(name=f"t{uuid.uuid4().hex[:8]}", raw_handlers={ApplicationFailed: on_failed})
    dispatch = spec.dispatcher(cast(Any, None))  # raw handlers keep their own transactions
    failed = ApplicationFailed(application_id=uuid.uuid4(), candidate_id=CANDIDATE, job_id=JOB,
                               reason="the posting is closed")
    submitted = ApplicationSubmitted(application_id=uuid.uuid4(), candidate_id=CANDIDATE,
                                     job_id=JOB, resume_version_id=uuid.uuid4())

    await dispatch(envelope(submitted))
    await dispatch(envelope(failed))
    await dispatch(envelope(submitted))

    assert spec.topics == [ApplicationFailed.TOPIC] == [ApplicationSubmitted.TOPIC]
    assert seen == [failed]
    assert skipped(spec.group, ApplicationSubmitted.TYPE) == 2
    assert skipped(spec.group, ApplicationFailed.TYPE) == 0
