"""Resume text to a profile: sections, contact, dated roles, skill years, degrees and facts."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

from services.ats_engine.credentials import (
    EDUCATION_NAMES,
    Authorisation,
    Credential,
    Degree,
    authorisation_in,
    clearance_in,
    country_of,
    credentials_in,
    degrees_in,
)
from services.ats_engine.languages import stated_levels
from services.ats_engine.roles import Role, find_roles, title_like
from services.ats_engine.sections import section_at, section_spans
from services.ats_engine.skills import SkillHit, Taxonomy

__all__ = ["EDUCATION_NAMES", "ResumeProfile", "Role", "contact", "parse_resume"]

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ()./-]{7,}\d(?!\w)")
_URL = re.compile(r"(?:https?://)?(?:www\.)?(?:linkedin\.com|github\.com)/[\w/-]+", re.I)
_YEARS_CLAIM = re.compile(r"(\d{1,2})\+?\s*(?:years|yrs)", re.I)


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    links: tuple[str, ...] = ()
    place: str | None = None  # "Chicago, IL": where the candidate lives, when the header says


_COUNTRIES = ("USA|UK|United Kingdom|United States|Canada|Germany|France|Spain|Italy|Ireland|"
              "Netherlands|Poland|Portugal|Sweden|Denmark|Norway|Finland|Austria|Switzerland|"
              "Belgium|India|Australia|Mexico|Brazil|Japan|Singapore")
_PLACE = re.compile(r"^(?:[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}), (?:[A-Z]{2}|" + _COUNTRIES +
                    r")(?:,? (?:USA|US))?$")
_RELOCATE = re.compile(r"\b(?:willing to relocate|open to relocation|open to relocating|"
                       r"relocating to|will relocate)\b", re.I)


@dataclass
class ResumeProfile:
    """What the scorer needs from one resume version."""

    text: str
    sections: dict[str, list[tuple[int, int]]]
    contact: Contact
    roles: list[Role]
    total_years: float
    skill_years: dict[str, float]
    skills: dict[str, list[SkillHit]]
    education_level: int
    headline: str
    chunks: list[tuple[str, int, int]] = field(default_factory=list)
    open_to_relocation: bool = False
    degrees: list[Degree] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    authorisation: Authorisation = field(
        default_factory=lambda: Authorisation(None, frozenset()))
    clearance: tuple[int, str] | None = None
    country: str | None = None
    listed_only: frozenset[str] = frozenset()  # credentials named only in a skills list
    listed_only_skills: frozenset[str] = frozenset()  # skills named only in a skills list
    internship_years: float = 0.0
    today: date = date.min  # the day "present" was read as
    languages: dict[str, int] = field(default_factory=dict)  # spoken, on the scale of languages

    def credential(self, name: str) -> Credential | None:
        """The strongest mention of a credential: active before pending before expired."""
        order = {"active": 0, "pending": 1, "expired": 2}
        found = [c for c in self.credentials if c.name == name]
        return min(found, key=lambda c: order[c.status]) if found else None


def contact(text: str) -> Contact:
    head = text[:1500]
    email = _EMAIL.search(head)
    phone = next((m for m in _PHONE.finditer(head)
                  if sum(ch.isdigit() for ch in m.group()) >= 9), None)
    name = next((line.strip() for line in head.splitlines() if line.strip()), None)
    if name and (len(name.split()) > 5 or any(ch.isdigit() or ch == "@" for ch in name)):
        name = None
    if name:
        # "Ann Lee, RN" is Ann Lee.
        name = re.split(r",\s*(?=[A-Z.]{2,}\b)|\s+[|\u2013\u2014]\s+", name)[0].strip()
    return Contact(name, email.group() if email else None, phone.group().strip() if phone else None,
                   tuple(m.group() for m in _URL.finditer(head)), _place(head))


def _place(head: str) -> str | None:
    """The first header segment shaped like a place ("Chicago, IL", "Berlin, Germany")."""
    lines = [line for line in head.splitlines() if line.strip()][1:8]  # the first is the name
    for line in lines:
        for segment in re.split(r"\s*[|•·]\s*|\s{2,}", line.strip()):
            segment = re.sub(r"^(?:based in|location:?|address:?)\s*", "", segment.strip(),
                             flags=re.I)
            if re.fullmatch(r"[A-Z][\w.' -]{1,30}(?:, [A-Z][\w. ]{1,25}){1,2}", segment) \
                    and country_of(segment):
                return segment
    return None


def _union_years(periods: list[tuple[date, date]]) -> float:
    """Years covered by the periods, counting overlaps once."""
    total = 0
    current: tuple[date, date] | None = None
    for start, end in sorted(periods):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).days
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).days
    return round(total / 365.25, 2)


def _scope(text: str, spans: dict[str, list[tuple[int, int]]], names: tuple[str, ...]) -> str:
    return "\n".join(text[a:b] for name in names for a, b in spans.get(name, []))


def chunks(text: str) -> list[tuple[str, int, int]]:
    """Lines and bullets worth matching against a requirement: (text, start, end)."""
    out = []
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip(" \t\n-•*·")
        if len(stripped) >= 3:
            start = offset + line.index(stripped[0])
            out.append((stripped, start, start + len(stripped)))
        offset += len(line)
    return out


def _headline(text: str, spans: dict[str, list[tuple[int, int]]], dated: list[Role],
              name: str | None) -> str:
    """The candidate's own title: the header line after the name that is not contact details,
    else the latest role's title."""
    start, end = spans["header"][0]
    for line in text[start:end].splitlines():
        line = line.strip()
        if not line or len(line) > 80 or (name and line.startswith(name)) \
                or _EMAIL.search(line) or _PHONE.search(line) or _PLACE.match(line):
            continue
        if title_like(line) and not re.search(r"https?://|www\.|citizen|visa|authori[sz]ed",
                                              line, re.I):
            return line[:80]
    return dated[0].title if dated else ""


