"""Indeed Apply (`smartapply.indeed.com/beta/indeedapply/form/...`), the job's "Apply now".

Indeed Apply walks "Add your contact information" (`firstName`, `lastName`, `email`,
`phoneNumber`, `location.city`), "Add a resume for the employer" (upload), "Answer screening
questions from the employer" (radio groups in fieldsets, text answers; named `q_<n>`) and
"Please review your application", with "Continue" between steps and "Submit your application"
at the end; each step has its own path (`/form/contact-info`, `/form/resume`,
`/form/questions/1`, `/form/review`) and the end is `/form/post-apply`. An expired job says
so. Here the steps are one page that changes its path as it goes (Indeed's is a client-side
app too). Submissions land under the board `indeed` with the job key (`jk`, 16 hex digits)
as a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.portal.apply_flows.common import HostedPosting, Postings, close_answer, read_submission
from sandbox.portal.apply_flows.sign_in import SandboxSessions
from sandbox.portal.submissions import SubmissionStore, page_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
FORM_PATH = "/beta/indeedapply/form"
CONTACT_REQUIRED = ("firstName", "lastName", "email")
_JK = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class IndeedQuestion:
    name: str
    label: str
    options: tuple[str, ...] = ()  # radio buttons; none: a text answer


@dataclass(frozen=True)
class IndeedJob(HostedPosting):
    """A job with Indeed Apply; redesigned, its "Continue" is no longer the button we know."""

    jk: str
    title: str
    company: str
    questions: tuple[IndeedQuestion, ...] = ()
    signed_in: bool = False  # Indeed Apply only for a visitor signed in to Indeed


AUTHORIZED = IndeedQuestion("q_0", "Are you legally authorized to work in the European Union?",
                            ("Yes", "No"))
PYTHON_YEARS = IndeedQuestion("q_1", "How many years of Python experience do you have?")
COMMUTE = IndeedQuestion("q_2", "Will you be able to reliably commute to Berlin for this job?",
                         ("Yes", "No"))

SEED_INDEED_JOBS = (
    IndeedJob("4f2a9c1e7b3d5a60", "Python Developer", "Globex", (AUTHORIZED, PYTHON_YEARS)),
    IndeedJob("9b8a7c6d5e4f3a21", "Backend Engineer", "Globex", (AUTHORIZED, COMMUTE)),
    IndeedJob("1a2b3c4d5e6f7a8b", "Software Engineer", "Globex", (AUTHORIZED,), changed=True),
    IndeedJob("0c1d2e3f4a5b6c7d", "DevOps Engineer", "Globex", (AUTHORIZED,)),
)
SIGNED_IN_INDEED_JOB = IndeedJob("5e55100dc0ffee01", "Data Engineer", "Globex", (),
                                 signed_in=True)


def indeed_apply_url(origin: str, jk: str) -> str:
    return f"{origin}{FORM_PATH}/contact-info?jk={jk}"


def indeed_router(store: SubmissionStore, sessions: SandboxSessions | None = None,
                  jobs: tuple[IndeedJob, ...] = (*SEED_INDEED_JOBS, SIGNED_IN_INDEED_JOB)
                  ) -> APIRouter:
    router = APIRouter()
    catalog = Postings(jobs, key=lambda job: job.jk)
    signed = sessions or SandboxSessions()

    def signed_out(request: Request, job: IndeedJob) -> Response | None:
        """Indeed sends a visitor who is not signed in to its sign-in page."""
        if job.signed_in and not signed.signed_in(request):
            return RedirectResponse(f"/account/login?dest={FORM_PATH}/contact-info?jk={job.jk}",
                                    status_code=302)
        return None

    def expired() -> Response:
        return HTMLResponse('<html><body><div class="ia-JobExpired"><h1>This job has expired '
                            "on Indeed</h1><p>The employer is no longer accepting "
                            "applications.</p></div></body></html>")

    def open_job(request: Request, jk: str) -> IndeedJob | Response:
        """The posting a form page names, or the page Indeed shows instead (not found, sign
        in, expired)."""
        job = catalog.get(jk) if _JK.match(jk) else None
        if job is None:
            return HTMLResponse("<html><body>Page not found</body></html>", 404)
        if (elsewhere := signed_out(request, job)) is not None:
            return elsewhere
        return job if job.open else expired()

    @router.get(FORM_PATH + "/{step:path}")
    async def form(request: Request, step: str, jk: str = "") -> Response:
        job = open_job(request, jk)
        if isinstance(job, Response):
            return job
        return TEMPLATES.TemplateResponse(request, "indeed_apply.html",
                                          {"job": job, "form_path": FORM_PATH, "errors": []})

    @router.post(FORM_PATH + "/submit")
    async def submit(request: Request, jk: str = "") -> Response:
        job = open_job(request, jk)
        if isinstance(job, Response):
            return job
        submission, errors = await read_submission(
            request, store, board="indeed", job_id=int(job.jk, 16),
            required=[*CONTACT_REQUIRED, *(q.name for q in job.questions)],
            resume_field="resume")
        if submission is None:
            return TEMPLATES.TemplateResponse(request, "indeed_apply.html", {
                "job": job, "form_path": FORM_PATH, "errors": errors}, 400)
        store.add(submission, page_of(request))
        return TEMPLATES.TemplateResponse(request, "indeed_post_apply.html",
                                          {"job": job, "submission": submission})

    @router.post("/_sandbox/indeed/{jk}/close")
    async def close(jk: str) -> JSONResponse:
        return close_answer(catalog.close(jk))

    return router
