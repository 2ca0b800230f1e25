"""What every hosted application flow of the sandbox does with a posted form."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from pathlib import PurePath

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from sandbox.portal.submissions import Submission, SubmissionStore

MAX_FIELD_CHARS = 2000
MAX_RESUME_BYTES = 5 * 1024 * 1024
RESUME_EXTENSIONS = frozenset({".pdf", ".doc", ".docx", ".txt", ".rtf", ".odt"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def read_submission(
    request: Request, store: SubmissionStore, *, board: str, job_id: int,
    required: Sequence[str], resume_field: str, email_field: str = "email",
) -> tuple[Submission | None, list[str]]:
    """The submission, or the messages the page shows back; nothing is recorded here."""
    try:
        form = await request.form(max_files=3, max_fields=100)
    except HTTPException:
        return None, ["Your application could not be read. Please try again."]
    fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    errors = [f"{name} is required" for name in required if not fields.get(name)]
    errors += [f"{name} is too long" for name, value in fields.items()
               if len(value) > MAX_FIELD_CHARS]
    if fields.get(email_field) and not _EMAIL.match(fields[email_field]):
        errors.append("Enter a valid email address")
    resume = form.get(resume_field)
    content, filename = b"", ""
    if not isinstance(resume, UploadFile) or not resume.filename:
        errors.append("A resume is required")
    else:
        filename = PurePath(resume.filename).name
        content = await resume.read(MAX_RESUME_BYTES + 1)
        if PurePath(filename).suffix.lower() not in RESUME_EXTENSIONS or not content:
            errors.append("Upload a PDF, DOC, DOCX, ODT, RTF or TXT resume")
        elif len(content) > MAX_RESUME_BYTES:
            errors.append("The resume is larger than 5 MB")
    await form.close()
    if errors:
        return None, errors
    return Submission(
        confirmation_id=uuid.uuid4().hex, board_token=board, job_id=job_id,
        fields={k: v for k, v in fields.items() if v}, resume_filename=filename,
        resume_sha256=hashlib.sha256(content).hexdigest(), resume_size=len(content),
        submitted_at=store.now().isoformat(),
    ), []
