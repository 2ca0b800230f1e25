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


class ResumeFileUploaded(EventData):
    """A resume file passed the upload checks and is in the blob store; not yet a version."""

    TYPE: ClassVar[str] = "jams.resumes.ResumeFileUploaded"
    TOPIC: ClassVar[str] = topics.RESUME_UPLOADS
    KEY_FIELD: ClassVar[str] = "candidate_id"
    DESCRIPTION: ClassVar[str] = (
        "The gateway checked and stored an uploaded resume file; the ATS engine makes it a "
        "resume version (once per content) and announces ResumeVersionCreated.")

    candidate_id: uuid.UUID
    resume_version_id: uuid.UUID = Field(
        description="The version this file becomes: the same for the same bytes and candidate")
    blob_key: str = Field(description="Key of the file in the blob store")
    content_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: Literal["pdf", "docx", "text"]
    filename: str = Field(default="", max_length=300)
    created_by: Literal["candidate", "reviewer", "seed"] = "candidate"
    task_id: uuid.UUID | None = Field(default=None, description="Review task it was made for")
    uploaded_by: uuid.UUID | None = Field(default=None, description="The user who uploaded it")
