"""Applying once per (candidate, job): claim, visit the portal, settle; reconcile after crashes."""

from __future__ import annotations

import dataclasses
import tempfile
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from infra import tracing
from infra.blobs import BlobStore
from infra.bus.bus import PermanentError
from infra.bus.outage import DependencyAway
from infra.politeness import UnresolvedHost, UnsafeUrl, check_url
from infra.portal_automation import PortalSwitches
from infra.uow import Transaction, UnitOfWork
from schemas.events.applications import (
    ApplicationFailed,
    ApplicationNeedsReview,
    ApplicationSubmitted,
    PortalSessionNeeded,
    ScreeningAnswersGiven,
)
from schemas.events.envelope import Envelope
from services.application_bot import repository
from services.application_bot.adapters.appliers import Applier, portal_of
from services.application_bot.adapters.browser import Browser, BrowserError, BrowserUnavailable
from services.application_bot.adapters.candidates import CandidateDirectory
from services.application_bot.adapters.kit.visit import Visit
from services.application_bot.adapters.portal_ledger import (
    Applied,
    GreenhousePosting,
    LedgerQuery,
    LedgerUnavailable,
    SubmissionLedger,
)
from services.application_bot.domain import (
    IN_PLATFORM_CONFIRMATION,
    ORPHAN_QUESTION,
    Applicant,
    Application,
    ApplicationState,
    ApplyRequest,
    Confirmed,
    Deferred,
    NeedsReview,
    NotSent,
    Outcome,
    SignedOut,
    Step,
    answered_not_sent,
    answered_sent,
    asked_about,
    claim,
    in_platform,
    new_application,
    next_step,
    orphan_review_due,
    reconcile,
    refuse,
    settle,
    stop_waiting,
)
from services.application_bot.evidence import EvidenceStore
from services.application_bot.limits import Limits, Refusal, refusal
from services.application_bot.politeness import OpenGate, PortalGate, PortalUnavailable
from services.application_bot.portal_sessions import NoSessions, PortalSession, SessionSource
from services.application_bot.questionnaires import JobQuestions, NoScreening, ScreeningSource
from services.application_bot.screening_answers import ScreeningAnswers, answer_screening

log = structlog.get_logger(__name__)


class ResumeVersionNotYetKnown(Exception):
    """The order names a resume version whose ResumeVersionCreated has not arrived yet."""


class ApplicationNotSettled(Exception):
    """The attempt ended with nothing settled; redelivery retries (or reconciles) it."""


class BrowserAway(ApplicationNotSettled, DependencyAway):
    """The browser cannot start: the application waits, released with its attempt given back,
    and the bus retries it as it does through a database outage, using up none of its own."""


class NothingTellsYet(ApplicationNotSettled):
    """No ledger tells whether an orphan went through, and it is too young to ask a person:
    the orphan sweep asks again, so the order that found it need not be retried."""


@dataclass(frozen=True)
class BotPorts:
    """What applying needs from outside: the database, files, the browser, the portal."""

    uow: UnitOfWork
    blobs: BlobStore
    browser: Browser
    applier: Applier
    candidates: CandidateDirectory
    ledger: SubmissionLedger
    # Discovery's per-portal rate limit, slots and breaker; none unless given.
    gate: PortalGate = field(default_factory=OpenGate)
    # Candidates' sessions on the portals that apply signed in; none unless given.
    sessions: SessionSource = field(default_factory=NoSessions)
    # Operators' automation switches per portal; the defaults unless given.
    switches: PortalSwitches = field(default_factory=PortalSwitches)
    # Employer jobs' screening questions and candidates' fit answers; none unless given.
    screening: ScreeningSource = field(default_factory=NoScreening)


