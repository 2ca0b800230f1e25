"""The application bot's rules: deterministic ids, the state machine, outcomes and steps."""

from __future__ import annotations

import itertools
import uuid

import pytest

from infra.employer_jobs import platform_apply_url
from services.application_bot.adapters.portal_ledger import GreenhousePosting
from services.application_bot.domain import (
    TRANSITIONS,
    Application,
    ApplicationState,
    ApplyRequest,
    Confirmed,
    IllegalTransition,
    NotSent,
    Rejected,
    SignedOut,
    Step,
    Unconfirmed,
    application_id,
    claim,
    in_platform,
    new_application,
    next_step,
    reconcile,
    settle,
    stop_waiting,
)

S = ApplicationState
CANDIDATE = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")
JOB = uuid.UUID("11111111-2222-4333-8444-555555555555")
REQUEST = ApplyRequest(CANDIDATE, JOB, uuid.uuid4(), "http://portal.test/acme/jobs/1")


def _in(state: ApplicationState, attempts: int = 1) -> Application:
    return Application(REQUEST.application_id, CANDIDATE, JOB, REQUEST.resume_version_id,
                       REQUEST.apply_url, state, attempts=attempts)


def test_application_id_is_uuid5_of_candidate_and_job() -> None:
    assert application_id(CANDIDATE, JOB) == uuid.uuid5(CANDIDATE, str(JOB))
    assert application_id(CANDIDATE, JOB) == application_id(CANDIDATE, JOB)
    assert REQUEST.application_id == application_id(CANDIDATE, JOB)


def test_application_id_differs_per_candidate_and_per_job() -> None:
    other = uuid.uuid4()
    ids = {application_id(CANDIDATE, JOB), application_id(other, JOB),
           application_id(CANDIDATE, other)}
    assert len(ids) == 3
    # Not symmetric: (a, b) and (b, a) are different pairs.
    assert application_id(CANDIDATE, JOB) != application_id(JOB, CANDIDATE)


def test_an_approval_and_a_review_of_one_job_share_one_application() -> None:
    reviewed = ApplyRequest(CANDIDATE, JOB, uuid.uuid4(), "http://portal.test/acme/jobs/1")
    assert reviewed.application_id == REQUEST.application_id


def test_a_new_application_is_pending_and_claiming_counts_an_attempt() -> None:
    fresh = new_application(REQUEST)
    assert (fresh.state, fresh.attempts) == (S.PENDING, 0)
    claimed = claim(fresh)
    assert (claimed.state, claimed.attempts) == (S.SUBMITTING, 1)


@pytest.mark.parametrize(("existing", "step"), [
    (None, Step.SUBMIT),
    (S.PENDING, Step.SUBMIT),
    (S.SUBMITTING, Step.RECONCILE),
    (S.UNKNOWN, Step.RECONCILE),
    (S.SUBMITTED, Step.SKIP),
    (S.FAILED, Step.SKIP),
    (S.WAITING, Step.SUBMIT),  # nothing was sent: a new session lets it go on
])
def test_next_step_never_blindly_resends(existing: ApplicationState | None, step: Step) -> None:
    assert next_step(None if existing is None else _in(existing)) is step


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S, S)))
def test_only_listed_transitions_are_allowed(source: ApplicationState,
                                             target: ApplicationState) -> None:
    application = _in(source)
    if target in TRANSITIONS[source]:
        assert application.moved_to(target).state is target
    else:
        with pytest.raises(IllegalTransition):
            application.moved_to(target)


def test_settled_states_are_final() -> None:
    assert TRANSITIONS[S.SUBMITTED] == frozenset()
    assert TRANSITIONS[S.FAILED] == frozenset()
    with pytest.raises(IllegalTransition):
        claim(_in(S.SUBMITTED))


def test_a_confirmation_settles_as_submitted_with_its_evidence() -> None:
    settled = settle(_in(S.SUBMITTING), Confirmed("abc123", "evidence/x/manifest.json"),
                     max_attempts=3)
    assert settled.state is S.SUBMITTED
    assert (settled.confirmation, settled.evidence_key) == ("abc123", "evidence/x/manifest.json")


