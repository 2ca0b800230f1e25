"""Review task lifecycle, reviewer status and the commands reviewers send."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from schemas.events import topics
from schemas.events.envelope import EventData


class _TaskEvent(EventData):
    TOPIC: ClassVar[str] = topics.REVIEW_TASKS
    KEY_FIELD: ClassVar[str] = "task_id"

    task_id: uuid.UUID


class ReviewTaskCreated(_TaskEvent):
    """A review task entered the queue."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskCreated"
    DESCRIPTION: ClassVar[str] = "A task was queued for human review."

    match_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    score: float
    priority: float = 0.0


class _TaskContent(_TaskEvent):
    """What a reviewer reads of a task: the match, its explanation, the resume to tailor."""

    match_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID | None = None
    job_title: str = ""
    company: str = ""
    score: float = 0.0
    explanation: list[str] = Field(default_factory=list)
    breakdown: dict[str, float] = Field(
        default_factory=dict, description="Score components by name, each a fraction 0-1")
    matched_skills: list[str] = Field(default_factory=list)
    missing_skills: list[str] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list, description="Tailoring hints")
    resume_blob_key: str | None = Field(
        default=None, max_length=600, description="Blob-store key of the resume to tailor")
    question: str | None = Field(
        default=None, max_length=1000,
        description="A screening question the application bot could not answer, if that is "
                    "why the task exists")
    job_changes: list[str] = Field(
        default_factory=list, description="What changed in the job since it was scored")


class ReviewTaskAssigned(_TaskContent):
    """A task was given to one reviewer; the SLA timer runs until `due_at`."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskAssigned"
    DESCRIPTION: ClassVar[str] = "A task was assigned to a reviewer."

    reviewer_id: uuid.UUID
    due_at: AwareDatetime


class ReviewTaskJobChanged(_TaskEvent):
    """The job of an open task was edited: the task shows its new text and what changed."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskJobChanged"
    DESCRIPTION: ClassVar[str] = "An open task's job changed; the task now shows the new text."

    job_id: uuid.UUID
    reviewer_id: uuid.UUID | None = Field(default=None, description="Who holds it, if anyone")
    job_title: str
    apply_url: str
    job_changes: list[str]


class ReviewTaskWarning(_TaskEvent):
    """The SLA deadline is close."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskWarning"
    DESCRIPTION: ClassVar[str] = "Five minutes (by default) remain on an assigned task."

    reviewer_id: uuid.UUID
    due_at: AwareDatetime


class ReviewTaskMissed(_TaskEvent):
    """The SLA ran out; the task was revoked and re-queued."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskMissed"
    DESCRIPTION: ClassVar[str] = "A reviewer let the SLA expire; the task returns to the queue."

    reviewer_id: uuid.UUID


class TaskCompleted(_TaskEvent):
    """A reviewer approved the application, possibly with a new resume version."""

    TYPE: ClassVar[str] = "jams.review.TaskCompleted"
    DESCRIPTION: ClassVar[str] = "Review done; the bot applies with the chosen resume version."

    reviewer_id: uuid.UUID
    match_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID
    apply_url: str


class TaskRejected(_TaskEvent):
    """A reviewer decided not to apply."""

    TYPE: ClassVar[str] = "jams.review.TaskRejected"
    DESCRIPTION: ClassVar[str] = "Review done; no application is made."

    reviewer_id: uuid.UUID
    reason: str = Field(default="", max_length=2000)


class _ReviewerEvent(EventData):
    TOPIC: ClassVar[str] = topics.REVIEWERS
    KEY_FIELD: ClassVar[str] = "reviewer_id"

    reviewer_id: uuid.UUID


class ReviewerStruck(_ReviewerEvent):
    """A reviewer received a strike for a missed task."""

    TYPE: ClassVar[str] = "jams.review.ReviewerStruck"
    DESCRIPTION: ClassVar[str] = "A strike was recorded against a reviewer."

    task_id: uuid.UUID
    strikes: int = Field(ge=1)


class ReviewerLocked(_ReviewerEvent):
    """A reviewer's account was locked pending a supervisor's review."""

    TYPE: ClassVar[str] = "jams.review.ReviewerLocked"
    DESCRIPTION: ClassVar[str] = "Too many strikes; the account is locked for review."

    strikes: int = Field(ge=1)


class ReviewerAccessChanged(_ReviewerEvent):
    """An admin disabled or re-enabled a reviewer's account, or gave it another role."""

    TYPE: ClassVar[str] = "jams.review.ReviewerAccessChanged"
    DESCRIPTION: ClassVar[str] = (
        "A reviewer's account may no longer take review work (disabled, or no longer a "
        "reviewer): nothing more is offered and what they hold goes back to the queue; or may "
        "again.")

    may_review: bool


