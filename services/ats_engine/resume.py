"""Resume text to a profile: sections, contact details, dated roles, skill years, education."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from services.ats_engine.skills import SkillHit, Taxonomy

SECTION_NAMES: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "profile", "objective", "about me", "professional summary", "about"),
    "experience": ("experience", "work experience", "employment", "professional experience",
                   "work history", "employment history", "career history", "relevant experience"),
    "education": ("education", "academic background", "education and training", "qualifications"),
    "skills": ("skills", "technical skills", "core skills", "key skills", "competencies",
               "core competencies", "technologies", "tools"),
    "certifications": ("certifications", "certificates", "licenses", "licences",
                       "licenses and certifications", "certifications and licenses"),
    "projects": ("projects", "selected projects"),
}
_HEADING = {alias: name for name, aliases in SECTION_NAMES.items() for alias in aliases}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ()./-]{7,}\d(?!\w)")
_URL = re.compile(r"(?:https?://)?(?:www\.)?(?:linkedin\.com|github\.com)/[\w/-]+", re.I)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_POINT = (r"(?:(?P<{p}m>[A-Za-z]{{3,9}}\.?|\d{{1,2}})[ /.-]*)?(?P<{p}y>(?:19|20)\d\d)")
_RANGE = re.compile(
    _POINT.format(p="s") + r"\s*(?:-|\u2013|\u2014|to|until)\s*"
    r"(?:(?P<now>present|current|now|today)|" + _POINT.format(p="e") + ")",
    re.IGNORECASE,
)
_DEGREES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (5, re.compile(r"\b(?:Ph\.?\s?D|doctorate|doctoral|MD|J\.?D)\b", re.I)),
    (4, re.compile(r"\b(?:master'?s?|MSc|M\.Sc|MEng|MBA|MPH|MEd|M\.S\.|M\.A\.)\b|\b(?:MS|MA)\b")),
    (3, re.compile(r"\b(?:bachelor'?s?|BSc|B\.Sc|BEng|BBA|B\.S\.|B\.A\.|BSN|undergraduate "
                   r"degree)\b|\b(?:BS|BA)\b", re.I)),
    (2, re.compile(r"\b(?:associate'?s? degree|associate of|AAS|diploma in)\b", re.I)),
    (1, re.compile(r"\b(?:high school|GED|secondary school)\b", re.I)),
)
EDUCATION_NAMES = {0: "none stated", 1: "high school", 2: "associate", 3: "bachelor",
                   4: "master", 5: "doctorate"}
_YEARS_CLAIM = re.compile(r"(\d{1,2})\+?\s*(?:years|yrs)", re.I)


@dataclass(frozen=True)
class Role:
    """A dated entry of the experience section."""

    start: date
    end: date
    line: str
    text: str
    span: tuple[int, int]

    @property
    def years(self) -> float:
        return max(0.0, (self.end - self.start).days / 365.25)


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
    sections: dict[str, tuple[int, int]]
    contact: Contact
    roles: list[Role]
    total_years: float
    skill_years: dict[str, float]
    skills: dict[str, list[SkillHit]]
    education_level: int
    headline: str
    chunks: list[tuple[str, int, int]] = field(default_factory=list)
    open_to_relocation: bool = False


def sections(text: str) -> dict[str, tuple[int, int]]:
    """(start, end) character span of each known section; text before the first is 'header'."""
    found: list[tuple[str, int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip().strip("#*").strip()
        head, _, rest = stripped.partition(":")
        key = head.strip().lower()
        if key in _HEADING and len(stripped) < 60 and not rest.strip():
            found.append((_HEADING[key], offset, offset + len(line)))
        elif key in _HEADING and rest.strip():  # "Skills: Python, SQL" on one line
            body = offset + line.index(":") + 1
            found.append((_HEADING[key], offset, body))
        offset += len(line)
    spans: dict[str, tuple[int, int]] = {}
    first = found[0][1] if found else len(text)
    spans["header"] = (0, first)
    for index, (name, _, body) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(text)
        if name not in spans:
            spans[name] = (body, end)
    return spans


def contact(text: str) -> Contact:
    head = text[:1500]
    email = _EMAIL.search(head)
    phone = next((m for m in _PHONE.finditer(head)
                  if sum(ch.isdigit() for ch in m.group()) >= 9), None)
    name = next((line.strip() for line in head.splitlines() if line.strip()), None)
    if name and (len(name.split()) > 5 or any(ch.isdigit() or ch == "@" for ch in name)):
        name = None
    return Contact(name, email.group() if email else None, phone.group().strip() if phone else None,
                   tuple(m.group() for m in _URL.finditer(head)), _place(head))


def _place(head: str) -> str | None:
    """The first header segment shaped like a place ("Chicago, IL", "Berlin, Germany")."""
    for line in head.splitlines()[:8]:
        for segment in re.split(r"\s*[|•·]\s*", line.strip()):
            if _PLACE.match(segment.strip()):
                return segment.strip()
    return None


def _point(month: str | None, year: str, today: date, end: bool) -> date:
    y = int(year)
    if month is None:
        m = 12 if end else 1
    elif month.isdigit():
        m = min(12, max(1, int(month)))
    else:
        m = _MONTHS.get(month[:3].lower(), 12 if end else 1)
    point = date(y, m, 28 if end else 1)
    return min(point, today)


def roles(text: str, today: date, spans: dict[str, tuple[int, int]] | None = None) -> list[Role]:
    """Each line carrying a date range opens a role that runs to the next one or section end."""
    matches = list(_RANGE.finditer(text))
    boundaries = sorted(start for start, _ in (spans or {}).values())
    found: list[Role] = []
    for index, match in enumerate(matches):
        start = _point(match.group("sm"), match.group("sy"), today, end=False)
        if match.group("now"):
            end = today
        else:
            end = _point(match.group("em"), match.group("ey"), today, end=True)
        if end < start:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        stop = text.rfind("\n", 0, stop) + 1 if index + 1 < len(matches) else stop
        stop = max(stop, text.find("\n", match.end()) if "\n" in text[match.end():] else stop)
        # A role never runs into the next section ("Skills" after the last role).
        stop = min([stop, *(b for b in boundaries if b > match.end())])
        line_end = text.find("\n", match.end())
        line = text[line_start: line_end if line_end != -1 else len(text)].strip()
        found.append(Role(start, end, line, text[line_start:stop], (line_start, stop)))
    return found


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


def education_level(text: str, spans: dict[str, tuple[int, int]]) -> int:
    start, end = spans.get("education", (0, len(text)))
    scope = text[start:end]
    return next((level for level, pattern in _DEGREES if pattern.search(scope)), 0)


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


def parse_resume(text: str, taxonomy: Taxonomy, today: date) -> ResumeProfile:
    """The profile of one resume text."""
    spans = sections(text)
    dated = roles(text, today, spans)
    person = contact(text)
    # The candidate's own name is no skill, whatever the taxonomy holds ("Ada").
    name_end = text.find(person.name) + len(person.name) if person.name else 0
    hits = [hit for hit in taxonomy.find(text) if hit.start >= name_end]
    by_skill: dict[str, list[SkillHit]] = {}
    for hit in hits:
        by_skill.setdefault(hit.skill, []).append(hit)
    skill_periods: dict[str, list[tuple[date, date]]] = {}
    for role in dated:
        for hit in hits:
            if role.span[0] <= hit.start < role.span[1]:
                skill_periods.setdefault(hit.skill, []).append((role.start, role.end))
    total = _union_years([(r.start, r.end) for r in dated])
    if not dated:
        claimed = [int(m.group(1)) for m in _YEARS_CLAIM.finditer(text[:2000])]
        total = float(max(claimed)) if claimed else 0.0
    header = text[slice(*spans["header"])]
    # The headline: the first header line after the name that is not contact details.
    headline_lines = [line.strip() for line in header.splitlines()[1:] if line.strip()
                      and not _EMAIL.search(line) and not _PHONE.search(line)
                      and not _PLACE.match(line.strip())]
    headline = headline_lines[0] if headline_lines else ""
    if dated and not headline:
        headline = dated[0].line
    return ResumeProfile(
        text=text, sections=spans, contact=person, roles=dated, total_years=total,
        skill_years={skill: _union_years(p) for skill, p in skill_periods.items()},
        skills=by_skill, education_level=education_level(text, spans), headline=headline,
        chunks=chunks(text), open_to_relocation=bool(_RELOCATE.search(text)),
    )
