"""Names of employers, titles, places, contract kinds and times, each in one canonical form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache

from infra.places import (
    CA_PROVINCE_CODES,
    CA_PROVINCES,
    CITY_ALIASES,
    COUNTRIES,
    US_STATE_CODES,
    US_STATES,
)
from services.job_discovery.jobs.text import fold, tidy

# Legal-form words that differ between sources for one employer ("Acme, Inc." and "Acme").
_LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp", "corporation",
    "plc", "co", "company", "ag", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy",
    "ab", "as", "aps", "pty", "pte", "kg", "ug", "llp", "lp", "holdings", "group",
})
_TITLE_WORDS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "jnr": "junior", "eng": "engineer",
    "engr": "engineer", "dev": "developer", "mgr": "manager", "mngr": "manager",
    "assoc": "associate", "admin": "administrator", "ops": "operations", "i": "1",
    "ii": "2", "iii": "3", "iv": "4", "v": "5", "lvl": "level", "swe": "software engineer",
    "sde": "software development engineer", "qa": "quality assurance", "vp": "vice president",
    "sre": "site reliability engineer", "exec": "executive", "pm": "product manager",
}
# Compounds spelt apart or hyphenated by some sources ("Back-end", "Full Stack").
_COMPOUNDS = re.compile(r"\b(back|front|full) (end|stack)\b")
# Said in a title by some sources and in the location field by others.
_WORKPLACE_WORDS = frozenset({"remote", "hybrid", "onsite", "on site", "wfh"})
# Gender tags German and French boards append: "(m/w/d)", "(f/m/x)", "(h/f)", "(all genders)".
_GENDER_TAG = re.compile(
    r"\(\s*(?:[mwfdxh]\s*/\s*)+[mwfdxh]\s*\)|\(\s*all genders?\s*\)|\(\s*gn\s*\)", re.I)
_REMOTE = re.compile(r"\b(remote|anywhere|work from home|wfh|distributed|telecommute|"
                     r"home[- ]?office|remote[- ]first)\b", re.I)
_HYBRID = re.compile(r"\bhybrid\b", re.I)
_ONSITE = re.compile(r"\b(on[- ]?site|in[- ]office|office[- ]based)\b", re.I)
# Cities that share their name with a state; alone, they mean the city.
_STATE_NAMED_CITIES = frozenset({"new york", "washington"})
_PLACE_SPLIT = re.compile(r"\s*(?:[,;|/()\[\]]|\s[-\u2013\u2014]\s|\bor\b)\s*")


# Sources repeat a handful of employers, places and titles thousands of times a run.
_CACHED = 16_384


class Workplace(StrEnum):
    """Where the work happens."""

    REMOTE = "remote"
    HYBRID = "hybrid"
    ONSITE = "onsite"


class EmploymentType(StrEnum):
    """The kind of contract."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    TEMPORARY = "temporary"
    INTERNSHIP = "internship"
    FREELANCE = "freelance"


_EMPLOYMENT = (
    (EmploymentType.INTERNSHIP, re.compile(
        r"\b(intern|internship|werkstudent|working student|trainee|apprentice(ship)?)\b")),
    (EmploymentType.PART_TIME, re.compile(r"\b(part[ _-]?time|teilzeit|pt)\b")),
    (EmploymentType.FREELANCE, re.compile(r"\b(freelance|freelancer|self employed)\b")),
    (EmploymentType.TEMPORARY, re.compile(r"\b(temporary|temp|seasonal|befristet)\b")),
    (EmploymentType.CONTRACT, re.compile(
        r"\b(contract|contractor|fixed[ _-]?term|c2c|1099)\b")),
    (EmploymentType.FULL_TIME, re.compile(
        r"\b(full[ _-]?time|fulltime|permanent|vollzeit|regular|ft|cdi)\b")),
)


@dataclass(frozen=True)
class Location:
    """A parsed location; `key` is what two spellings of one place share."""

    city: str | None
    region: str | None
    country: str | None
    workplace: Workplace | None
    key: str


def company_name(company: str) -> str:
    """The display form: trimmed and single-spaced, as the source spelt it."""
    return tidy(company)