def test_a_rejection_fails_for_good() -> None:
    settled = settle(_in(S.SUBMITTING), Rejected("not the expected application form"),
                     max_attempts=3)
    assert (settled.state, settled.retryable) == (S.FAILED, False)
    assert settled.reason == "not the expected application form"


def test_nothing_sent_releases_the_claim_until_the_attempts_run_out() -> None:
    released = settle(_in(S.SUBMITTING, attempts=2), NotSent("timeout"), max_attempts=3)
    assert released.state is S.PENDING
    assert next_step(released) is Step.SUBMIT
    given_up = settle(_in(S.SUBMITTING, attempts=3), NotSent("timeout"), max_attempts=3)
    assert (given_up.state, given_up.retryable) == (S.FAILED, True)
    assert given_up.reason == "gave up after 3 attempt(s): timeout"


def test_an_unconfirmed_submission_is_unknown_and_must_be_reconciled() -> None:
    settled = settle(_in(S.SUBMITTING), Unconfirmed("no confirmation"), max_attempts=3)
    assert settled.state is S.UNKNOWN
    assert next_step(settled) is Step.RECONCILE


@pytest.mark.parametrize("state", [S.SUBMITTING, S.UNKNOWN])
def test_reconciling_with_the_portals_record_settles_as_submitted(
    state: ApplicationState,
) -> None:
    settled = reconcile(_in(state), "conf-1", evidence_key="k", max_attempts=3)
    assert (settled.state, settled.confirmation, settled.evidence_key) == (S.SUBMITTED,
                                                                          "conf-1", "k")


@pytest.mark.parametrize("state", [S.SUBMITTING, S.UNKNOWN])
def test_reconciling_without_a_record_frees_the_application_for_another_attempt(
    state: ApplicationState,
) -> None:
    freed = reconcile(_in(state), None, evidence_key=None, max_attempts=3)
    assert freed.state is S.PENDING
    assert claim(freed).attempts == 2
    exhausted = reconcile(_in(state, attempts=3), None, evidence_key=None, max_attempts=3)
    assert (exhausted.state, exhausted.retryable) == (S.FAILED, True)


@pytest.mark.parametrize(("url", "parsed"), [
    ("http://127.0.0.1:8700/acme/jobs/4012345001",
     GreenhousePosting("http://127.0.0.1:8700", "acme", 4012345001)),
    ("https://boards.example/acme-careers/jobs/42/",
     GreenhousePosting("https://boards.example", "acme-careers", 42)),
    ("http://127.0.0.1:8700/acme/jobs/abc", None),
    ("file:///etc/passwd", None),
    ("javascript:alert(1)", None),
])
def test_hosted_job_page_urls_are_parsed_strictly(
    url: str, parsed: GreenhousePosting | None
) -> None:
    assert GreenhousePosting.parse(url) == parsed


def test_a_sign_in_page_makes_the_application_wait_without_using_an_attempt() -> None:
    waiting = settle(_in(S.SUBMITTING, attempts=2), SignedOut("sign-in page"), max_attempts=3)
    assert (waiting.state, waiting.attempts, waiting.reason) == (S.WAITING, 1, "sign-in page")
    resumed = claim(waiting)
    assert (resumed.state, resumed.attempts) == (S.SUBMITTING, 2)
    given_up = stop_waiting(waiting, "no new session in time")
    assert (given_up.state, given_up.retryable) == (S.FAILED, True)


def test_an_employer_job_without_a_form_is_applied_for_in_the_platform() -> None:
    job, other = uuid.uuid4(), uuid.uuid4()
    base = "https://jams.example/jobs/"
    assert in_platform(job, f"https://jams.example/jobs/{job}", base)
    # Another job's page, the employer's own form, a portal, another base, none configured.
    assert not in_platform(job, platform_apply_url(base, other), base)
    assert not in_platform(job, "https://acme.example/careers/apply", base)
    assert not in_platform(job, f"https://boards.greenhouse.io/acme/jobs/{job}", base)
    assert not in_platform(job, platform_apply_url("https://elsewhere.example/jobs", job), base)
    assert not in_platform(job, platform_apply_url(base, job), None)
