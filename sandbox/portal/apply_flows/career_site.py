"""A company's own career site (`/careers/{company}/positions/{id}`): one form, its own words.

No ATS behind it: the labels are the company's ("Given name", "Surname", "E-mail address",
"Mobile", "Upload your CV"), the field names are opaque, and one screening question is a
select. A generic applier has to go by the labels. Submissions land under `careers-<company>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.portal.apply_flows.common import read_submission
from sandbox.portal.submissions import SubmissionStore, page_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
REQUIRED = ("f_1", "f_2", "f_3", "f_6")


@dataclass(frozen=True)
class CareerPosition:
    company: str
    id: int
    title: str


SEED_CAREER_POSITIONS = (CareerPosition("vandelay", 501, "Import/Export Engineer"),)


def career_site_router(store: SubmissionStore,
                       positions: tuple[CareerPosition, ...] = SEED_CAREER_POSITIONS
                       ) -> APIRouter:
    router = APIRouter()
    catalog = {(p.company, p.id): p for p in positions}

    @router.get("/careers/{company}/positions/{position_id}")
    async def page(request: Request, company: str, position_id: int) -> Response:
        position = catalog.get((company, position_id))
        if position is None:
            return HTMLResponse("<html><body>No such position</body></html>", 404)
        return TEMPLATES.TemplateResponse(request, "career_site.html",
                                          {"position": position, "errors": []})

    @router.post("/careers/{company}/positions/{position_id}")
    async def apply(request: Request, company: str, position_id: int) -> Response:
        position = catalog.get((company, position_id))
        if position is None:
            return HTMLResponse("<html><body>No such position</body></html>", 404)
        submission, errors = await read_submission(
            request, store, board=f"careers-{company}", job_id=position.id, required=REQUIRED,
            resume_field="f_5", email_field="f_3")
        if submission is None:
            return TEMPLATES.TemplateResponse(request, "career_site.html",
                                              {"position": position, "errors": errors}, 400)
        store.add(submission, page_of(request))
        return HTMLResponse(f"<html><body><h1>Thank you for applying!</h1><p>Confirmation id: "
                            f'<span id="confirmation_id">{submission.confirmation_id}</span>'
                            "</p></body></html>")

    return router
