"""A Lever hosted application page (`jobs.lever.co/{site}/{posting_id}/apply`): one page.

As Lever shapes it: the resume first (`resume`), then `name` (a full name, not first and
last), `email`, `phone`, `location`, `org`, `urls[LinkedIn]`/`urls[GitHub]`; the employer's
custom questions as "cards" named `cards[<card id>][field<n>]` next to a hidden
`cards[<card id>][baseTemplate]`; `comments`; the optional EEO survey (`eeo[...]`). A post
goes to the same URL and redirects to `/thanks`; a closed posting shows a notice instead of
the form. Submissions land in the portal's record under the board `lever-<site>` with the
posting's UUID as a number.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.portal.apply_flows.common import HostedPosting, Postings, close_answer, read_submission
from sandbox.portal.submissions import SubmissionStore, page_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
REQUIRED = ("name", "email")


@dataclass(frozen=True)
class Card:
    """A custom question: `multiple-choice` (radio buttons), `text` or `textarea`."""

    id: uuid.UUID
    text: str
    type: str = "text"
    options: tuple[str, ...] = ()
    required: bool = True

    @property
    def field(self) -> str:
        return f"cards[{self.id}][field0]"

    @property
    def base_template(self) -> str:
        return json.dumps({"text": self.text, "fields": [{
            "type": self.type, "text": self.text, "required": self.required,
            "options": [{"text": o} for o in self.options]}]})


@dataclass(frozen=True)
class LeverPosting(HostedPosting):
    """A posting's apply page; redesigned, the resume goes through a widget, not an input."""

    site: str
    id: uuid.UUID
    text: str
    company: str
    location: str
    cards: tuple[Card, ...] = ()

    @property
    def number(self) -> int:
        """The job id in the portal's record (numeric there)."""
        return self.id.int


WORK_AUTH = Card(uuid.UUID("1b0c6a52-0a8e-4c47-9d4c-2f3c1a8e7b61"),
                 "Are you legally authorized to work in the European Union?",
                 "multiple-choice", ("Yes", "No"))
PYTHON_YEARS = Card(uuid.UUID("7e4d2f0a-3b1c-4e5d-8f6a-9b0c1d2e3f4a"),
                    "How many years of work experience do you have with Python?")
NOTICE = Card(uuid.UUID("c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"),
              "What is your notice period at your current employer?", "textarea")

SEED_LEVER_POSTINGS = (
    LeverPosting("hooli", uuid.UUID("5ac21346-8e0c-4494-8e7a-3eb92ff77902"),
                 "Senior Backend Engineer", "Hooli", "Berlin", (WORK_AUTH, PYTHON_YEARS)),
    LeverPosting("hooli", uuid.UUID("0f1e2d3c-4b5a-4968-8778-695a4b3c2d1e"),
                 "Data Engineer", "Hooli", "Remote"),
    LeverPosting("hooli", uuid.UUID("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"),
                 "Platform Engineer", "Hooli", "Remote", (WORK_AUTH,), changed=True),
    LeverPosting("hooli", uuid.UUID("2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091"),
                 "Engineering Manager", "Hooli", "Berlin", (WORK_AUTH, NOTICE)),
)


def lever_router(store: SubmissionStore,
                 postings: tuple[LeverPosting, ...] = SEED_LEVER_POSTINGS) -> APIRouter:
    """The hosted apply pages of `postings`, recording into the portal's `store`."""
    router = APIRouter()
    catalog = Postings(postings, key=lambda p: (p.site, p.id))

    def find(site: str, posting_id: str) -> LeverPosting | None:
        try:
            return catalog.get((site, uuid.UUID(posting_id)))
        except ValueError:
            return None

    def page(request: Request, posting: LeverPosting, errors: list[str],
             status: int = 200) -> Response:
        return TEMPLATES.TemplateResponse(request, "lever_apply.html",
                                          {"posting": posting, "errors": errors},
                                          status_code=status)

    @router.get("/{site}/{posting_id}/apply")
    async def form(request: Request, site: str, posting_id: str) -> Response:
        posting = find(site, posting_id)
        if posting is None:
            return JSONResponse({"ok": False, "error": "Document not found"}, status_code=404)
        return page(request, posting, [])

    @router.post("/{site}/{posting_id}/apply")
    async def apply(request: Request, site: str, posting_id: str) -> Response:
        posting = find(site, posting_id)
        if posting is None:
            return JSONResponse({"ok": False, "error": "Document not found"}, status_code=404)
        if not posting.open:
            return page(request, posting, ["This job posting is no longer open."], 400)
        required = [*REQUIRED, *(c.field for c in posting.cards if c.required)]
        submission, errors = await read_submission(
            request, store, board=f"lever-{posting.site}", job_id=posting.number,
            required=required, resume_field="resume")
        if submission is None:
            return page(request, posting, errors, 400)
        store.add(submission, page_of(request))
        return RedirectResponse(
            f"/{posting.site}/{posting.id}/thanks?applicationId={submission.confirmation_id}",
            status_code=303)

    @router.get("/{site}/{posting_id}/thanks")
    async def thanks(request: Request, site: str, posting_id: str,
                     applicationId: str = "") -> Response:
        posting = find(site, posting_id)
        if posting is None:
            return JSONResponse({"ok": False, "error": "Document not found"}, status_code=404)
        return TEMPLATES.TemplateResponse(request, "lever_thanks.html",
                                          {"posting": posting, "application_id": applicationId})

    @router.post("/_sandbox/lever/{site}/{posting_id}/close")
    async def close(site: str, posting_id: str) -> JSONResponse:
        posting = find(site, posting_id)
        return close_answer(posting is not None and catalog.close((posting.site, posting.id)))

    return router