_LIST_SEPARATORS = re.compile(r"\s[|•·]\s|,\s|;\s")


def _in_list(text: str, position: int, spans: dict[str, list[tuple[int, int]]]) -> bool:
    """Whether a mention sits in a skills section or a keyword line ("HVAC | EPA 608 |
    NATE | Brazing | ..."): a claim no role backs."""
    if section_at(spans, position) == "skills":
        return True
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start: end if end != -1 else len(text)]
    return len(_LIST_SEPARATORS.findall(line)) >= 5 and not re.search(r"[.!?]\s", line)


def _listed_only(credentials: list[Credential], text: str,
                 spans: dict[str, list[tuple[int, int]]]) -> frozenset[str]:
    """Credentials a resume names only inside a skills or keywords list, nowhere a reader
    would look for a licence (its own section, a role, the header or summary)."""
    places: dict[str, set[bool]] = {}
    for credential in credentials:
        places.setdefault(credential.name, set()).add(_in_list(text, credential.start, spans))
    return frozenset(name for name, listed in places.items() if listed == {True})


# "..., Tacoma, WA" or "..., Berlin, Germany" closing a role's header.
_PLACE_AT_END = re.compile(r",\s*([A-Z][\w.' ]{1,30}(?:,\s*[A-Z][\w. ]{1,25})?)\s*(?:\||$)")
_COUNTRY_NAMES = frozenset({
    "usa", "us", "uk", "united kingdom", "united states", "canada", "india", "germany",
    "ireland", "australia", "singapore", "netherlands", "france", "spain", "italy", "poland",
    "mexico", "brazil", "philippines", "nigeria", "south africa", "new zealand", "sweden",
    "switzerland", "austria", "portugal", "belgium", "denmark", "norway", "finland", "japan",
    "uae", "dubai", "pakistan", "egypt", "kenya"})
_DIALLING = {"1": "US", "44": "UK", "91": "IN", "49": "DE", "63": "PH", "61": "AU", "353": "IE",
              "31": "NL", "48": "PL", "52": "MX", "55": "BR", "234": "NG", "65": "SG", "27": "ZA",
              "33": "FR", "34": "ES", "39": "IT", "64": "NZ", "971": "AE", "92": "PK", "20": "EG"}


