"""CloudEvents binary mode: what goes on the wire and what is refused."""

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.bus import codec
from infra.bus.port import InboundRecord, OutboundRecord
from schemas.events.registry import BY_TYPE
from tests.busfixtures import job_event


def as_inbound(record: OutboundRecord) -> InboundRecord:
    return InboundRecord(record.topic, 0, 0, record.key, record.value, record.headers)


def test_data_is_the_value_and_attributes_are_ce_headers() -> None:
    envelope = job_event("k")
    record = codec.encode(envelope)
    headers = dict(record.headers)
    assert record.topic == "jobs.new"
    assert record.key == envelope.subject.encode()
    assert json.loads(record.value) == envelope.data
    assert headers["ce_id"] == str(envelope.id).encode()
    assert headers["ce_type"] == b"jams.jobs.JobPublished"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_correlationid"] == str(envelope.correlation_id).encode()
    assert headers["content-type"] == b"application/json"
    assert "ce_causationid" not in headers  # absent attributes are not sent


def test_round_trip() -> None:
    envelope = job_event("k")
    assert codec.decode(as_inbound(codec.encode(envelope))) == envelope


def test_caused_events_carry_correlation_and_causation() -> None:
    cause = job_event("k")
    from datetime import UTC, datetime

    from schemas.events.envelope import Envelope
    from schemas.events.jobs import JobExpired

    effect = Envelope.wrap(JobExpired(job_id=uuid.uuid4(), expired_at=datetime.now(UTC)),
                           source="t", time=datetime.now(UTC), cause=cause)
    decoded = codec.decode(as_inbound(codec.encode(effect)))
    assert decoded.correlation_id == cause.correlation_id
    assert decoded.causation_id == cause.id


@pytest.mark.parametrize("drop", ["ce_id", "ce_type", "ce_time", "ce_source"])
def test_a_missing_required_attribute_is_refused(drop: str) -> None:
    record = codec.encode(job_event("k"))
    broken = InboundRecord("t", 0, 0, record.key, record.value,
                           tuple(h for h in record.headers if h[0] != drop))
    with pytest.raises(codec.UndecodableRecord, match="schema-invalid"):
        codec.decode(broken)


def test_data_not_matching_its_type_is_refused() -> None:
    record = codec.encode(job_event("k"))
    data = json.loads(record.value)
    del data["job_id"]
    broken = InboundRecord("t", 0, 0, record.key, json.dumps(data).encode(), record.headers)
    with pytest.raises(codec.UndecodableRecord, match="job_id"):
        codec.decode(broken)


@given(value=st.binary(max_size=300),
       headers=st.lists(st.tuples(st.sampled_from(["ce_id", "ce_type", "ce_time", "x"]),
                                  st.binary(max_size=40)), max_size=6))
def test_fuzzed_records_are_refused_cleanly(
    value: bytes, headers: list[tuple[str, bytes]]
) -> None:
    """Whatever arrives, decode returns an envelope or raises UndecodableRecord, nothing else."""
    try:
        envelope = codec.decode(InboundRecord("t", 0, 0, None, value, tuple(headers)))
    except codec.UndecodableRecord as exc:
        assert str(exc).split(":")[0] in {"undecodable", "schema-invalid", "unknown-type"}
    else:
        assert envelope.type in BY_TYPE
