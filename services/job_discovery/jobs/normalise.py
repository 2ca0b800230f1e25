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
    CITY_COUNTRIES,
    COUNTRIES,
    US_STATE_CODES,
    US_STATES,
)
from services.job_discovery.jobs.text import fold, tidy

# Legal-form and trade words that differ between sources for one employer ("Acme, Inc.").
_LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp", "corporation",
    "plc", "co", "company", "ag", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy",
    "ab", "as", "aps", "pty", "pte", "kg", "ug", "llp", "lp", "holdings", "group",
    "pvt", "private", "na", "sl", "slu",
    # Trade words some boards drop from the end of a name ("Larkspur Insurance Services").
    "services", "solutions", "construction", "constructions", "resorts", "consulting",
    "consultants", "technologies", "international", "partners", "studio", "studios",
})
# Words employers' names abbreviate on some boards ("Medical Ctr", "Intl").
_COMPANY_WORDS = {
    "ctr": "center", "centre": "center", "hosp": "hospital", "med": "medical",
    "univ": "university", "intl": "international", "natl": "national", "svc": "services",
    "svcs": "services", "mgmt": "management", "sd": "school district", "and": "",
}
_TITLE_WORDS = {
    "sr": "senior", "snr": "senior", "jr": "junior", "jnr": "junior", "eng": "engineer",
    "engr": "engineer", "dev": "developer", "mgr": "manager", "mngr": "manager",
    "assoc": "associate", "admin": "administrator", "ops": "operations", "i": "1",
    "ii": "2", "iii": "3", "iv": "4", "v": "5", "lvl": "level", "swe": "software engineer",
    "sde": "software development engineer", "qa": "quality assurance", "vp": "vice president",
    "sre": "site reliability engineer", "exec": "executive", "pm": "product manager",
    "rn": "registered nurse", "lpn": "licensed practical nurse",
    "cna": "certified nursing assistant", "asst": "assistant", "coord": "coordinator",
    "rep": "representative", "dir": "director", "supv": "supervisor", "supvr": "supervisor",
    "tech": "technician", "maths": "mathematics", "math": "mathematics",
    "sdr": "sales development representative", "bdr": "business development representative",
    "ae": "account executive", "csr": "customer service representative",
    "nights": "night", "overnight": "night", "overnights": "night", "graveyard": "night",
    "days": "day", "evenings": "evening", "weekends": "weekend", "lab": "laboratory",
    "rdh": "registered dental hygienist", "ap": "accounts payable",
}
# Compounds spelt apart or hyphenated by some sources ("Back-end", "Full Stack").
_COMPOUNDS = re.compile(r"\b(back|front|full) (end|stack)\b")
# One spelling of a commercial driving licence class: "CDL-A", "Class A CDL", "CDL Class A".
_CDL = re.compile(r"\b(?:class ([abc]) cdl|cdl class ([abc])|cdl ([abc]))\b")
# "Developer" and "Engineer" name one job after these words ("Frontend Developer"), not after
# others ("Business Developer", "Property Developer").
_SOFTWARE_WORDS = frozenset({
    "software", "frontend", "backend", "fullstack", "web", "mobile", "ios", "android",
    "java", "python", "javascript", "typescript", "react", "node", "net", "c++", "c#", "go",
    "golang", "ruby", "rails", "php", "kotlin", "swift", "scala", "rust", "embedded",
    "firmware", "game", "cloud", "devops", "data", "application", "applications", "platform",
})
# Requisition and job numbers boards append ("R-2026-18841", "Req #4411", "Job ID: 5521",
# "JR0012345"), pay ("$21.50/hr"), hours ("36 hrs"), experience ("4 to 7 Years") and ratios
# ("1:1 support") some put in the title: none names the job.
_TITLE_NOISE = re.compile(
    r"\b(?:req(?:uisition)?|job|position)\s*(?:id|no|number|#)?\s*[:#.]?\s*[\w-]*\d[\w-]*"
    r"|\b(?:R|JR|REQ)-?\d{4,}(?:-\d+)*\b|\b\d{6,}\b"
    r"|[$\u20ac\u00a3]\s?\d[\d,.]*\s?[kK]?(?:\s?(?:/|per|an|a)\s?(?:hour|hr|h|year|yr))?"
    r"|\b\d+(?:\.\d+)?\s?(?:hrs|hours|h)(?:\s?/\s?(?:wk|week))?\b"
    r"|\b\d+\+?(?:\s?(?:-|to|\u2013)\s?\d+)?\s?(?:years|yrs)\b|\b\d+:\d+\b", re.I)
