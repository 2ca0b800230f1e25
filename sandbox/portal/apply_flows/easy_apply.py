"""A LinkedIn Easy Apply-style flow: a job page whose modal walks through steps to a submit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.portal.apply_flows.common import (
    FormRules,
    HostedPosting,
    Postings,
    close_answer,
    read_submission,
)
from sandbox.portal.apply_flows.sign_in import (
    CHECKPOINT_KINDS,
    SandboxSessions,
    checkpoint_redirect,
    sign_in_redirect,
)
from sandbox.portal.submissions import SubmissionStore, page_of

BOARD = "linkedin"  # how its submissions are told apart in the portal's record
MEMBER_COOKIE = "sandbox_member"  # a signed-in member's e-mail: the sandbox's session
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
CONTACT_FIELDS = (("first_name", "First name", "text"), ("last_name", "Last name", "text"),
                  ("email", "Email address", "email"), ("phone", "Mobile phone number", "tel"))
RULES = FormRules(max_field_chars=255, max_resume_mb=2, resume_types=("pdf", "doc", "docx", "txt"))


@dataclass(frozen=True)
class Question:
    """A screening question of the modal's 'Additional Questions' step."""

    name: str
    label: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class EasyApplyJob(HostedPosting):
    """One posting with Easy Apply."""

    id: int
    title: str
    company: str
    location: str
    description: str
    questions: tuple[Question, ...] = ()
    signed_in: bool = False  # shown only to a visitor with a valid session, as on LinkedIn
    checkpoint: str | None = None  # the checkpoint a visit meets instead (sign_in.py's kinds)
    captcha_on_review: bool = False  # an hCaptcha shows on the modal's last step


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

# Postings that need the candidate signed in, and postings whose visit meets a checkpoint.
SIGNED_IN_JOB = EasyApplyJob(3901000010, "Data Engineer", "Initech", "Remote",
                             "Pipelines in Python.", (), signed_in=True)
CHECKPOINT_JOBS = {
    kind: EasyApplyJob(3901000020 + n, "Site Reliability Engineer", "Initech", "Remote",
                       "On call, kindly.", (), checkpoint=kind)
    for n, kind in enumerate(CHECKPOINT_KINDS)
}
# Its captcha shows only once the modal reaches "Review": after the form was filled.
CAPTCHA_ON_REVIEW_JOB = EasyApplyJob(3901000030, "Security Engineer", "Initech", "Remote",
                                     "Keep us safe.", (), captcha_on_review=True)
GATED_EASY_APPLY_JOBS = (SIGNED_IN_JOB, *CHECKPOINT_JOBS.values(), CAPTCHA_ON_REVIEW_JOB)


def easy_apply_router(
    store: SubmissionStore, sessions: SandboxSessions | None = None,
    jobs: tuple[EasyApplyJob, ...] = SEED_EASY_APPLY_JOBS + GATED_EASY_APPLY_JOBS,
) -> APIRouter:
    """`/jobs/view/{id}/apply` pages (LinkedIn's apply URL), recorded in the portal's `store`."""
    router = APIRouter()
    catalog = Postings(jobs, key=lambda job: job.id)
    signed = sessions or SandboxSessions()

    def gate(request: Request, job: EasyApplyJob) -> Response | None:
        """Where LinkedIn sends the visit instead of the posting, if anywhere."""
        path = f"/jobs/view/{job.id}/apply"
        if job.signed_in and not signed.signed_in(request):
            return sign_in_redirect(path)
        return checkpoint_redirect(job.checkpoint, path) if job.checkpoint else None

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
        return gate(request, job) or page(request, job, [], 200)

    @router.post("/jobs/view/{job_id}/apply/submit")
    async def apply(request: Request, job_id: int) -> Response:
        job = catalog.get(job_id)
        if job is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        if (elsewhere := gate(request, job)) is not None:
            return elsewhere
        if not job.open:
            return page(request, job, ["This job is no longer accepting applications."], 410)
        # Every contact field and every question is required.
        submission, errors = await read_submission(
            request, store, board=BOARD, job_id=job.id,
            required=[*(name for name, _, _ in CONTACT_FIELDS), *(q.name for q in job.questions)],
            resume_field="resume", choices={q.name: q.options for q in job.questions if q.options},
            rules=RULES)
        if submission is None:
            return page(request, job, errors, 400)
        store.add(submission, page_of(request))
        return TEMPLATES.TemplateResponse(request, "easy_apply_sent.html",
                                          {"job": job, "submission": submission})

    @router.post("/_sandbox/easy-apply/{job_id}/close")
    async def close(job_id: int) -> JSONResponse:
        return close_answer(catalog.close(job_id))

    return router

