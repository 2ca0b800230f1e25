"""The rules of applying: one application per (candidate, canonical job), and its states."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from infra.employer_jobs import applied_in_platform
from services.application_bot.limits import Limits
from services.application_bot.screening import AnswerBank


class ApplicationState(StrEnum):
    """Where one application stands."""

    PENDING = "pending"  # known, nothing sent, free to be claimed
    SUBMITTING = "submitting"  # claimed: a worker is (or was, before a crash) at the form
    SUBMITTED = "submitted"  # the portal confirmed it
    FAILED = "failed"  # given up; nothing was sent
    UNKNOWN = "unknown"  # the form was sent but no confirmation came back
    # Nothing sent: the portal wants the candidate signed in; a new session resumes it.
    WAITING = "waiting"


TERMINAL = frozenset({ApplicationState.SUBMITTED, ApplicationState.FAILED})

TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    # Refused before any attempt (a blacklisted company, a daily cap): failed, nothing sent.
    ApplicationState.PENDING: frozenset({ApplicationState.SUBMITTING, ApplicationState.FAILED}),
    ApplicationState.SUBMITTING: frozenset({
        ApplicationState.SUBMITTED,
        ApplicationState.FAILED,
        ApplicationState.UNKNOWN,
        # Released: nothing reached the portal (a transient error, or the portal check after
        # a crash showed no submission), so another attempt cannot apply twice.
        ApplicationState.PENDING,
        ApplicationState.WAITING,
    }),
    ApplicationState.UNKNOWN: frozenset({
        ApplicationState.SUBMITTED,
        ApplicationState.FAILED,
        ApplicationState.PENDING,
    }),
    # Resumed by a new session (claimed again), or given up once the wait is over.
    ApplicationState.WAITING: frozenset({ApplicationState.SUBMITTING, ApplicationState.FAILED}),
    ApplicationState.SUBMITTED: frozenset(),
    ApplicationState.FAILED: frozenset(),
}


class IllegalTransition(ValueError):
    """A state change the state machine does not allow."""


def application_id(candidate_id: uuid.UUID, job_id: uuid.UUID) -> uuid.UUID:
    """The deterministic id of (candidate, canonical job): every retry and duplicate agrees."""
    return uuid.uuid5(candidate_id, str(job_id))


@dataclass(frozen=True)
class ApplyRequest:
    """An order to apply, whichever event (auto approval or review) carried it."""

    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID
    apply_url: str
    company: str = ""

    @property
    def application_id(self) -> uuid.UUID:
        return application_id(self.candidate_id, self.job_id)


IN_PLATFORM_CONFIRMATION = "delivered to the employer's pipeline on JAMS"


def in_platform(job_id: uuid.UUID, apply_url: str, employer_apply_url: str | None) -> bool:
    """Whether the job is one an employer posted here with no form of its own: applying is
    delivering to their pipeline, confirmed at once, with no browser."""
    return employer_apply_url is not None and applied_in_platform(apply_url, job_id,
                                                                  employer_apply_url)


@dataclass(frozen=True)
class Applicant:
    """The contact details typed into an application form."""

    first_name: str
    last_name: str
    email: str
    phone: str
    answers: AnswerBank = field(default_factory=AnswerBank)
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Application:
    """One application as stored."""

    application_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID
    apply_url: str
    state: ApplicationState
    attempts: int = 0
    confirmation: str | None = None
    evidence_key: str | None = None
    reason: str | None = None
    retryable: bool = False
    # Since when it has been `submitting` or `unknown`, as stored; None for a fresh one.
    unsettled_since: datetime | None = None
    # A person was asked whether it went through, and has not answered yet.
    review_asked: bool = False

    def moved_to(self, state: ApplicationState) -> Application:
        """This application in `state`, if the state machine allows the move."""
        if state not in TRANSITIONS[self.state]:
            raise IllegalTransition(f"{self.state} -> {state} is not allowed")
        return replace(self, state=state)


def new_application(request: ApplyRequest) -> Application:
    """A pending application for `request`."""
    return Application(
        application_id=request.application_id,
        candidate_id=request.candidate_id,
        job_id=request.job_id,
        resume_version_id=request.resume_version_id,
        apply_url=request.apply_url,
        state=ApplicationState.PENDING,
    )


def refuse(application: Application, reason: str, *, retryable: bool) -> Application:
    """A pending application the candidate's limits do not allow."""
    return replace(application.moved_to(ApplicationState.FAILED), reason=reason,
                   retryable=retryable)


def claim(application: Application) -> Application:
    """Take a pending application to the form: one more attempt."""
    return replace(application.moved_to(ApplicationState.SUBMITTING),
                   attempts=application.attempts + 1)


class Step(StrEnum):
    """What to do with an apply order, given what is stored for its key."""

    SUBMIT = "submit"  # nothing sent yet: claim and go to the form
    SKIP = "skip"  # already settled: do nothing
    RECONCILE = "reconcile"  # may have been sent: ask the portal before ever retrying


def next_step(existing: Application | None) -> Step:
    """The step an apply order takes; never a blind retry of a possibly sent form."""
    if existing is None or existing.state in (ApplicationState.PENDING,
                                              ApplicationState.WAITING):
        return Step.SUBMIT
    if existing.state in TERMINAL:
        return Step.SKIP
    return Step.RECONCILE


