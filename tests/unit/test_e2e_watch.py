"""The end-to-end bench's tally: decisions from batches of scored pairs, counted once per
event, with the actions they start."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from bench.e2e_watch import Tally, record
from infra.bus import codec
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import ApplicationApproved, MatchesScored, ScoredPair

Decision = Literal["apply", "review", "reject"]


def delivered(tally: Tally, data: EventData, received: float = 1.0) -> Envelope:
    envelope = Envelope.wrap(data, source="jams/tests", time=datetime.now(UTC))
    redeliver(tally, envelope, received)
    return envelope


def redeliver(tally: Tally, envelope: Envelope, received: float = 1.0) -> None:
    out = codec.encode(envelope, topic="bench.matches.decisions")
    record(tally, out.topic, list(out.headers), out.value, received)


def pair(candidate: uuid.UUID, job: uuid.UUID, decision: Decision, *,
         acted: bool = True) -> ScoredPair:
    return ScoredPair(match_id=uuid.uuid4(), candidate_id=candidate, job_id=job,
                      resume_version_id=uuid.uuid4(), score=50, decision=decision, acted=acted)


def batch(*pairs: ScoredPair) -> MatchesScored:
    return MatchesScored(batch_id=uuid.uuid4(), pairs=list(pairs))


def test_each_pair_of_a_batch_is_a_decision_counted_once_per_event() -> None:
    tally = Tally()
    job, other_job = uuid.uuid4(), uuid.uuid4()
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    first = delivered(tally, batch(pair(a, job, "apply"), pair(b, job, "review"),
                                   pair(c, job, "reject")), received=5.0)
    redeliver(tally, first, received=9.0)  # at-least-once: the same event again
    delivered(tally, batch(pair(a, other_job, "reject")), received=7.0)

    assert tally.decided_pairs == 4
    assert dict(tally.decided_per_job) == {job: 3, other_job: 1}
    assert tally.decided_at == {job: 5.0, other_job: 7.0}
    assert all(len(kinds) == 1 for kinds in tally.decisions.values())
    assert tally.decisions[(c, job)] == ["reject"]
    assert tally.events == 2


def test_a_pair_in_two_batches_is_decided_twice() -> None:
    tally = Tally()
    job, a = uuid.uuid4(), uuid.uuid4()
    delivered(tally, batch(pair(a, job, "review")))
    delivered(tally, batch(pair(a, job, "review")))
    assert tally.decisions[(a, job)] == ["review", "review"]
    assert tally.decided_per_job[job] == 1


def test_acted_pairs_are_work_even_when_their_announcement_is_missing() -> None:
    tally = Tally()
    job = uuid.uuid4()
    apply, review, repeat = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    decided = batch(pair(apply, job, "apply"), pair(review, job, "review"),
                    pair(repeat, job, "apply", acted=False))
    delivered(tally, decided)
    # Only the first pair's ApplicationApproved arrives; the review announcement is lost.
    first = decided.pairs[0]
    delivered(tally, ApplicationApproved(
        match_id=first.match_id, candidate_id=apply, job_id=job, score=first.score,
        resume_version_id=first.resume_version_id, apply_url="https://jobs.example/apply"))
    assert tally.to_apply() == {(apply, job)}, "a pair that did not act starts nothing"
    assert tally.review_required == {(review, job)}
    assert tally.decided_pairs == 3
