"""HTML search results shaped like LinkedIn's guest search, Indeed's and Glassdoor's pages.

The parts a scraper reads (class names, data attributes, pagination parameters) follow the
real sites; the fault `drift` renders a redesigned page whose selectors no longer match.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sandbox.portal.sources.faults import Faults

LINKEDIN_PAGE = 10  # the guest search API answers ten cards per `start`
INDEED_PAGE = 10
GLASSDOOR_PAGE = 30  # Glassdoor pages hold 30 listings, numbered from 1


@dataclass(frozen=True)
class PageJob:
    """A job as the search pages show it."""

    id: str
    title: str
    company: str
    location: str
    posted: datetime
    description: str


def _jobs(prefix: str, count: int, seed: int) -> list[PageJob]:
    titles = ("Python Developer", "Data Engineer", "DevOps Engineer", "Frontend Developer",
              "Engineering Manager", "Backend Engineer", "Cloud Architect")
    companies = ("Hooli", "Pied Piper", "Aviato", "Raviga", "Bachmanity")
    places = ("Austin, TX, USA", "Remote", "New York, NY, USA", "Berlin, Germany")
    start = datetime(2026, 1, 10, tzinfo=UTC)
    return [PageJob(id=f"{prefix}{seed + i}", title=titles[i % len(titles)],
                    company=companies[i % len(companies)], location=places[i % len(places)],
                    posted=start - timedelta(days=i % 9),
                    description=f"<p>Join {companies[i % len(companies)]} as a "
                                f"{titles[i % len(titles)]}.</p><ul><li>Python</li></ul>")
            for i in range(count)]


def seed_page_jobs() -> dict[str, list[PageJob]]:
    return {"linkedin": _jobs("", 25, 3_900_000_100), "indeed": _jobs("9f", 14, 1000),
            "glassdoor": _jobs("", 40, 1_009_000_000)}


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _linkedin_card(job: PageJob, base: str, drift: bool) -> str:
    if drift:  # a redesign: new class names, no data-entity-urn
        return (f'<li><article class="job-card-v2"><a class="job-card-v2__link" '
                f'href="{base}/jobs/view/x-{job.id}"><span class="job-card-v2__name">'
                f'{_e(job.title)}</span></a></article></li>')
    slug = job.title.lower().replace(" ", "-")
    return (
        f'<li><div class="base-card relative base-search-card job-search-card" '
        f'data-entity-urn="urn:li:jobPosting:{job.id}">'
        f'<a class="base-card__full-link" href="{base}/jobs/view/{slug}-at-x-{job.id}?trk=guest">'
        f'<span class="sr-only">{_e(job.title)}</span></a>'
        f'<div class="base-search-card__info">'
        f'<h3 class="base-search-card__title">{_e(job.title)}</h3>'
        f'<h4 class="base-search-card__subtitle"><a class="hidden-nested-link">'
        f'{_e(job.company)}</a></h4>'
        f'<div class="base-search-card__metadata">'
        f'<span class="job-search-card__location">{_e(job.location)}</span>'
        f'<time class="job-search-card__listdate" datetime="{job.posted.date().isoformat()}">'
        f'1 week ago</time></div></div></div></li>'
    )


def pages_router(jobs: dict[str, list[PageJob]], faults: Faults) -> APIRouter:
    router = APIRouter()

    def matching(site: str, request: Request) -> list[PageJob]:
        q = request.query_params
        words = (q.get("keywords") or q.get("q") or "").casefold()
        place = (q.get("location") or q.get("l") or "").casefold()
        return [j for j in jobs[site] if words in j.title.casefold()
                and place in j.location.casefold()]

    @router.get("/jobs-guest/jobs/api/seeMoreJobPostings/search")
    async def linkedin_search(request: Request, start: int = 0) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        base = str(request.base_url).rstrip("/")
        page = matching("linkedin", request)[start:start + LINKEDIN_PAGE]
        cards = "".join(_linkedin_card(j, base, fault == "drift") for j in page)
        return HTMLResponse(f"<!DOCTYPE html><html><body><ul>{cards}</ul></body></html>")

    @router.get("/jobs/view/{slug}")
    async def linkedin_job(request: Request, slug: str) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        job = next((j for j in jobs["linkedin"] if slug.endswith(f"-{j.id}")), None)
        if job is None:
            return HTMLResponse("<html><body><h1>Page not found</h1></body></html>", 404)
        return HTMLResponse(
            f'<html><body><h1 class="top-card-layout__title">{_e(job.title)}</h1>'
            f'<div class="description__text"><div class="show-more-less-html__markup">'
            f'{job.description}</div></div>'
            f'<code id="applyUrl" style="display:none"><!--"https://careers.example/{job.id}"-->'
            f'</code></body></html>')

    @router.get("/jobs")
    async def indeed_search(request: Request, start: int = 0) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        found = matching("indeed", request)
        page = found[start:start + INDEED_PAGE]
        if not page:
            return HTMLResponse('<html><body><div class="jobsearch-NoResult-messageContainer">'
                                "did not match any jobs</div></body></html>")
        title_class = "jcs-JobTitle-v3" if fault == "drift" else "jobTitle"
        cards = "".join(
            f'<li><div class="job_seen_beacon"><h2 class="{title_class}">'
            f'<a data-jk="{j.id}" href="/viewjob?jk={j.id}"><span title="{_e(j.title)}">'
            f'{_e(j.title)}</span></a></h2>'
            f'<span data-testid="company-name">{_e(j.company)}</span>'
            f'<div data-testid="text-location">{_e(j.location)}</div></div></li>'
            for j in page)
        return HTMLResponse(f'<html><body><ul class="css-zu9cdh">{cards}</ul></body></html>')

    @router.get("/viewjob")
    async def indeed_job(request: Request, jk: str = "") -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        job = next((j for j in jobs["indeed"] if j.id == jk), None)
        if job is None:
            return HTMLResponse("<html><body>This job has expired</body></html>", 404)
        return HTMLResponse(f'<html><body><h1>{_e(job.title)}</h1>'
                            f'<div id="jobDescriptionText">{job.description}</div></body></html>')

    @router.get("/Job/jobs.htm")
    async def glassdoor_search(request: Request, p: int = 1) -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        q = request.query_params
        words = (q.get("sc.keyword") or "").casefold()
        page = [j for j in jobs["glassdoor"] if words in j.title.casefold()][
            (p - 1) * GLASSDOOR_PAGE:p * GLASSDOOR_PAGE]
        employer = ("EmployerProfile_compactEmployerName" if fault != "drift"
                    else "EmployerCard_displayName")
        cards = "".join(
            f'<li class="JobsList_jobListItem__wjTHv" data-test="jobListing" '
            f'data-jobid="{j.id}"><div class="JobCard_jobCardContainer__arOZM">'
            f'<span class="{employer}__9MGcV">{_e(j.company)}</span>'
            f'<a class="JobCard_jobTitle__GLyJ1" data-test="job-title" '
            f'href="/job-listing/{j.title.lower().replace(" ", "-")}-JV.htm?jl={j.id}">'
            f'{_e(j.title)}</a>'
            f'<div class="JobCard_location__Ds1fM" data-test="emp-location">{_e(j.location)}'
            f'</div></div></li>'
            for j in page)
        return HTMLResponse(f'<html><body><ul class="JobsList_jobsList__lqjTr" '
                            f'aria-label="Jobs List">{cards}</ul></body></html>')

    @router.get("/job-listing/{slug}")
    async def glassdoor_job(request: Request, slug: str, jl: str = "") -> Response:
        fault = await faults.apply(request)
        if isinstance(fault, Response):
            return fault
        job = next((j for j in jobs["glassdoor"] if j.id == jl), None)
        if job is None:
            return HTMLResponse("<html><body>Job not found</body></html>", 404)
        return HTMLResponse(f'<html><body><div class="JobDetails_jobDescription__uW_fK '
                            f'JobDetails_blurDescription__vN7nh">{job.description}</div>'
                            "</body></html>")

    return router