# What one visit to the portal came to.


@dataclass(frozen=True)
class Confirmed:
    """The portal confirmed the application."""

    confirmation: str
    evidence_key: str | None = None


@dataclass(frozen=True)
class Rejected:
    """The page cannot take this application (closed, not the form, hostile); nothing sent."""

    reason: str


@dataclass(frozen=True)
class NeedsReview(Rejected):
    """The form asks what the answer bank cannot answer: nothing sent; a person decides."""

    question: str = ""


@dataclass(frozen=True)
class Checkpoint(NeedsReview):
    """The portal put up a checkpoint (captcha, 2FA, "unusual activity", new terms): the visit
    stopped there, nothing sent; a person takes it on, and the portal's breaker counts it."""

    kind: str = ""


@dataclass(frozen=True)
class SignedOut:
    """The portal showed its sign-in page instead of the posting: nothing sent; the application
    waits for the candidate's new session."""

    reason: str
    expired: bool = False  # a session was given and no longer works; else none was


@dataclass(frozen=True)
class NotSent:
    """A transient failure before the form was sent (network, timeout); worth a retry."""

    reason: str


@dataclass(frozen=True)
class Unconfirmed:
    """The form was sent but no confirmation was seen: only the portal can tell."""

    reason: str


@dataclass(frozen=True)
class Deferred:
    """The portal may not be visited now (its breaker is open, or our browser cannot start):
    nothing sent, no attempt used."""

    reason: str
    # Our own dependency is away (the browser), not the portal: an outage to wait out.
    outage: bool = False


Outcome = Confirmed | Rejected | NotSent | Unconfirmed | Deferred | SignedOut


def settle(application: Application, outcome: Outcome, *, max_attempts: int) -> Application:
    """The application after `outcome`; transient failures give up after `max_attempts`."""
    match outcome:
        case Confirmed(confirmation, evidence_key):
            return replace(application.moved_to(ApplicationState.SUBMITTED),
                           confirmation=confirmation, evidence_key=evidence_key, reason=None,
                           retryable=False)
        case Rejected(reason):
            return replace(application.moved_to(ApplicationState.FAILED), reason=reason,
                           retryable=False)
        case NotSent(reason) if application.attempts >= max_attempts:
            return replace(application.moved_to(ApplicationState.FAILED), retryable=True,
                           reason=f"gave up after {application.attempts} attempt(s): {reason}")
        case NotSent(reason):
            return replace(application.moved_to(ApplicationState.PENDING), reason=reason)
        case Unconfirmed(reason):
            return replace(application.moved_to(ApplicationState.UNKNOWN), reason=reason)
        case Deferred(reason):
            # Released as if never claimed: waiting on the portal is not a failed attempt.
            return replace(application.moved_to(ApplicationState.PENDING), reason=reason,
                           attempts=max(0, application.attempts - 1))
        case SignedOut(reason):
            # Nor is waiting on the candidate's session.
            return replace(application.moved_to(ApplicationState.WAITING), reason=reason,
                           attempts=max(0, application.attempts - 1))
    raise AssertionError(f"unhandled outcome {outcome!r}")  # pragma: no cover


def reconcile(
    application: Application, portal_confirmation: str | None, *, evidence_key: str | None,
    max_attempts: int,
) -> Application:
    """After the portal check: submitted if it holds the application, else free to retry."""
    if portal_confirmation is not None:
        return settle(application, Confirmed(portal_confirmation, evidence_key),
                      max_attempts=max_attempts)
    reason = "the portal shows no submission"
    return settle(application, NotSent(reason), max_attempts=max_attempts)


def stop_waiting(application: Application, reason: str) -> Application:
    """A waiting application whose wait is over: failed, nothing sent, worth a later retry."""
    return replace(application.moved_to(ApplicationState.FAILED), reason=reason,
                   retryable=True)


ORPHAN_QUESTION = (
    "Did this application go through? The bot stopped while sending it, and neither the "
    "portal's page nor the candidate's e-mail tells. Reject if it went through (it is then "
    "recorded as submitted); complete if it did not (it is sent once more)."
)


def orphan_review_due(application: Application, now: datetime, review_after: timedelta) -> bool:
    """Whether an orphan nothing can settle has waited long enough to ask a person."""
    return (not application.review_asked and application.unsettled_since is not None
            and now - application.unsettled_since >= review_after)


def asked_about(application: Application) -> Application:
    """The orphan with its question put to a person: it waits for their answer."""
    return replace(application, review_asked=True)


def answered_sent(application: Application) -> Application:
    """A person saw the application went through."""
    return replace(application.moved_to(ApplicationState.SUBMITTED),
                   confirmation="confirmed by a reviewer", reason=None, retryable=False,
                   review_asked=False)


def answered_not_sent(application: Application, *, max_attempts: int) -> Application:
    """A person saw nothing went through: free to be sent once more, and only once."""
    return replace(application.moved_to(ApplicationState.PENDING),
                   attempts=max(application.attempts, max_attempts - 1), review_asked=False,
                   reason="a reviewer saw it did not go through")
