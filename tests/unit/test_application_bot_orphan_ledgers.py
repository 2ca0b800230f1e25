"""The parts of settling orphans that need no server: answers put together, the domain's
rules for asking a person, mailbox URLs, and the alert on an orphan's age."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from services.application_bot.adapters.mail_ledger import Mailbox, posting_reference
from services.application_bot.adapters.portal_ledger import (
    Applied,
    FirstAnswer,
    LedgerAnswer,
    LedgerQuery,
    LedgerUnavailable,
    NotApplied,
)
from services.application_bot.domain import (
    Application,
    ApplicationState,
    answered_not_sent,
    answered_sent,
    asked_about,
    orphan_review_due,
)
from services.application_bot.metrics import ORPHAN_AGE

ROOT = Path(__file__).resolve().parents[2]
QUERY = LedgerQuery(uuid.uuid4(), uuid.uuid4(), "https://boards.example/acme/jobs/1",
                    "ada@example.com")
T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
ORPHAN = Application(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(),
                     QUERY.apply_url, ApplicationState.SUBMITTING, attempts=1,
                     unsettled_since=T0)


class Says:
    def __init__(self, answer: LedgerAnswer | Exception) -> None:
        self._answer = answer

    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        if isinstance(self._answer, Exception):
            raise self._answer
        return self._answer


@pytest.mark.parametrize(("answers", "expected"), [
    ([None, None], None),
    ([NotApplied("page"), None], NotApplied("page")),
    ([NotApplied("page"), Applied("mail")], Applied("mail")),
    ([LedgerUnavailable("away"), Applied("mail")], Applied("mail")),
    ([LedgerUnavailable("away"), None], None),
])
async def test_a_sign_it_went_through_wins_then_a_sign_it_did_not(
    answers: list[LedgerAnswer | Exception], expected: LedgerAnswer
) -> None:
    assert await FirstAnswer([Says(a) for a in answers]).check(QUERY) == expected


def test_a_person_is_asked_once_and_only_after_the_set_time() -> None:
    after = timedelta(hours=1)
    assert not orphan_review_due(ORPHAN, T0 + after - timedelta(seconds=1), after)
    assert orphan_review_due(ORPHAN, T0 + after, after)
    assert not orphan_review_due(asked_about(ORPHAN), T0 + 2 * after, after)


def test_the_answers_settle_it_sent_or_free_for_exactly_one_more_visit() -> None:
    asked = asked_about(replace(ORPHAN, attempts=3))
    sent = answered_sent(asked)
    assert (sent.state, sent.review_asked) == (ApplicationState.SUBMITTED, False)
    again = answered_not_sent(asked, max_attempts=3)
    assert (again.state, again.attempts, again.review_asked) == (ApplicationState.PENDING, 3,
                                                                 False)
    early = answered_not_sent(asked_about(ORPHAN), max_attempts=3)
    assert early.attempts == 2  # the next claim is its last


def test_mailbox_urls_and_what_an_email_must_mention() -> None:
    box = Mailbox.parse("imaps://ada%40example.com:p%2Fw@mail.example/Apps")
    assert (box.host, box.port, box.user, box.password, box.folder, box.tls) == (
        "mail.example", 993, "ada@example.com", "p/w", "Apps", True)
    with pytest.raises(ValueError):
        Mailbox.parse("https://mail.example/")
    assert posting_reference("https://x.example/acme/jobs/12?gh_src=a") == "/acme/jobs/12"
    assert posting_reference("https://x.example/viewjob?jk=0123456789abcdef") == (
        "jk=0123456789abcdef")


def test_the_orphan_alert_watches_the_gauge_the_sweep_sets() -> None:
    rules = yaml.safe_load((ROOT / "deploy/prometheus/application-bot-alerts.yaml").read_text())
    [rule] = rules["groups"][0]["rules"]
    assert ORPHAN_AGE in rule["expr"]