@lru_cache(maxsize=_CACHED)
def company_key(company: str) -> str:
    """The employer without case, punctuation or trailing legal forms ("Acme GmbH & Co. KG")."""
    words = _joined_initials(fold(company.replace("&", " ")).split())
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def _joined_initials(words: list[str]) -> list[str]:
    """Dotted abbreviations as one word: "S.A." folds to "s a", and is "sa"."""
    out: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            out.append(run)
            run = ""
        if word:
            out.append(word)
    return out


def job_title(title: str) -> str:
    """The display form: gender tags removed, whitespace collapsed."""
    return tidy(_GENDER_TAG.sub(" ", title)).strip(" -\u2013,")


@lru_cache(maxsize=_CACHED)
def title_key(title: str) -> str:
    """The title in one spelling: abbreviations expanded, levels as digits, no place words."""
    words = fold(_GENDER_TAG.sub(" ", title).replace("&", " and ")).split()
    expanded = _COMPOUNDS.sub(r"\1\2", " ".join(_TITLE_WORDS.get(word, word) for word in words))
    kept = [w for w in expanded.split() if w not in _WORKPLACE_WORDS]
    return " ".join(kept or expanded.split())


def _country_of(part: str) -> str | None:
    return COUNTRIES.get(fold(part))


def _region_of(part: str) -> tuple[str, str] | None:
    """(region code, country) of a US state or Canadian province, by name or code."""
    folded = fold(part)
    if folded in US_STATES:
        return US_STATES[folded], "US"
    if folded in CA_PROVINCES:
        return CA_PROVINCES[folded], "CA"
    code = part.strip().upper()
    if len(code) == 2 and code in US_STATE_CODES:
        return code, "US"
    if len(code) == 2 and code in CA_PROVINCE_CODES:
        return code, "CA"
    return None


@lru_cache(maxsize=_CACHED)
def parse_location(raw: str) -> Location:
    """City, region, country and workplace of a free-text location ("Berlin, DE (Hybrid)")."""
    text = tidy(raw)
    workplace: Workplace | None = None
    if _HYBRID.search(text):
        workplace = Workplace.HYBRID
    elif _REMOTE.search(text):
        workplace = Workplace.REMOTE
    elif _ONSITE.search(text):
        workplace = Workplace.ONSITE
    stripped = _ONSITE.sub(" ", _REMOTE.sub(" ", _HYBRID.sub(" ", text)))
    parts = [p for p in _PLACE_SPLIT.split(stripped) if p and fold(p)]
    city = region = country = None
    for index, part in enumerate(parts):
        if index > 0 or len(parts) == 1:
            # Two letters after a city are a state first ("Portland, OR", "Austin, TX"):
            # North American boards write them far more often than country codes.
            if region is None and index > 0 and (state := _region_of(part)) is not None:
                region, inferred = state
                country = country or inferred
                continue
            if (found := _country_of(part)) is not None:
                country = found
                continue
        if city is None and (index == 0 or fold(part) not in COUNTRIES):
            city = tidy(part)
    if city is not None and region is None and country is None and len(parts) == 1:
        # A bare US state name ("California") is a region, not a city.
        state = _region_of(city)
        if state is not None and len(city) > 2 and fold(city) not in _STATE_NAMED_CITIES:
            region, country, city = state[0], state[1], None
    if workplace is None and (city or region or country):
        workplace = Workplace.ONSITE
    return Location(city, region, country, workplace, _location_key(city, workplace, text))


def _location_key(city: str | None, workplace: Workplace | None, text: str) -> str:
    if workplace is Workplace.REMOTE:
        # "Remote", "Remote - US" and "Anywhere" name one remote job on different boards.
        return "remote"
    if city:
        folded = fold(city)
        return CITY_ALIASES.get(folded, folded)
    return fold(text)


@lru_cache(maxsize=_CACHED)
def employment_type(raw: str) -> EmploymentType | None:
    """The contract kind a source names ("FULL_TIME", "Vollzeit", "Contractor"), if any."""
    folded = fold(raw).replace("_", " ")
    for kind, pattern in _EMPLOYMENT:
        if pattern.search(folded):
            return kind
    return None


def to_utc(value: datetime | str | float | None) -> datetime | None:
    """A time in UTC: aware datetimes converted, ISO strings parsed, epochs in s or ms."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        # Lever and some feeds send epoch milliseconds; seconds would be after year 33658.
        seconds = value / 1000 if abs(value) > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 time: {text[:40]!r}") from None
    if value.tzinfo is None:
        # Sources that omit the zone publish in UTC (Adzuna, Workday's JSON).
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
