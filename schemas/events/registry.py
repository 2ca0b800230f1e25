"""Every event type the system speaks, and how to turn an envelope into its model."""

from __future__ import annotations

from collections.abc import Mapping

from schemas.events.applications import (
    ApplicationFailed,
    ApplicationNeedsReview,
    ApplicationSubmitted,
)
from schemas.events.candidates import (
    CandidateErased,
    UpdateAnswerBank,
    UpdateCandidatePreferences,
)
from schemas.events.config import ScoringConfigChanged
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobDiscovered, JobExpired, JobPublished, ScrapeRunCompleted
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchesScored,
    MatchRejected,
    MatchScored,
)
from schemas.events.notifications import NotificationDelivered
from schemas.events.resumes import ResumeFileUploaded, ResumeVersionCreated
from schemas.events.review import (
    AcceptReviewTask,
    CompleteReviewTask,
    HandBackReviewTask,
    RejectReviewTask,
    ReviewerLocked,
    ReviewerPresenceChanged,
    ReviewerStrikeWarning,
    ReviewerStruck,
    ReviewerUnlocked,
    ReviewTaskAssigned,
    ReviewTaskCreated,
    ReviewTaskHandedBack,
    ReviewTaskMissed,
    ReviewTaskOffered,
    ReviewTaskOfferExpired,
    ReviewTaskWarning,
    TaskCompleted,
    TaskRejected,
    UnlockReviewer,
)

EVENT_TYPES: tuple[type[EventData], ...] = (
    JobDiscovered,
    JobPublished,
    JobExpired,
    ScrapeRunCompleted,
    SourceBlocked,
    ScrapeAnomalyDetected,
    ResumeVersionCreated,
    ResumeFileUploaded,
    MatchScored,
    ApplicationApproved,
    ManualReviewRequired,
    MatchRejected,
    MatchesScored,
    ReviewTaskCreated,
    ReviewTaskAssigned,
    ReviewTaskWarning,
    ReviewTaskMissed,
    TaskCompleted,
    TaskRejected,
    ReviewerStruck,
    ReviewerLocked,
    ReviewerPresenceChanged,
    CompleteReviewTask,
    RejectReviewTask,
    ReviewTaskOffered,
    ReviewTaskOfferExpired,
    ReviewTaskHandedBack,
    ReviewerStrikeWarning,
    ReviewerUnlocked,
    UnlockReviewer,
    AcceptReviewTask,
    HandBackReviewTask,
    ApplicationSubmitted,
    ApplicationFailed,
    ApplicationNeedsReview,
    NotificationDelivered,
    UpdateCandidatePreferences,
    UpdateAnswerBank,
    CandidateErased,
    ScoringConfigChanged,
)

BY_TYPE: Mapping[str, type[EventData]] = {model.TYPE: model for model in EVENT_TYPES}


class UnknownEventType(ValueError):
    """The envelope names a type this build does not know."""


def topic_of(event_type: str) -> str:
    """The topic an event type is published on."""
    return model_for(event_type).TOPIC


def model_for(event_type: str) -> type[EventData]:
    try:
        return BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(f"unknown event type {event_type!r}") from None


def parse_data(envelope: Envelope) -> EventData:
    """Validate an envelope's `data` against its type's model."""
    return model_for(envelope.type).model_validate(envelope.data)


def topics_in_use() -> list[str]:
    """All topics, in a stable order."""
    return sorted({model.TOPIC for model in EVENT_TYPES})