class ApplicationBot:
    """The raw handler behind ApplicationApproved and TaskCompleted."""

    def __init__(self, ports: BotPorts, *, max_attempts: int,
                 allow_private_hosts: Collection[str] = (),
                 session_wait: timedelta = timedelta(days=3),
                 orphan_review_after: timedelta = timedelta(hours=1),
                 employer_apply_url: str | None = None) -> None:
        self._ports = ports
        self._employer_apply_url = employer_apply_url
        self._orphan_review_after = orphan_review_after
        self._allow_private_hosts = allow_private_hosts
        self._uow = ports.uow
        self._evidence = EvidenceStore(ports.blobs)
        self._max_attempts = max_attempts
        self._session_wait = session_wait

    async def apply(self, request: ApplyRequest, envelope: Envelope,
                    answering: uuid.UUID | None = None) -> None:
        """Apply for `request` unless it was applied for (or is being applied for) already.

        `answering`: the review task whose completion ordered it; when that task asked about
        an orphan, its completion says nothing went through, and it is sent once more.
        """
        try:
            if not self._in_platform(request):
                await check_url(request.apply_url, self._allow_private_hosts)
        except UnresolvedHost as exc:
            # DNS may be away for a moment; the browser's own guard checks it again.
            log.info("apply_url not resolved yet", error=str(exc))
        except UnsafeUrl as exc:
            raise PermanentError(f"apply_url refused: {str(exc)[:300]}") from None
        applicant = await self._ports.candidates.applicant(request.candidate_id)
        if applicant is None:
            raise PermanentError(f"no contact details for candidate {request.candidate_id}")
        with structlog.contextvars.bound_contextvars(application_id=str(request.application_id)):
            async with repository.exclusive(self._uow.engine, request.application_id) as mine:
                if not mine:
                    # Its holder is alive (the lock dies with its connection) and its event is
                    # not committed until it settles, so nothing is lost by stepping aside.
                    log.info("another worker is applying; leaving it to them")
                    return
                try:
                    claimed = await self._claim(request, applicant, envelope, answering)
                except NothingTellsYet:
                    return
                if claimed is not None:
                    await self._submit(claimed, applicant, envelope)

    async def _claim(
        self, request: ApplyRequest, applicant: Applicant, envelope: Envelope | None,
        answering: uuid.UUID | None = None,
    ) -> Application | None:
        """The application claimed for submitting by us, or None when there is nothing to do."""
        async with self._uow.transaction(cause=envelope) as tx:
            existing = await repository.load_for_update(tx.conn, request.application_id)
            step = next_step(existing)
            if step is Step.SKIP:
                log.info("already applied or given up; nothing to do",
                         state=existing.state if existing else None)
                return None
            if step is Step.SUBMIT:
                return await self._claim_in(tx, existing, request, applicant)
            assert existing is not None  # RECONCILE is only ever the step of a stored one
            if existing.review_asked:
                if answering is None or await repository.asked_in_task(
                        tx.conn, answering) != existing.application_id:
                    log.info("a person is asked whether it went through; waiting for them")
                    return None
                log.info("a reviewer saw it did not go through; sending it once more")
                freed = answered_not_sent(existing, max_attempts=self._max_attempts)
                if not await self._record(tx, freed, existing):
                    return None
                return await self._claim_in(tx, freed, request, applicant)
        return await self._reconcile(existing, applicant, envelope)

    async def _claim_in(
        self, tx: Transaction, existing: Application | None, request: ApplyRequest,
        applicant: Applicant,
    ) -> Application | None:
        """The application claimed for a visit; None when the candidate's limits refuse it."""
        now = tx.clock.now()
        if existing is None:
            resume = await repository.resume_file(tx.conn, request.resume_version_id)
            if resume is None:
                raise ResumeVersionNotYetKnown(
                    f"resume version {request.resume_version_id} is not known yet")
            if resume.candidate_id != request.candidate_id:
                raise PermanentError(f"resume version {request.resume_version_id} belongs to "
                                     "another candidate")
            fresh = new_application(request)
            portal = portal_of(request.apply_url)
            if (refused := await self._refusal(tx, request, applicant, portal)) is not None:
                failed = refuse(fresh, refused.reason, retryable=refused.retryable)
                if await repository.insert_if_absent(tx.conn, failed, now, portal):
                    log.info("refused by the candidate's limits", reason=refused.reason)
                    self._emit_failed(tx, failed)
                return None
            claimed = claim(fresh)
            if not await repository.insert_if_absent(tx.conn, claimed, now, portal):
                raise ApplicationNotSettled("claimed by someone else meanwhile")
            return claimed
        claimed = claim(existing)
        if not await repository.save(tx.conn, claimed, expected=existing, now=now):
            raise ApplicationNotSettled("moved by someone else meanwhile")
        return claimed

    async def _refusal(self, tx: Transaction, request: ApplyRequest, applicant: Applicant,
                       portal: str) -> Refusal | None:
        """Whether the candidate's blacklist or daily caps forbid this application today."""
        limits = applicant.limits
        if limits == Limits():
            return None
        await repository.lock_candidate(tx.conn, request.candidate_id)
        now = tx.clock.now()
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        posting = GreenhousePosting.parse(request.apply_url)
        return refusal(
            limits, company=request.company,
            board=posting.board_token if posting else "", portal=portal,
            today_total=await repository.claimed_since(tx.conn, request.candidate_id,
                                                       day_start),
            today_on_portal=await repository.claimed_since(tx.conn, request.candidate_id,
                                                           day_start, portal),
        )

    async def _reconcile(
        self, stored: Application, applicant: Applicant, envelope: Envelope | None
    ) -> Application | None:
        """A row left `submitting` or `unknown`: ask for evidence before ever sending again."""
        log.info("reconciling an unsettled application", state=stored.state,
                 attempts=stored.attempts)
        confirmation: str | None
        evidence_key: str | None
        saved = await self._evidence.saved_confirmation(stored.application_id)
        if self._in_platform(stored):
            # Delivering is the settling transaction itself: one that never committed
            # delivered nothing, so it is delivered now.
            confirmation = IN_PLATFORM_CONFIRMATION
            evidence_key = saved[1] if saved else None
        elif saved is not None:
            confirmation, evidence_key = saved
        else:
            try:
                found = await self._ports.ledger.check(LedgerQuery(
                    stored.application_id, stored.candidate_id, stored.apply_url,
                    applicant.email))
            except LedgerUnavailable as exc:
                raise ApplicationNotSettled(f"cannot check the portal: {exc}") from exc
            if found is None:
                await self._unsettled(stored, envelope)
                return None
            confirmation = found.confirmation if isinstance(found, Applied) else None
            evidence_key = None if not isinstance(found, Applied) else (
                await self._evidence.save_portal_record(
                    stored.application_id, found.confirmation, found.record,
                    self._uow.clock.now()))
        decided = reconcile(stored, confirmation, evidence_key=evidence_key,
                            max_attempts=self._max_attempts)
        async with self._uow.transaction(cause=envelope) as tx:
            if not await self._record(tx, decided, stored):
                return None
            if decided.state is ApplicationState.PENDING:
                log.info("the portal has no such application; applying again")
                return await self._claim_in(tx, decided, _request_of(decided), applicant)
        return None

    async def _unsettled(self, stored: Application, envelope: Envelope | None) -> None:
        """Nothing tells whether it went through: after a while a person is asked, never a
        blind resend; until then the orphan sweep asks the ledgers again."""
        now = self._uow.clock.now()
        if not orphan_review_due(stored, now, self._orphan_review_after):
            raise NothingTellsYet("nothing tells yet whether it went through; asking again later")
        asked = asked_about(stored)
        async with self._uow.transaction(cause=envelope) as tx:
            await repository.mark_review_asked(tx.conn, stored.application_id, now)
            tx.emit(ApplicationNeedsReview(
                application_id=asked.application_id, candidate_id=asked.candidate_id,
                job_id=asked.job_id, question=ORPHAN_QUESTION, apply_url=asked.apply_url,
                resume_version_id=asked.resume_version_id,
            ))
        log.info("nothing tells whether it went through; a person is asked")

    async def answered_sent(self, task_id: uuid.UUID, tx: Transaction) -> None:
        """A reviewer rejected resending an orphan they were asked about: it went through."""
        application_id = await repository.asked_in_task(tx.conn, task_id)
        if application_id is None:
            return
        stored = await repository.load_for_update(tx.conn, application_id)
        if stored is None or not stored.review_asked or next_step(stored) is not Step.RECONCILE:
            return
        with structlog.contextvars.bound_contextvars(application_id=str(application_id)):
            log.info("a reviewer saw it went through")
            await self._record(tx, answered_sent(stored), stored)

    async def _submit(
        self, application: Application, applicant: Applicant, envelope: Envelope | None
    ) -> None:
        screening = await self._screening(application, applicant)
        if screening is not None and screening[1].missing:
            visit = Visit(NeedsReview(
                "the job's screening questions ask what the candidate's facts do not answer",
                question="; ".join(screening[1].missing)[:500]))
        else:
            visit = await self._visit(application, applicant)
            if screening is not None:
                visit = dataclasses.replace(visit, answers=screening[1].recorded)
        outcome = visit.outcome
        now = self._uow.clock.now()
        if isinstance(outcome, Confirmed):
            key = await self._evidence.save_confirmation(
                application.application_id, outcome.confirmation, visit.evidence, now,
                sent=visit.sent, answers=visit.answers)
            outcome = Confirmed(outcome.confirmation, key)
        elif visit.evidence is not None:
            await self._evidence.save_failed_visit(
                application.application_id, application.attempts, visit.evidence)
        settled = settle(application, outcome, max_attempts=self._max_attempts)
        async with self._uow.transaction(cause=envelope) as tx:
            recorded = await self._record(tx, settled, application, outcome)
            if recorded and screening is not None \
                    and settled.state is ApplicationState.SUBMITTED:
                asked, answered = screening
                tx.emit(ScreeningAnswersGiven(
                    application_id=application.application_id,
                    candidate_id=application.candidate_id, job_id=application.job_id,
                    questionnaire_id=asked.questionnaire_id, version=asked.version,
                    answers=answered.answers, sources=answered.sources))
        if settled.state not in (ApplicationState.SUBMITTED, ApplicationState.FAILED,
                                 ApplicationState.WAITING):
            if isinstance(outcome, Deferred) and outcome.outage:
                raise BrowserAway(outcome.reason)
            raise ApplicationNotSettled(f"{settled.state}: {settled.reason}")

    async def settle_orphans(self, older_than: datetime) -> int:
        """Settle rows left `submitting`/`unknown` by a crash whose event was committed past.

        Only rows nobody holds the lock of are touched: a held lock means a live worker. The
        row is read again under the lock, so one that settled meanwhile is left alone.
        """
        async with self._uow.transaction() as tx:
            candidates = await repository.unsettled_before(tx.conn, older_than)
        settled = 0
        for application_id in candidates:
            with structlog.contextvars.bound_contextvars(application_id=str(application_id)):
                try:
                    settled += await self._settle_orphan(application_id)
                except NothingTellsYet as exc:
                    log.info("orphaned application waits", reason=str(exc))
                except (ApplicationNotSettled, PermanentError) as exc:
                    log.warning("orphaned application still unsettled", error=str(exc))
        return settled

    async def orphans(self) -> repository.Orphans:
        """How many applications are left unsettled, and since when the oldest one is."""
        async with self._uow.transaction() as tx:
            return await repository.orphans(tx.conn)

    async def _settle_orphan(self, application_id: uuid.UUID) -> int:
        async with repository.exclusive(self._uow.engine, application_id) as mine:
            if not mine:
                return 0
            async with self._uow.transaction() as tx:
                stored = await repository.load_for_update(tx.conn, application_id)
            if stored is None or next_step(stored) is not Step.RECONCILE:
                return 0
            applicant = await self._ports.candidates.applicant(stored.candidate_id)
            if applicant is None:
                raise PermanentError(f"no contact details for candidate {stored.candidate_id}")
            log.info("sweeping an orphaned application", state=stored.state)
            claimed = await self._reconcile(stored, applicant, None)
            if claimed is not None:
                await self._submit(claimed, applicant, None)
            return 1

    async def resume_waiting(self, candidate_id: uuid.UUID, portal: str,
                             envelope: Envelope) -> None:
        """A new session on `portal`: the candidate's applications that waited for one go on."""
        async with self._uow.transaction() as tx:
            waiting = await repository.waiting_on(tx.conn, candidate_id, portal)
        unsettled: ApplicationNotSettled | None = None
        for application_id in waiting:
            async with self._uow.transaction() as tx:
                stored = await repository.load_for_update(tx.conn, application_id)
            if stored is None or next_step(stored) is not Step.SUBMIT:
                continue
            log.info("a new session; the application goes on",
                     application_id=str(application_id))
            try:
                await self.apply(_request_of(stored), envelope)
            except ApplicationNotSettled as exc:
                unsettled = unsettled or exc  # the others still get their turn
        if unsettled is not None:
            raise unsettled

    async def give_up_waiting(self, older_than: datetime) -> int:
        """Fail applications that waited for a session since before `older_than`."""
        async with self._uow.transaction() as tx:
            waiting = await repository.waiting_since(tx.conn, older_than)
        given_up = 0
        for application_id in waiting:
            async with repository.exclusive(self._uow.engine, application_id) as mine:
                if not mine:
                    continue
                async with self._uow.transaction() as tx:
                    stored = await repository.load_for_update(tx.conn, application_id)
                    if stored is None or stored.state is not ApplicationState.WAITING:
                        continue
                    reason = f"no new portal session came in time ({stored.reason})"
                    given_up += await self._record(tx, stop_waiting(stored, reason[:500]),
                                                   stored)
        return given_up

    async def _session(self, application: Application) -> PortalSession | None:
        return await self._ports.sessions.session(application.candidate_id,
                                                  portal_of(application.apply_url))

    async def _after_signed_out(self, application: Application, visit: Visit,
                                session: PortalSession | None) -> Visit:
        """Whether the application waits: not when a new session came in during the visit."""
        assert isinstance(visit.outcome, SignedOut)
        now = await self._ports.sessions.fingerprint(application.candidate_id,
                                                     portal_of(application.apply_url))
        if now != (session.fingerprint if session else None):
            return dataclasses.replace(visit, outcome=Deferred(
                "a new session came in during the visit; trying again with it"))
        return dataclasses.replace(visit, outcome=dataclasses.replace(
            visit.outcome, expired=session is not None))

    async def _visit(self, application: Application, applicant: Applicant) -> Visit:
        """One visit to the form with the resume file at hand; nothing sent on early errors."""
        if self._in_platform(application):
            log.info("delivering to the employer's pipeline", apply_url=application.apply_url)
            return Visit(Confirmed(IN_PLATFORM_CONFIRMATION))
        async with self._uow.transaction() as tx:
            resume = await repository.resume_file(tx.conn, application.resume_version_id)
        if resume is None:  # checked when claimed; only a deleted row gets here
            return Visit(NotSent(f"resume version {application.resume_version_id} is unknown"))
        try:
            content = await self._ports.blobs.get(resume.blob_key)
        except (OSError, ValueError) as exc:
            return Visit(NotSent(f"cannot read the resume file: {exc}"))
        portal = portal_of(application.apply_url)
        if not await self._ports.switches.allowed(portal, "applying", application.apply_url):
            return Visit(NeedsReview(
                f"automation is off for {portal}",
                question=f"Applying on {portal} is not automated (its terms forbid it, or an "
                         "operator switched it off): apply by hand, or have an operator "
                         "switch it on."))
        with tempfile.TemporaryDirectory(prefix="jams-resume-") as folder:
            path = Path(folder) / _upload_name(applicant, resume.blob_key)
            path.write_bytes(content)
            log.info("applying", apply_url=application.apply_url, attempt=application.attempts)
            try:
                session = await self._session(application)
                async with self._ports.gate.visit(portal_of(application.apply_url),
                                                  session=str(application.candidate_id)) as ticket:
                    with tracing.span("apply through the browser", service="application_bot",
                                      attributes={"jams.apply_url": application.apply_url}):
                        async with self._ports.browser.page(
                                session.storage_state if session else None,
                                upstream=ticket.upstream) as page:
                            visit = await self._ports.applier.apply(
                                page, application.apply_url, applicant, path)
                    ticket.report(visit.outcome)
                if isinstance(visit.outcome, SignedOut):
                    visit = await self._after_signed_out(application, visit, session)
                return visit
            except PortalUnavailable as exc:
                log.info("portal unavailable; the application waits", reason=str(exc))
                return Visit(Deferred(str(exc)))
            except BrowserUnavailable as exc:
                log.warning("browser unavailable; the application waits", reason=str(exc))
                return Visit(Deferred(f"browser unavailable: {exc}", outage=True))
            except BrowserError as exc:
                # Only the browser's own context or tab set-up or teardown gets here, never
                # the form's submission, which the applier reports as an outcome.
                return Visit(NotSent(f"browser failed: {exc}"))

    async def _screening(self, application: Application, applicant: Applicant,
                         ) -> tuple[JobQuestions, ScreeningAnswers] | None:
        """An employer job's screening questions, answered from the candidate's facts; None
        for a job applied for elsewhere (its form asks its own) or one that asks nothing."""
        if not self._in_platform(application):
            return None
        asked = await self._ports.screening.questions(application.job_id)
        if asked is None:
            return None
        fit = await self._ports.screening.fit_answers(application.candidate_id)
        return asked, answer_screening(asked.questions, applicant.answers, fit)

    def _in_platform(self, order: Application | ApplyRequest) -> bool:
        return in_platform(order.job_id, order.apply_url, self._employer_apply_url)

    async def _record(self, tx: Transaction, after: Application, before: Application,
                      outcome: Outcome | None = None) -> bool:
        """Store a settled state and emit what it means; False if the row moved meanwhile."""
        if not await repository.save(tx.conn, after, expected=before, now=tx.clock.now()):
            log.warning("application moved under us; leaving it", state=after.state)
            return False
        log.info("application settled", state=after.state, reason=after.reason)
        if after.state is ApplicationState.SUBMITTED:
            tx.emit(ApplicationSubmitted(
                application_id=after.application_id, candidate_id=after.candidate_id,
                job_id=after.job_id, resume_version_id=after.resume_version_id,
                confirmation=after.confirmation or "", evidence_key=after.evidence_key,
            ))
        elif isinstance(outcome, SignedOut) and after.state is ApplicationState.WAITING:
            # The candidate is asked for a new session; it resumes the application.
            tx.emit(PortalSessionNeeded(
                application_id=after.application_id, candidate_id=after.candidate_id,
                job_id=after.job_id, portal=portal_of(after.apply_url), expired=outcome.expired,
                wait_until=tx.clock.now() + self._session_wait))
        elif isinstance(review := outcome, NeedsReview):
            # Not a failure to report but a question to put to a person: the review queue's.
            tx.emit(ApplicationNeedsReview(
                application_id=after.application_id, candidate_id=after.candidate_id,
                job_id=after.job_id, question=review.question[:1000],
                apply_url=after.apply_url, resume_version_id=after.resume_version_id,
            ))
        elif after.state is ApplicationState.FAILED:
            self._emit_failed(tx, after)
        return True

    @staticmethod
    def _emit_failed(tx: Transaction, after: Application) -> None:
        tx.emit(ApplicationFailed(
            application_id=after.application_id, candidate_id=after.candidate_id,
            job_id=after.job_id, reason=after.reason or "unknown", retryable=after.retryable,
        ))


def _request_of(application: Application) -> ApplyRequest:
    return ApplyRequest(application.candidate_id, application.job_id,
                        application.resume_version_id, application.apply_url)


def _upload_name(applicant: Applicant, blob_key: str) -> str:
    """A plain file name the portal shows its recruiters: `Ada_Okafor_resume.pdf`."""
    suffix = Path(blob_key).suffix if Path(blob_key).suffix.isascii() else ""
    stem = "_".join(part for part in (applicant.first_name, applicant.last_name) if part)
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in stem) or "candidate"
    return f"{safe}_resume{suffix[:10]}"
