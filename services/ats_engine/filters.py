"""Candidate preferences as hard filters, applied before any scoring."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from services.ats_engine.jd import JobRequirements
from services.ats_engine.scoring import title_tokens

_COUNTRIES = {
    "US": re.compile(r"\b(?:US|U\.S\.|USA|United States)\b"),
    "UK": re.compile(r"\b(?:UK|U\.K\.|United Kingdom)\b"),
    "EU": re.compile(r"\b(?:EU|European Union)\b"),
    "CA": re.compile(r"\bCanada\b"),
    "DE": re.compile(r"\bGermany\b"),
}


class Preferences(BaseModel):
    """What a candidate will and will not be applied for."""

    model_config = ConfigDict(extra="forbid")

    target_titles: list[str] = []
    locations: list[str] = []
    remote_ok: bool = True
    relocate: bool = Field(default=False, description="Will move for an on-site or hybrid job")
    work_authorization: list[str] = Field(default=[], description="Country codes: US, UK, EU…")
    min_salary: float | None = Field(default=None, ge=0)
    company_blacklist: list[str] = []
    daily_cap: int | None = Field(default=None, ge=0)


def blocked(prefs: Preferences, job: JobRequirements, company: str) -> str | None:
    """Why the candidate's preferences rule this job out, or None."""
    if company.strip().lower() in {c.strip().lower() for c in prefs.company_blacklist}:
        return f"{company} is on the candidate's company blacklist"
    if prefs.target_titles:
        words = title_tokens(job.title)
        if not any(title_tokens(t) and len(title_tokens(t) & words) / len(title_tokens(t))
                   >= 0.5 for t in prefs.target_titles):
            return f"'{job.title}' is not among the target titles"
    if prefs.locations or not prefs.remote_ok:
        remote = job.remote == "remote"
        here = any(place.lower() in job.location.lower() for place in prefs.locations)
        moves = prefs.relocate and not remote
        if not ((remote and prefs.remote_ok) or here or moves):
            return f"location '{job.location or job.remote}' is outside the candidate's places"
    if job.work_authorization and prefs.work_authorization:
        needed = [code for code, pattern in _COUNTRIES.items()
                  if pattern.search(job.work_authorization)]
        if needed and not set(needed) & {c.upper() for c in prefs.work_authorization}:
            return f"the job needs work authorisation in {', '.join(needed)}"
    if prefs.min_salary is not None and job.salary_max is not None \
            and job.salary_max < prefs.min_salary:
        return f"pay up to {job.salary_max:,.0f} is under the minimum {prefs.min_salary:,.0f}"
    return None