class ReviewTaskWithdrawn(_TaskEvent):
    """The workflow took a task back from a reviewer who may no longer review."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskWithdrawn"
    DESCRIPTION: ClassVar[str] = (
        "An offered or accepted task was taken from a reviewer whose account was disabled or "
        "given another role; it returns to the queue (no strike).")

    reviewer_id: uuid.UUID


class ReviewerPresenceChanged(_ReviewerEvent):
    """A reviewer connected, disconnected or changed status."""

    TYPE: ClassVar[str] = "jams.review.ReviewerPresenceChanged"
    DESCRIPTION: ClassVar[str] = "Presence as seen by the gateway."

    status: Literal["available", "busy", "away", "offline"]


class _ReviewCommand(EventData):
    TOPIC: ClassVar[str] = topics.REVIEW_COMMANDS
    KEY_FIELD: ClassVar[str] = "task_id"

    task_id: uuid.UUID
    reviewer_id: uuid.UUID


class CompleteReviewTask(_ReviewCommand):
    """Order from a reviewer: apply, with this resume version."""

    TYPE: ClassVar[str] = "jams.review.CompleteReviewTask"
    DESCRIPTION: ClassVar[str] = "Command: a reviewer finished a task and approves applying."

    resume_version_id: uuid.UUID | None = None


class RejectReviewTask(_ReviewCommand):
    """Order from a reviewer: do not apply."""

    TYPE: ClassVar[str] = "jams.review.RejectReviewTask"
    DESCRIPTION: ClassVar[str] = "Command: a reviewer decided against applying."

    reason: str = Field(default="", max_length=2000)


class ReviewTaskOffered(_TaskContent):
    """A task was offered to one reviewer, who must accept it before `offer_expires_at`."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskOffered"
    DESCRIPTION: ClassVar[str] = "A task was offered to a reviewer; the SLA starts on acceptance."

    reviewer_id: uuid.UUID
    offer_expires_at: AwareDatetime
    priority: float = 0.0


class ReviewTaskOfferExpired(_TaskEvent):
    """An offer went unanswered; the task returns to the queue without a strike."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskOfferExpired"
    DESCRIPTION: ClassVar[str] = "An offer was not accepted in time; the reviewer is set away."

    reviewer_id: uuid.UUID


class ReviewTaskHandedBack(_TaskEvent):
    """A reviewer gave a task back; it returns to the queue."""

    TYPE: ClassVar[str] = "jams.review.ReviewTaskHandedBack"
    DESCRIPTION: ClassVar[str] = "A reviewer handed a task back (a strike only after the warning)."

    reviewer_id: uuid.UUID
    struck: bool = False
    declined_offer: bool = Field(
        default=False, description="The task was only offered: the reviewer is set away")


class ReviewerStrikeWarning(_ReviewerEvent):
    """A reviewer reached the warning strike count; they and their supervisor are told."""

    TYPE: ClassVar[str] = "jams.review.ReviewerStrikeWarning"
    DESCRIPTION: ClassVar[str] = "Third strike in the window: a warning to reviewer and supervisor."

    strikes: int = Field(ge=1)
    supervisor_id: uuid.UUID | None = None


class ReviewerUnlocked(_ReviewerEvent):
    """An admin reviewed a locked account and unlocked it."""

    TYPE: ClassVar[str] = "jams.review.ReviewerUnlocked"
    DESCRIPTION: ClassVar[str] = "A locked reviewer was unlocked by an admin, with a reason."

    admin_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class UnlockReviewer(_ReviewerEvent):
    """Order from an admin: unlock this reviewer."""

    TYPE: ClassVar[str] = "jams.review.UnlockReviewer"
    DESCRIPTION: ClassVar[str] = "Command: an admin unlocks a reviewer, giving a reason."

    admin_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class AcceptReviewTask(_ReviewCommand):
    """Order from a reviewer: I take the offered task; the SLA starts now."""

    TYPE: ClassVar[str] = "jams.review.AcceptReviewTask"
    DESCRIPTION: ClassVar[str] = "Command: a reviewer accepts an offered task."


class HandBackReviewTask(_ReviewCommand):
    """Order from a reviewer: give this task to someone else."""

    TYPE: ClassVar[str] = "jams.review.HandBackReviewTask"
    DESCRIPTION: ClassVar[str] = "Command: a reviewer hands an offered or assigned task back."
