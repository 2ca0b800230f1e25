"""What a visit tells the portal's breaker, and an open breaker costing no attempt."""

from __future__ import annotations

import uuid

import pytest

from services.application_bot.domain import (
    ApplicationState,
    ApplyRequest,
    Checkpoint,
    Confirmed,
    Deferred,
    NeedsReview,
    NotSent,
    Outcome,
    Rejected,
    SignedOut,
    Unconfirmed,
    claim,
    new_application,
    settle,
)
from services.application_bot.politeness import portal_failed


@pytest.mark.parametrize(("outcome", "failed"), [
    (Confirmed("C-1"), False),
    (Rejected("the posting is closed"), False),  # the portal answered
    (NeedsReview("needs review", question="Salary?"), False),
    (Checkpoint("checkpoint: captcha", question="?", kind="captcha"), True),  # wary of us
    (SignedOut("sign-in page"), None),  # the candidate's session, not the portal
    (NotSent("the portal answered HTTP 503"), True),
    (Unconfirmed("no confirmation within 20s"), True),
    (Deferred("circuit open"), None),  # nothing was asked of the portal
    (None, None),
])
def test_only_errors_and_silence_count_against_the_portal(outcome: Outcome | None,
                                                          failed: bool | None) -> None:
    assert portal_failed(outcome) is failed


def test_a_deferred_visit_releases_the_claim_without_using_an_attempt() -> None:
    request = ApplyRequest(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "https://x.example/a")
    application = claim(new_application(request))
    for _ in range(10):  # however long the breaker stays open, it is never given up for it
        application = settle(application, Deferred("circuit open"), max_attempts=1)
        assert (application.state, application.attempts) == (ApplicationState.PENDING, 0)
        application = claim(application)
    assert application.attempts == 1
