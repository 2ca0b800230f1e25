"""A Lever-style hosted application page (`/{site}/{posting_id}/apply`): one form, one page.

Lever asks for a full name rather than first and last, and custom questions as "cards"; a
closed posting shows a notice instead of the form. Submissions land in the portal's record
under the board `lever-<site>`.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from sandbox.portal.apply_flows.easy_apply import AUTHORIZED, Question
from sandbox.portal.submissions import Submission, SubmissionStore

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
REQUIRED = ("name", "email")
MAX_FIELD_CHARS = 255
MAX_RESUME_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class LeverPosting:
    site: str
    id: uuid.UUID
    number: int  # the portal record keeps numeric job ids
    text: str
    company: str
    location: str
    questions: tuple[Question, ...] = ()
    open: bool = True


SEED_LEVER_POSTINGS = (
    LeverPosting("hooli", uuid.UUID("5ac21346-8e0c-4494-8e7a-3eb92ff77902"), 6100000001,
                 "Senior Backend Engineer", "Hooli", "Berlin", (AUTHORIZED,)),
    LeverPosting("hooli", uuid.UUID("0f1e2d3c-4b5a-4968-8778-695a4b3c2d1e"), 6100000002,
                 "Data Engineer", "Hooli", "Remote"),
)


def lever_router(store: SubmissionStore,
                 postings: tuple[LeverPosting, ...] = SEED_LEVER_POSTINGS) -> APIRouter:
    """The hosted apply pages of `postings`, recording into the portal's `store`."""
    router = APIRouter()
    lock = threading.Lock()
    catalog = {(p.site, p.id): p for p in postings}

    def find(site: str, posting_id: str) -> LeverPosting | None:
        try:
            return catalog.get((site, uuid.UUID(posting_id)))
        except ValueError:
            return None

    @router.get("/{site}/{posting_id}/apply")
    async def page(request: Request, site: str, posting_id: str) -> Response:
        posting = find(site, posting_id)
        if posting is None:
            return JSONResponse({"ok": False, "error": "Document not found"}, status_code=404)
        return TEMPLATES.TemplateResponse(request, "lever_apply.html",
                                          {"posting": posting, "errors": []})

    @router.post("/{site}/{posting_id}/apply")
    async def apply(request: Request, site: str, posting_id: str) -> Response:
        posting = find(site, posting_id)
        if posting is None:
            return JSONResponse({"ok": False, "error": "Document not found"}, status_code=404)
        submission, errors = (await _read(request, posting, store)) if posting.open else (
            None, ["This job posting is no longer open."])
        if submission is None:
            return TEMPLATES.TemplateResponse(request, "lever_apply.html",
                                              {"posting": posting, "errors": errors},
                                              status_code=400)
        store.add(submission)
        return TEMPLATES.TemplateResponse(request, "lever_thanks.html",
                                          {"posting": posting, "submission": submission})

    @router.post("/_sandbox/lever/{site}/{posting_id}/close")
    async def close(site: str, posting_id: str) -> JSONResponse:
        with lock:
            posting = find(site, posting_id)
            if posting is None:
                return JSONResponse({"ok": False}, status_code=404)
            catalog[(posting.site, posting.id)] = replace(posting, open=False)
        return JSONResponse({"ok": True})

    return router


async def _read(request: Request, posting: LeverPosting,
                store: SubmissionStore) -> tuple[Submission | None, list[str]]:
    try:
        form = await request.form(max_files=2, max_fields=50)
    except HTTPException:
        return None, ["The application could not be read."]
    fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    wanted = [*REQUIRED, *(q.name for q in posting.questions)]
    errors = [f"{name} is required" for name in wanted if not fields.get(name)]
    errors += [f"{k} is too long" for k, v in fields.items() if len(v) > MAX_FIELD_CHARS]
    resume = form.get("resume")
    content, filename = b"", ""
    if not isinstance(resume, UploadFile) or not resume.filename:
        errors.append("Resume/CV is required")
    else:
        filename = PurePath(resume.filename).name
        content = await resume.read(MAX_RESUME_BYTES + 1)
        if not content or len(content) > MAX_RESUME_BYTES:
            errors.append("Resume/CV must be a file of at most 2 MB")
    await form.close()
    if errors:
        return None, errors
    return Submission(
        confirmation_id=uuid.uuid4().hex, board_token=f"lever-{posting.site}",
        job_id=posting.number, fields={k: v for k, v in fields.items() if v},
        resume_filename=filename, resume_sha256=hashlib.sha256(content).hexdigest(),
        resume_size=len(content), submitted_at=store.now().isoformat(),
    ), []