def _home_country(text: str, person: Contact, dated: list[Role]) -> str | None:
    """Where the candidate lives: the header's place, else a country the header names, else
    the latest role's place, else the phone's country code."""
    if person.place:
        return country_of(person.place)
    for line in text[:600].splitlines()[:6]:
        for segment in re.split(r"\s*[|•·]\s*|\s{3,}", line):
            if len(segment.split()) <= 4 and not _EMAIL.search(segment):
                found = country_of(segment)
                if found and (re.search(r",|\b(?:based|located|lives)\b", segment)
                              or segment.strip().lower() in _COUNTRY_NAMES):
                    return found
    for role in dated[:1]:
        place = _PLACE_AT_END.search(role.line)
        found = country_of(place.group(1), strict=True) if place else None
        if found:
            return found
    if person.phone and person.phone.startswith("+"):
        digits = re.sub(r"\D", "", person.phone)
        for size in (3, 2, 1):
            if digits[:size] in _DIALLING:
                return _DIALLING[digits[:size]]
    return None


def _skills_listed_only(by_skill: dict[str, list[SkillHit]], text: str,
                        spans: dict[str, list[tuple[int, int]]]) -> frozenset[str]:
    return frozenset(skill for skill, hits in by_skill.items()
                     if all(_in_list(text, hit.start, spans) for hit in hits))


def _outside_roles(text: str, dated: list[Role]) -> str:
    """The text without the roles' bodies: what a resume says of the candidate, not of the
    work ("processed hires requiring sponsorship" is a task, not a status)."""
    kept, position = [], 0
    for role in sorted(dated, key=lambda r: r.span[0]):
        kept.append(text[position:role.span[0]])
        position = max(position, role.span[1])
    kept.append(text[position:])
    return "\n".join(kept)


def parse_resume(text: str, taxonomy: Taxonomy, today: date) -> ResumeProfile:
    """The profile of one resume text."""
    spans = section_spans(text)
    dated = find_roles(text, today, spans)
    person = contact(text)
    # The candidate's own name is no skill, whatever the taxonomy holds ("Ada").
    name_end = text.find(person.name) + len(person.name) if person.name else 0
    named = [hit for hit in taxonomy.find(text) if hit.start >= name_end]
    # Power BI dashboards show data visualization: each mention also counts, where it stands,
    # for the broader skills it shows.
    hits = sorted([*named, *(SkillHit(broad, hit.start, hit.end, hit.text) for hit in named
                             for broad in sorted(taxonomy.broader.get(hit.skill, ())))],
                  key=lambda hit: hit.start)
    by_skill: dict[str, list[SkillHit]] = {}
    for hit in hits:
        by_skill.setdefault(hit.skill, []).append(hit)
    skill_periods: dict[str, list[tuple[date, date]]] = {}
    ordered = sorted(dated, key=lambda role: role.span[0])
    starts = [role.span[0] for role in ordered]
    for hit in hits:  # each hit against the role whose span may hold it (spans never overlap)
        index = bisect.bisect_right(starts, hit.start) - 1
        if index >= 0 and hit.start < ordered[index].span[1]:
            role = ordered[index]
            skill_periods.setdefault(hit.skill, []).append((role.start, role.end))
    work = [r for r in dated if not r.internship]
    total = _union_years([(r.start, r.end) for r in work])
    if not work:
        claimed = [int(m.group(1)) for m in _YEARS_CLAIM.finditer(text[:2000])]
        total = float(max(claimed)) if claimed else 0.0
    education = _scope(text, spans, ("education", "certifications"))
    degrees = degrees_in(education if education.strip() else text)
    credentials = credentials_in(text, today)
    country = _home_country(text, person, dated)
    return ResumeProfile(
        text=text, sections=spans, contact=person, roles=dated, total_years=total,
        skill_years={skill: _union_years(p) for skill, p in skill_periods.items()},
        skills=by_skill, education_level=max((d.level for d in degrees), default=0),
        headline=_headline(text, spans, dated, person.name),
        chunks=chunks(text), open_to_relocation=bool(_RELOCATE.search(text)),
        degrees=degrees, credentials=credentials,
        authorisation=authorisation_in(_outside_roles(text, dated), country),
        clearance=clearance_in(text, today),
        country=country, listed_only=_listed_only(credentials, text, spans),
        listed_only_skills=_skills_listed_only(by_skill, text, spans),
        internship_years=_union_years([(r.start, r.end) for r in dated if r.internship]),
        today=today, languages=stated_levels(_outside_roles(text, dated)),
    )
