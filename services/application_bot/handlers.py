"""What the bot does on each event: remember resume files, apply on approval or review."""

from __future__ import annotations

from infra.bus.bus import PermanentError
from infra.portal_sessions import session_blob_key
from infra.uow import Transaction
from schemas.events.candidates import PortalSessionProvided
from schemas.events.envelope import Envelope
from schemas.events.matching import ApplicationApproved
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import ReviewTaskCreated, TaskCompleted, TaskRejected
from services.application_bot import repository
from services.application_bot.applying import ApplicationBot
from services.application_bot.domain import ApplyRequest, application_id


async def on_resume_version_created(event: ResumeVersionCreated, tx: Transaction) -> None:
    """Remember which file a resume version is, to upload it when applying."""
    await repository.remember_resume_version(
        tx.conn,
        repository.ResumeFile(event.resume_version_id, event.candidate_id, event.blob_key),
        event.content_sha256,
        tx.clock.now(),
    )


class ApplyHandlers:
    """Raw handlers: both kinds of approval become one apply order for the same bot."""

    def __init__(self, bot: ApplicationBot) -> None:
        self._bot = bot

    async def on_application_approved(self, event: ApplicationApproved, envelope: Envelope) -> None:
        await self._bot.apply(ApplyRequest(event.candidate_id, event.job_id,
                                           event.resume_version_id, event.apply_url,
                                           event.company), envelope)

    async def on_task_completed(self, event: TaskCompleted, envelope: Envelope) -> None:
        await self._bot.apply(ApplyRequest(event.candidate_id, event.job_id,
                                           event.resume_version_id, event.apply_url), envelope,
                              answering=event.task_id)

    async def on_portal_session_provided(self, event: PortalSessionProvided,
                                         envelope: Envelope) -> None:
        """The session itself stays in the blob store until a visit opens it."""
        if event.blob_key != session_blob_key(event.candidate_id, event.portal):
            raise PermanentError("a portal session outside the candidate's sessions folder")
        await self._bot.resume_waiting(event.candidate_id, event.portal, envelope)

    async def on_task_rejected(self, event: TaskRejected, tx: Transaction) -> None:
        """Rejecting a task that asked whether an orphan went through says it did."""
        await self._bot.answered_sent(event.task_id, tx)


async def on_review_task_created(event: ReviewTaskCreated, tx: Transaction) -> None:
    """Remember the task that asks about an orphan: the bot's questions name the application
    itself as their match, so its rejection can be told from any other."""
    if event.match_id == application_id(event.candidate_id, event.job_id):
        await repository.note_review_task(tx.conn, event.match_id, event.task_id)
