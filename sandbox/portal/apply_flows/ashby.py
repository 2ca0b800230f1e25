"""An Ashby hosted application page (`jobs.ashbyhq.com/{board}/{job_id}/application`).

As Ashby shapes it: an Overview / Application tab pair, system fields `_systemfield_name`,
`_systemfield_email`, `_systemfield_resume`, `_systemfield_location`, the employer's questions
named by their field UUIDs (yes/no questions as a pair of buttons over radio inputs), and a
"Submit Application" button. The page is a client-side app: the form has no action; its
script posts a multipart body to `/api/non-user-graphql?op=ApiSubmitSingleApplicationFormAction`
and swaps the form for a success notice. A job taken down answers 404 ("Job not found").
Submissions land in the portal's record under `ashby-<board>`, the job UUID as a number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.portal.apply_flows.common import HostedPosting, Postings, close_answer, read_submission
from sandbox.portal.submissions import SubmissionStore, page_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
SYSTEM_REQUIRED = ("_systemfield_name", "_systemfield_email")


@dataclass(frozen=True)
class AshbyField:
    """One application form field: `String`, `LongText`, `Boolean` (yes/no) or `ValueSelect`."""

    path: str
    title: str
    type: str = "String"
    options: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class AshbyJob(HostedPosting):
    """A job's application page; redesigned, its submit button is no longer one we know."""

    board: str
    id: uuid.UUID
    title: str
    company: str
    location: str
    fields: tuple[AshbyField, ...] = ()


AUTHORIZED = AshbyField("8b1f5c0e-0d2a-4d6b-9f3e-6a7b8c9d0e1f",
                        "Are you legally authorized to work in the European Union?", "Boolean")
PYTHON_YEARS = AshbyField("3e2d1c0b-9a8f-4e7d-a6c5-b4a392817060",
                          "How many years of work experience do you have with Python?")
PRONOUNS = AshbyField("5f6e7d8c-9bab-4cdc-8ded-fe0f1a2b3c4d", "Pronouns", required=False)
GITHUB = AshbyField("6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d",
                    "Link to a project you are proud of")

SEED_ASHBY_JOBS = (
    AshbyJob("ramp", uuid.UUID("c9a3b1d2-6e4f-4a8b-9c0d-1e2f3a4b5c6d"),
             "Senior Software Engineer, Backend", "Ramp", "Berlin",
             (AUTHORIZED, PYTHON_YEARS, PRONOUNS)),
    AshbyJob("ramp", uuid.UUID("d0b4c2e3-7f5a-4b9c-8d1e-2f3a4b5c6d7e"),
             "Software Engineer, Payments", "Ramp", "Remote", (AUTHORIZED, GITHUB)),
    AshbyJob("ramp", uuid.UUID("e1c5d3f4-8a6b-4cad-9e2f-3a4b5c6d7e8f"),
             "Staff Engineer", "Ramp", "Remote", (AUTHORIZED,), changed=True),
)


def ashby_router(store: SubmissionStore, jobs: tuple[AshbyJob, ...] = SEED_ASHBY_JOBS
                 ) -> APIRouter:
    router = APIRouter()
    catalog = Postings(jobs, key=lambda job: job.id)

    def find(board: str, job_id: str) -> AshbyJob | None:
        try:
            job = catalog.get(uuid.UUID(job_id))
        except ValueError:
            return None
        return job if job is not None and job.board == board else None

    @router.get("/{board}/{job_id}/application")
    async def application(request: Request, board: str, job_id: str) -> Response:
        job = find(board, job_id)
        if job is None or not job.open:
            return HTMLResponse("<html><body><h1>Job not found</h1><p>The job you requested "
                                "was not found.</p></body></html>", 404)
        return TEMPLATES.TemplateResponse(request, "ashby_application.html", {"job": job})

    @router.post("/api/non-user-graphql")
    async def submit(request: Request, op: str = "") -> JSONResponse:
        if op != "ApiSubmitSingleApplicationFormAction":
            return JSONResponse({"errors": [{"message": f"unknown operation {op!r}"}]}, 400)
        raw_id = request.headers.get("x-ashby-job-posting-id", "")
        try:
            job = catalog.get(uuid.UUID(raw_id))
        except ValueError:
            job = None
        if job is None or not job.open:
            return JSONResponse({"errors": [{"message": "This job is no longer open."}]})
        required = [*SYSTEM_REQUIRED, *(f.path for f in job.fields if f.required)]
        submission, errors = await read_submission(
            request, store, board=f"ashby-{job.board}", job_id=job.id.int, required=required,
            resume_field="_systemfield_resume", email_field="_systemfield_email")
        if submission is None:
            return JSONResponse({"errors": [{"message": e} for e in errors]})
        store.add(submission, page_of(request))
        return JSONResponse({"data": {"submitSingleApplicationForm": {
            "applicationFormResult": {"id": submission.confirmation_id}}}})

    @router.post("/_sandbox/ashby/{job_id}/close")
    async def close(job_id: uuid.UUID) -> JSONResponse:
        return close_answer(catalog.close(job_id))

    return router