# Words that say nothing about which job it is.
_TITLE_FILLER = frozenset({
    "of", "the", "for", "and", "to", "in", "at", "with", "position", "role", "job", "opening",
    "vacancy", "hiring", "now", "urgent", "urgently", "immediate", "start", "new", "team",
    "level", "mid", "intermediate", "shift", "full", "time", "fulltime", "ft", "permanent",
})
# Seniority: a different word here is a different job ("Junior" and "Senior", "I" and "III").
_LEVEL_WORDS = frozenset({
    "junior", "senior", "lead", "staff", "principal", "head", "chief", "intern", "trainee",
    "entry", "graduate", "apprentice", "1", "2", "3", "4", "5", "journeyman", "master",
})
# Shifts: two postings for one role on different shifts are two jobs.
_SHIFT_WORDS = frozenset({"day", "night", "evening", "weekend", "swing"})
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
# US ZIP codes ("43215", "97209-1234") and UK postcodes ("LE4", "SW1A 1AA") in a location.
_POSTCODE = re.compile(r"\b(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?(?:\s+\d[A-Z]{2})?)\b")
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


def company_key(company: str, city_key: str = "") -> str:
    """The employer without case, punctuation, trailing legal forms ("Acme GmbH & Co. KG") or
    the posting's own city after its name ("Clinique Saint-Luc Lyon" in Lyon)."""
    words = list(_company_words(company))
    city = city_key.split()
    while len(words) > 1:
        if words[-1] in _LEGAL_FORMS:
            words.pop()
        elif city and len(words) > len(city) and words[-len(city):] == city:
            del words[-len(city):]
        else:
            break
    return " ".join(words)


@lru_cache(maxsize=_CACHED)
def _company_words(company: str) -> tuple[str, ...]:
    # Cached by name alone: an employer posts in many cities.
    spelt = (_COMPANY_WORDS.get(w, w) for w in fold(company.replace("&", " ")).split())
    words = _joined_initials([w for w in spelt if w])
    return tuple(words[1:] if len(words) > 1 and words[0] == "the" else words)


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


@dataclass(frozen=True)
class TitleWords:
    """The words of a title that say which job it is, sorted into what must agree."""

    words: frozenset[str]
    levels: frozenset[str]
    shifts: frozenset[str]
    numbers: frozenset[str]


@lru_cache(maxsize=_CACHED)
def title_words(title: str, city_key: str = "") -> TitleWords:
    """A title's words with abbreviations, synonyms and levels folded; numbers, pay, filler
    and the posting's own city or workplace dropped ("Sr. Frontend Developer - Berlin")."""
    text = _TITLE_NOISE.sub(" ", _GENDER_TAG.sub(" ", title).replace("&", " and "))
    words = " ".join(_TITLE_WORDS.get(word, word) for word in fold(text).split())
    words = _CDL.sub(lambda m: f"cdl{next(g for g in m.groups() if g)}", words)
    folded = _COMPOUNDS.sub(r"\1\2", words).split()
    city = city_key.split()
    kept: list[str] = []
    for index, word in enumerate(folded):
        if word in {"developer", "programmer"} and index and folded[index - 1] in _SOFTWARE_WORDS:
            word = "engineer"
        if word in _TITLE_FILLER or word in _WORKPLACE_WORDS or word in city:
            continue
        kept.append(word)
    bag = frozenset(kept)
    return TitleWords(
        words=bag, levels=bag & _LEVEL_WORDS, shifts=bag & _SHIFT_WORDS,
        numbers=frozenset(w for w in bag - _LEVEL_WORDS if any(c.isdigit() for c in w)))


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
    stripped = _POSTCODE.sub(" ", _ONSITE.sub(" ", _REMOTE.sub(" ", _HYBRID.sub(" ", text))))
    parts = [p for p in _PLACE_SPLIT.split(stripped) if p and fold(p)]
    city = region = country = None
    for index, part in enumerate(parts):
        if index > 0 or len(parts) == 1:
            # Two letters after a city are a state first ("Portland, OR", "Austin, TX"):
            # North American boards write them far more often than country codes, unless
            # the city is one of that country's ("Berlin, DE", "Toronto, CA").
            if (city is not None and region is None
                    and (found := _country_of(part)) is not None
                    and CITY_COUNTRIES.get(_city_key(city)) == found):
                country = found
                continue
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
        return _city_key(city)
    return fold(text)


def _city_key(city: str) -> str:
    folded = fold(city)
    return CITY_ALIASES.get(folded, folded)


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
