"""A LinkedIn Easy Apply-style flow: a job page whose modal walks through steps to a submit."""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from sandbox.portal.submissions import Submission, SubmissionStore, page_of

BOARD = "linkedin"  # how its submissions are told apart in the portal's record
MEMBER_COOKIE = "sandbox_member"  # a signed-in member's e-mail: the sandbox's session
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
CONTACT_FIELDS = (("first_name", "First name", "text"), ("last_name", "Last name", "text"),
                  ("email", "Email address", "email"), ("phone", "Mobile phone number", "tel"))
MAX_FIELD_CHARS = 255
MAX_RESUME_BYTES = 2 * 1024 * 1024
RESUME_EXTENSIONS = frozenset({".pdf", ".doc", ".docx", ".txt"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Question:
    """A screening question of the modal's 'Additional Questions' step."""

    name: str
    label: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class EasyApplyJob:
    """One posting with Easy Apply; `changed` renders the modal as a redesigned site would."""

    id: int
    title: str
    company: str
    location: str
    description: str
    questions: tuple[Question, ...] = ()
    open: bool = True
    changed: bool = False


_YES_NO = ("Yes", "No")
PYTHON_YEARS = Question("q_python_years",
                        "How many years of work experience do you have with Python?")
AUTHORIZED = Question("q_work_auth", "Are you legally authorized to work in the European Union?",
                      _YES_NO)
SPONSORSHIP = Question("q_sponsorship",
                       "Will you now or in the future require sponsorship for employment visa "
                       "status?", _YES_NO)
SALARY = Question("q_salary", "What is your expected annual salary in EUR?")

SEED_EASY_APPLY_JOBS = (
    EasyApplyJob(3901000001, "Senior Python Engineer", "Initech", "Berlin, Germany",
                 "Build payment services in Python.", (PYTHON_YEARS, AUTHORIZED, SPONSORSHIP)),
    EasyApplyJob(3901000002, "Staff Engineer", "Initech", "Remote",
                 "Lead the platform team.", (PYTHON_YEARS, SALARY)),
    EasyApplyJob(3901000003, "Backend Engineer", "Initech", "Remote",
                 "Services and data.", (PYTHON_YEARS,), changed=True),
    EasyApplyJob(3901000004, "Platform Engineer", "Initech", "Remote", "Kubernetes.", ()),
)


def easy_apply_router(store: SubmissionStore,
                      jobs: tuple[EasyApplyJob, ...] = SEED_EASY_APPLY_JOBS) -> APIRouter:
    """`/jobs/view/{id}/apply` pages (LinkedIn's apply URL), recorded in the portal's `store`."""
    router = APIRouter()
    lock = threading.Lock()
    catalog = {job.id: job for job in jobs}

    def page(request: Request, job: EasyApplyJob, errors: list[str], status: int) -> Response:
        # A member's session (the cookie stands in for LinkedIn's li_at) sees whether they
        # applied already, as the real top card shows "Applied ... ago".
        member = request.cookies.get(MEMBER_COOKIE, "")
        applied = store.applied(BOARD, job.id, member) if member else None
        return TEMPLATES.TemplateResponse(request, "easy_apply.html", {
            "job": job, "errors": errors, "contact_fields": CONTACT_FIELDS, "member": member,
            "applied": applied,
        }, status_code=status)

    @router.get("/jobs/view/{job_id}/apply")
    async def view(request: Request, job_id: int) -> Response:
        job = catalog.get(job_id)
        if job is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return page(request, job, [], 200)

    @router.post("/jobs/view/{job_id}/apply/submit")
    async def apply(request: Request, job_id: int) -> Response:
        job = catalog.get(job_id)
        if job is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        if not job.open:
            return page(request, job, ["This job is no longer accepting applications."], 410)
        submission, errors = await _read(request, job, store)
        if submission is None:
            return page(request, job, errors, 400)
        store.add(submission, page_of(request))
        return TEMPLATES.TemplateResponse(request, "easy_apply_sent.html",
                                          {"job": job, "submission": submission})

    @router.post("/_sandbox/easy-apply/{job_id}/close")
    async def close(job_id: int) -> JSONResponse:
        with lock:
            job = catalog.get(job_id)
            if job is None:
                return JSONResponse({"error": "not found"}, status_code=404)
            catalog[job_id] = replace(job, open=False)
        return JSONResponse({"closed": True, "id": job_id})

    return router


async def _read(request: Request, job: EasyApplyJob,
                store: SubmissionStore) -> tuple[Submission | None, list[str]]:
    """The submission, or the errors the modal shows; every field and question is required."""
    try:
        form = await request.form(max_files=2, max_fields=50)
    except HTTPException:
        return None, ["Your application could not be read."]
    fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    names = [name for name, _, _ in CONTACT_FIELDS] + [q.name for q in job.questions]
    errors = [f"{name} is required" for name in names if not fields.get(name)]
    errors += [f"{name} is too long" for name, value in fields.items()
               if len(value) > MAX_FIELD_CHARS]
    if fields.get("email") and not _EMAIL.match(fields["email"]):
        errors.append("Enter a valid email address")
    for question in job.questions:
        if question.options and fields.get(question.name) not in (*question.options, None, ""):
            errors.append(f"{question.name}: choose one of the options")
    resume = form.get("resume")
    content, filename = b"", ""
    if not isinstance(resume, UploadFile) or not resume.filename:
        errors.append("A resume is required")
    else:
        filename = PurePath(resume.filename).name
        content = await resume.read(MAX_RESUME_BYTES + 1)
        if PurePath(filename).suffix.lower() not in RESUME_EXTENSIONS or not content:
            errors.append("Upload a PDF, DOC, DOCX or TXT resume")
        elif len(content) > MAX_RESUME_BYTES:
            errors.append("The resume is larger than 2 MB")
    await form.close()
    if errors:
        return None, errors
    return Submission(
        confirmation_id=uuid.uuid4().hex, board_token=BOARD, job_id=job.id,
        fields={k: v for k, v in fields.items() if k in names}, resume_filename=filename,
        resume_sha256=hashlib.sha256(content).hexdigest(), resume_size=len(content),
        submitted_at=store.now().isoformat(),
    ), []
