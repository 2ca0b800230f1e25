"""Lever, Ashby, Workday and Adzuna APIs as the real ones answer (field names, paging, errors)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from sandbox.portal.sources.faults import Faults
from sandbox.portal.sources.seed import SourceData, WorkdayJob

_URL_FIELDS = ("hostedUrl", "applyUrl", "jobUrl", "redirect_url")


def _absolute(item: Any, base: str) -> Any:
    """Seed URLs are paths; the answer carries them under the portal's own address."""
    if not isinstance(item, dict):
        return item  # tests plant malformed items; they are served as they are
    return item | {k: base + item[k] for k in _URL_FIELDS
                   if isinstance(item.get(k), str) and item[k].startswith("/")}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _truncated(items: list[Any], fault: Response | int | str | None) -> list[Any]:
    return items[:fault] if isinstance(fault, int) else items


def _int(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    return int(value) if value.isdecimal() else None


def lever_router(data: SourceData, faults: Faults) -> APIRouter:
    router = APIRouter()

    @router.get("/v0/postings/{site}")
    async def postings(request: Request, site: str) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        if site not in data.lever:
            return JSONResponse({"ok": False, "error": "Document not found"}, status_code=404)
        query = request.query_params
        skip, limit = _int(query.get("skip"), 0), _int(query.get("limit"), 10_000)
        if skip is None or limit is None:
            return JSONResponse({"ok": False, "error": "Invalid skip or limit"}, 400)
        items = data.lever[site]
        # Lever's filters: exact, case-sensitive, repeated values OR'ed.
        for name in ("location", "commitment", "team", "department"):
            wanted = query.getlist(name)
            if wanted:
                items = [p for p in items if p["categories"].get(name) in wanted]
        page = [_absolute(p, _base(request)) for p in items[skip:skip + limit]]
        return JSONResponse(_truncated(page, fault))

    @router.get("/v0/postings/{site}/{posting_id}")
    async def posting(request: Request, site: str, posting_id: str) -> Response:
        for p in data.lever.get(site, []):
            if p["id"] == posting_id:
                return JSONResponse(_absolute(p, _base(request)))
        return JSONResponse({"ok": False, "error": "Document not found"}, status_code=404)

    return router


def ashby_router(data: SourceData, faults: Faults) -> APIRouter:
    router = APIRouter()

    @router.get("/posting-api/job-board/{board}")
    async def job_board(request: Request, board: str) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        if board not in data.ashby:
            return JSONResponse({"success": False, "errorInfo": {"code": "not_found"}}, 404)
        jobs = [_absolute(j, _base(request)) for j in data.ashby[board]]
        if request.query_params.get("includeCompensation") != "true":
            jobs = [{k: v for k, v in j.items() if k != "compensation"} for j in jobs]
        return JSONResponse({"apiVersion": "1", "jobs": _truncated(jobs, fault)})

    return router


def _workday_listing(job: WorkdayJob) -> dict[str, Any]:
    return {"title": job.title, "externalPath": job.path, "locationsText": job.location,
            "postedOn": "Posted 30+ Days Ago", "bulletFields": [job.req_id],
            "timeType": "Full time"}


def _workday_detail(job: WorkdayJob, base: str, site: str) -> dict[str, Any]:
    return {"jobPostingInfo": {
        "title": job.title, "jobReqId": job.req_id, "jobPostingId": job.path.rsplit("/", 1)[-1],
        "jobDescription": job.description, "startDate": job.posted.date().isoformat(),
        "location": job.location, "additionalLocations": [], "timeType": "Full time",
        "remoteType": "On-site", "externalUrl": f"{base}/en-US/{site}{job.path}",
        "jobRequisitionLocation": {"country": {"alpha2Code": job.country}},
    }}


def workday_router(data: SourceData, faults: Faults) -> APIRouter:
    router = APIRouter()

    @router.post("/wday/cxs/{tenant}/{site}/jobs")
    async def jobs(request: Request, tenant: str, site: str) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        postings = data.workday.get((tenant, site))
        if postings is None:
            return JSONResponse({"errorCode": "HTTP_404"}, status_code=404)
        try:
            body = await request.json()
            limit, offset = int(body.get("limit", 20)), int(body.get("offset", 0))
            search = str(body.get("searchText", "")).casefold()
        except (ValueError, TypeError, AttributeError):
            return JSONResponse({"errorCode": "HTTP_400"}, status_code=400)
        if not 1 <= limit <= 20 or offset < 0:  # Workday rejects pages over 20
            return JSONResponse({"errorCode": "HTTP_400"}, status_code=400)
        matching = [j for j in sorted(postings, key=lambda j: j.posted, reverse=True)
                    if search in j.title.casefold()]
        page = _truncated([_workday_listing(j) for j in matching[offset:offset + limit]], fault)
        answer: dict[str, Any] = {"jobPostings": page, "facets": []}
        if offset == 0:  # like many tenants, the total comes on the first page only
            answer["total"] = len(matching)
        return JSONResponse(answer)

    @router.get("/wday/cxs/{tenant}/{site}/job/{place}/{slug}")
    async def detail(request: Request, tenant: str, site: str, place: str,
                     slug: str) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        path = f"/job/{place}/{slug}"
        for job in data.workday.get((tenant, site), []):
            if job.path == path:
                return JSONResponse(_workday_detail(job, _base(request), site))
        return JSONResponse({"errorCode": "HTTP_404"}, status_code=404)

    return router


def adzuna_router(data: SourceData, faults: Faults) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/api/jobs/{country}/search/{page}")
    async def search(request: Request, country: str, page: int) -> Response:
        query = request.query_params
        if not query.get("app_id") or not query.get("app_key"):
            return JSONResponse({"__CLASS__": "Adzuna::API::Response::Exception",
                                 "exception": "AUTH_FAIL", "display": "Authorisation failed"},
                                status_code=401)
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        per_page = _int(query.get("results_per_page"), 10)
        if country not in data.adzuna or page < 1 or per_page is None or per_page > 50:
            return JSONResponse({"__CLASS__": "Adzuna::API::Response::Exception",
                                 "exception": "BAD_REQUEST"}, status_code=400)
        results = list(data.adzuna[country])
        what = (query.get("what") or "").casefold()
        where = (query.get("where") or "").casefold()
        results = [r for r in results if what in r["title"].casefold()
                   and where in r["location"]["display_name"].casefold()]
        if query.get("sort_by") == "date":
            results.sort(key=lambda r: r["created"], reverse=True)
        start = (page - 1) * per_page
        shown = _truncated([_absolute(r, _base(request))
                            for r in results[start:start + per_page]], fault)
        mean = sum(r["salary_min"] for r in results) / len(results) if results else 0
        return JSONResponse({"__CLASS__": "Adzuna::API::Response::JobSearchResults",
                             "count": len(results), "mean": mean, "results": shown})

    return router
