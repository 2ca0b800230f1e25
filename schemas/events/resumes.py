"""Resume events."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import Field

from schemas.events import topics
from schemas.events.envelope import EventData


class ResumeVersionCreated(EventData):
    """A new immutable resume version exists for a candidate."""

    TYPE: ClassVar[str] = "jams.resumes.ResumeVersionCreated"
    TOPIC: ClassVar[str] = topics.RESUMES
    KEY_FIELD: ClassVar[str] = "candidate_id"
    DESCRIPTION: ClassVar[str] = "A candidate or reviewer stored a new resume version."

    candidate_id: uuid.UUID
    resume_version_id: uuid.UUID
    blob_key: str = Field(description="Key of the file in the blob store")
    content_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    created_by: Literal["candidate", "reviewer", "seed"] = "candidate"
    task_id: uuid.UUID | None = Field(default=None, description="Review task it was made for")
