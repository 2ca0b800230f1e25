"""How well a job's place and remote policy suit the candidate: a score, not a filter.

The hard filters (filters.py) drop what the candidate ruled out; this scores what is left:
remote work suits anyone open to it, an on-site or hybrid job suits someone who lives there or
will relocate, and less so someone far away."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from schemas.events.matching import quote_resume
from services.ats_engine.credentials import country_of
from services.ats_engine.jd import JobRequirements

_PLACE_WORD = re.compile(r"[a-z]{2,}")
_IGNORED = frozenset({"remote", "hybrid", "onsite", "on", "site", "office", "the", "and", "or",
                      "usa", "us", "united", "states", "area", "greater", "metro", "city"})


@dataclass(frozen=True)
class CandidatePlace:
    """Where the candidate lives or will work, and how they feel about remote and moving."""

    places: tuple[str, ...] = ()
    remote_ok: bool = True
    relocate: bool = False
    country: str | None = None  # where the resume says they live, when it names no town


@dataclass(frozen=True)
class LocationFit:
    value: float
    detail: str
    elsewhere: bool = False  # on site or hybrid where the candidate neither lives nor will move


class LocationWeights(BaseModel):
    """Credit per situation (0-1); from the weights file."""

    remote: float = Field(default=1.0, ge=0, le=1)
    remote_unwanted: float = Field(default=0.5, ge=0, le=1)
    same_place: float = Field(default=1.0, ge=0, le=1)
    unknown: float = Field(default=0.8, ge=0, le=1)
    relocate: float = Field(default=0.8, ge=0, le=1)
    hybrid_elsewhere: float = Field(default=0.4, ge=0, le=1)
    onsite_elsewhere: float = Field(default=0.2, ge=0, le=1)


def _words(place: str) -> set[str]:
    return {w for w in _PLACE_WORD.findall(place.lower()) if w not in _IGNORED}


def same_place(job_location: str, place: str) -> bool:
    """The job's place names the candidate's (its city, or the region when that is all)."""
    city = _words(place.split(",")[0])
    return bool(city) and city <= _words(job_location)


def location_fit(job: JobRequirements, candidate: CandidatePlace,
                 weights: LocationWeights) -> LocationFit:
    """Score of the job's place and policy for the candidate."""
    places, remote_ok, relocate = candidate.places, candidate.remote_ok, candidate.relocate
    if job.remote == "remote":
        if remote_ok:
            return LocationFit(weights.remote, "remote job")
        return LocationFit(weights.remote_unwanted, "remote job; the candidate prefers on-site")
    policy = "hybrid" if job.remote == "hybrid" else "on-site"
    where = job.location or "an unstated place"
    if any(same_place(job.location, place) for place in places if place.strip()):
        return LocationFit(weights.same_place, f"{policy} in {where}, where the candidate is")
    job_country = country_of(job.location, strict=True) if job.location.strip() else None
    abroad = not places and candidate.country is not None and job_country is not None \
        and job_country != candidate.country
    if not abroad and (not places or not job.location.strip()):
        return LocationFit(weights.unknown, f"{policy} in {where}; the candidate's place "
                                            "is not known")
    if relocate or job.relocation:
        who = "the candidate will relocate" if relocate else "the job offers relocation"
        return LocationFit(weights.relocate, f"{policy} in {where}; {who}")
    places = places or (candidate.country or "",)
    value = weights.hybrid_elsewhere if policy == "hybrid" else weights.onsite_elsewhere
    return LocationFit(value, f"{policy} in {where}; the candidate is in "
                       f"{quote_resume(', '.join(places))}",
                       elsewhere=True)
