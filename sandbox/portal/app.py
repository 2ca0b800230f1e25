"""The sandbox portal's HTTP app: Greenhouse's Job Board API, hosted job pages and forms."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sandbox.portal.apply_flows.routes import apply_flows_router
from sandbox.portal.catalog import STANDARD_QUESTIONS, JobCatalog, job_json, not_found
from sandbox.portal.forms import read_application
from sandbox.portal.jobs import SEED_JOBS, PortalJob
from sandbox.portal.sms import SmsLedger, sms_router
from sandbox.portal.sources import Faults, sources_router
from sandbox.portal.submissions import SubmissionStore, page_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _flag(value: str | None) -> bool:
    return value is not None and value.lower() in {"true", "1"}


def _job_id(raw: str) -> int | None:
    # Greenhouse answers 404, not a validation error, for ids that are not numbers.
    return int(raw) if raw.isdecimal() else None


def create_app(store: SubmissionStore, jobs: Sequence[PortalJob] = SEED_JOBS,
               sms: SmsLedger | None = None, release_per_s: float | None = None) -> FastAPI:
    """The portal over `jobs`, recording applications in `store` and text messages in `sms`;
    with `release_per_s`, the jobs go live that many a second from the first listing."""
    catalog = JobCatalog(jobs, release_per_s)
    app = FastAPI(title="JAMS sandbox portal (Greenhouse stand-in)", docs_url=None,
                  redoc_url=None, openapi_url=None)
    faults = Faults()  # one queue, so `/_sandbox/faults` reaches the SMS provider too
    app.include_router(sources_router(faults=faults))
    app.include_router(sms_router(sms if sms is not None else SmsLedger(), faults))
    app.include_router(apply_flows_router(store))

    def base_url(request: Request) -> str:
        return str(request.base_url)

    @app.get("/v1/boards/{board_token}")
    async def board(board_token: str) -> JSONResponse:
        name = catalog.board_name(board_token)
        if name is None:
            return JSONResponse(not_found("Job board not found"), status_code=404)
        intro = f"<p>Join {name}: see our open roles below.</p>"
        return JSONResponse({"name": name, "content": html.escape(intro, quote=True)})

    @app.get("/v1/boards/{board_token}/jobs")
    async def list_jobs(request: Request, board_token: str,
                        content: str | None = None) -> JSONResponse:
        if catalog.board_name(board_token) is None:
            return JSONResponse(not_found("Job board not found"), status_code=404)
        listed = [job_json(j, base_url(request), content=_flag(content))
                  for j in catalog.open_jobs(board_token)]
        return JSONResponse({"jobs": listed, "meta": {"total": len(listed)}})

    @app.get("/v1/boards/{board_token}/jobs/{job_id}")
    async def get_job(request: Request, board_token: str, job_id: str,
                      questions: str | None = None) -> JSONResponse:
        number = _job_id(job_id)
        job = catalog.find(board_token, number) if number is not None else None
        if job is None or not job.open:
            return JSONResponse(not_found("Job not found"), status_code=404)
        body = job_json(job, base_url(request), content=True)
        if _flag(questions):
            body |= {"questions": STANDARD_QUESTIONS, "location_questions": [],
                     "compliance": None, "demographic_questions": None}
        return JSONResponse(body)

    @app.get("/_sandbox/submissions")
    async def submissions() -> list[dict[str, Any]]:
        return [s.to_json() for s in store.all()]

    @app.post("/_sandbox/jobs/{board_token}/{job_id}/close")
    async def close_job(board_token: str, job_id: int) -> JSONResponse:
        if not catalog.close(board_token, job_id):
            return JSONResponse(not_found("Job not found"), status_code=404)
        return JSONResponse({"closed": True, "board_token": board_token, "id": job_id})

    @app.get("/{board_token}")
    async def board_page(request: Request, board_token: str,
                         error: str | None = None) -> Response:
        name = catalog.board_name(board_token)
        if name is None:
            return TEMPLATES.TemplateResponse(request, "not_found.html", status_code=404)
        return TEMPLATES.TemplateResponse(request, "board.html", {
            "board_token": board_token, "company": name,
            "jobs": catalog.open_jobs(board_token), "closed_notice": _flag(error),
        })

    @app.get("/{board_token}/jobs/{job_id}")
    async def job_page(request: Request, board_token: str, job_id: str) -> Response:
        job = _open_job(request, board_token, job_id)
        if not isinstance(job, PortalJob):
            return job
        return TEMPLATES.TemplateResponse(request, "job.html", {"job": job, "errors": []})

    @app.post("/{board_token}/jobs/{job_id}")
    async def apply(request: Request, board_token: str, job_id: str) -> Response:
        job = _open_job(request, board_token, job_id, status_code=303)
        if not isinstance(job, PortalJob):
            return job
        submission, errors = await read_application(request, job, store.now())
        if submission is None:
            return TEMPLATES.TemplateResponse(
                request, "job.html", {"job": job, "errors": errors}, status_code=400
            )
        store.add(submission, page_of(request))
        return TEMPLATES.TemplateResponse(
            request, "confirmation.html", {"job": job, "submission": submission}
        )

    def _open_job(
        request: Request, board_token: str, job_id: str, status_code: int = 302
    ) -> PortalJob | Response:
        """The open post, or where Greenhouse sends you instead."""
        if catalog.board_name(board_token) is None:
            return TEMPLATES.TemplateResponse(request, "not_found.html", status_code=404)
        number = _job_id(job_id)
        job = catalog.find(board_token, number) if number is not None else None
        if job is None or not job.open:
            # Greenhouse sends a closed or unknown post back to its board with a notice.
            return RedirectResponse(f"/{board_token}?error=true", status_code=status_code)
        return job

    return app
