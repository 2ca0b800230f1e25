"""Reading a posted application form, with the checks Greenhouse makes."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from pathlib import PurePath

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from sandbox.portal.jobs import PortalJob
from sandbox.portal.submissions import Submission

REQUIRED_FIELDS = {"first_name": "First Name", "last_name": "Last Name", "email": "Email"}
MAX_FIELD_CHARS = 255
RESUME_EXTENSIONS = frozenset({".pdf", ".doc", ".docx", ".txt", ".rtf"})
MAX_RESUME_BYTES = 10 * 1024 * 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def read_application(
    request: Request, job: PortalJob, now: datetime
) -> tuple[Submission | None, list[str]]:
    """The submission, or None and the messages the form shows back."""
    try:
        form = await request.form(max_files=5, max_fields=200)
    except HTTPException:
        return None, ["The application could not be read; please try again."]
    fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    errors = [f"{label} is required." for name, label in REQUIRED_FIELDS.items()
              if not fields.get(name)]
    errors += [f"{name} is longer than {MAX_FIELD_CHARS} characters." for name, value
               in fields.items() if len(value) > MAX_FIELD_CHARS]
    if fields.get("email") and not _EMAIL.match(fields["email"]):
        errors.append("Email is not a valid email address.")
    resume = form.get("resume")
    content = b""
    filename = ""
    if not isinstance(resume, UploadFile) or not resume.filename:
        errors.append("Resume/CV is required.")
    else:
        filename = PurePath(resume.filename).name
        content = await resume.read(MAX_RESUME_BYTES + 1)
        if PurePath(filename).suffix.lower() not in RESUME_EXTENSIONS:
            errors.append("Resume/CV must be a PDF, DOC, DOCX, TXT or RTF file.")
        elif not content:
            errors.append("Resume/CV is empty.")
        elif len(content) > MAX_RESUME_BYTES:
            errors.append("Resume/CV is larger than 10 MB.")
    await form.close()
    if errors:
        return None, errors
    return Submission(
        confirmation_id=uuid.uuid4().hex,
        board_token=job.board_token,
        job_id=job.id,
        fields=fields,
        resume_filename=filename,
        resume_sha256=hashlib.sha256(content).hexdigest(),
        resume_size=len(content),
        submitted_at=now.isoformat(),
    ), []
