"""A Workday career site (`{tenant}.wd5.myworkdayjobs.com/{locale}/{site}/job/...`), guest apply.

The job page's "Apply" button (`adventureButton`) offers "Autofill with Resume", "Apply
Manually" and "Use My Last Application"; "Apply Manually" opens `.../apply/applyManually`,
which walks "My Information", "My Experience", "Application Questions" and "Review" with a
progress bar, "Save and Continue" (`bottom-navigation-next-button`) between steps and "Submit"
on the last. Controls carry Workday's `data-automation-id`s (`legalNameSection_firstName`,
`email`, `phone-number`, `countryDropdown`, `file-upload-input-ref`, ...); the sandbox names
inputs after them, and renders Workday's listbox buttons as selects. This tenant lets guests
apply without a candidate account. Submissions land under `workday-<site>`, the number of the
requisition id as the job id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.portal.apply_flows.common import HostedPosting, Postings, close_answer, read_submission
from sandbox.portal.submissions import SubmissionStore, page_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
CONTACT_REQUIRED = ("legalNameSection_firstName", "legalNameSection_lastName", "email",
                    "countryDropdown")
_LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")


@dataclass(frozen=True)
class WorkdayQuestion:
    """A question of the "Application Questions" step (a Workday listbox: a select here)."""

    name: str
    label: str
    options: tuple[str, ...] = ("Yes", "No")


@dataclass(frozen=True)
class WorkdayPosting(HostedPosting):
    """A requisition on the career site; redesigned, the resume goes through a button only."""

    site: str
    place: str
    slug: str
    req_id: str
    title: str
    company: str
    questions: tuple[WorkdayQuestion, ...] = ()

    @property
    def path(self) -> str:
        return f"/job/{self.place}/{self.slug}_{self.req_id}"

    @property
    def number(self) -> int:
        return int("".join(ch for ch in self.req_id if ch.isdigit()))


AUTHORIZED = WorkdayQuestion(
    "primaryQuestionnaire_workAuthorization",
    "Are you legally authorized to work in the country in which this job is located?")
SPONSORSHIP = WorkdayQuestion(
    "primaryQuestionnaire_sponsorship",
    "Will you now or in the future require sponsorship for employment visa status?")
RELOCATE = WorkdayQuestion("primaryQuestionnaire_relocation",
                           "Are you willing to relocate to the job's location?")

SEED_WORKDAY_POSTINGS = (
    WorkdayPosting("External", "Berlin-Germany", "Senior-Python-Engineer", "JR-2001",
                   "Senior Python Engineer", "Umbrella", (AUTHORIZED, SPONSORSHIP)),
    WorkdayPosting("External", "Remote", "Data-Platform-Engineer", "JR-2002",
                   "Data Platform Engineer", "Umbrella", (AUTHORIZED, RELOCATE)),
    WorkdayPosting("External", "Remote", "Site-Reliability-Engineer", "JR-2003",
                   "Site Reliability Engineer", "Umbrella", (AUTHORIZED,), changed=True),
    WorkdayPosting("External", "Berlin-Germany", "Backend-Engineer", "JR-2004",
                   "Backend Engineer", "Umbrella", (AUTHORIZED,)),
)


def workday_router(store: SubmissionStore,
                   postings: tuple[WorkdayPosting, ...] = SEED_WORKDAY_POSTINGS) -> APIRouter:
    router = APIRouter()
    catalog = Postings(postings, key=lambda p: (p.site, p.path))

    def find(locale: str, site: str, place: str, slug: str) -> WorkdayPosting | None:
        if not _LOCALE.match(locale):
            return None
        return catalog.get((site, f"/job/{place}/{slug}"))

    def page(request: Request, template: str, locale: str, posting: WorkdayPosting | None,
             errors: list[str] | None = None) -> Response:
        """The posting's page (a 400 with `errors`), or Workday's "doesn't exist" page."""
        if posting is None:
            return HTMLResponse('<html><body><div data-automation-id="errorMessage">The page '
                                "you are looking for doesn't exist.</div></body></html>", 404)
        return TEMPLATES.TemplateResponse(
            request, template, {"posting": posting, "locale": locale, "errors": errors or []},
            400 if errors else 200)

    @router.get("/{locale}/{site}/job/{place}/{slug}")
    async def job_page(request: Request, locale: str, site: str, place: str,
                       slug: str) -> Response:
        return page(request, "workday_job.html", locale, find(locale, site, place, slug))

    @router.get("/{locale}/{site}/job/{place}/{slug}/apply/applyManually")
    async def apply_page(request: Request, locale: str, site: str, place: str,
                         slug: str) -> Response:
        return page(request, "workday_apply.html", locale, find(locale, site, place, slug))

    @router.post("/{locale}/{site}/job/{place}/{slug}/apply/applyManually")
    async def apply(request: Request, locale: str, site: str, place: str,
                    slug: str) -> Response:
        posting = find(locale, site, place, slug)
        if posting is None or not posting.open:
            return page(request, "workday_apply.html", locale, posting,
                        ["This job posting is no longer accepting applications."])
        submission, errors = await read_submission(
            request, store, board=f"workday-{posting.site}", job_id=posting.number,
            required=[*CONTACT_REQUIRED, *(q.name for q in posting.questions),
                      "termsAndConditions--checkbox"],
            resume_field="file-upload-input-ref")
        if submission is None:
            return page(request, "workday_apply.html", locale, posting, errors)
        store.add(submission, page_of(request))
        return TEMPLATES.TemplateResponse(request, "workday_submitted.html",
                                          {"posting": posting, "submission": submission})

    @router.post("/_sandbox/workday/{site}/{req_id}/close")
    async def close(site: str, req_id: str) -> JSONResponse:
        posting = next((p for p in catalog if p.site == site and p.req_id == req_id), None)
        return close_answer(posting is not None and catalog.close((posting.site, posting.path)))

    return router
