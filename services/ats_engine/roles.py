"""Dated roles of a resume: each date range, its header (title, company, place in any order, on
the dates' line or the lines beside it) and the text that belongs to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from services.ats_engine.dates import DateRange, find_ranges
from services.ats_engine.sections import heading_of, section_at

# Words that make a header segment a job title rather than a company or a place.
_TITLE_WORDS = frozenset([
    "engineer", "engineering", "developer", "programmer", "architect", "scientist", "analyst",
    "nurse", "rn", "lpn", "accountant", "auditor", "bookkeeper", "controller", "manager",
    "director", "head", "lead", "officer", "chief", "president", "vp", "owner", "founder",
    "partner", "associate", "specialist", "coordinator", "consultant", "assistant", "administrator",
    "technician", "tech", "electrician", "apprentice", "journeyman", "welder", "fabricator",
    "machinist", "operator", "mechanic", "installer", "plumber", "fitter", "pipefitter", "driver",
    "foreman", "supervisor", "superintendent", "inspector", "planner", "buyer", "teacher",
    "instructor", "professor", "lecturer", "tutor", "educator", "counselor", "counsellor",
    "paralegal", "attorney", "lawyer", "counsel", "solicitor", "barrister", "clerk", "recruiter",
    "generalist", "representative", "rep", "executive", "agent", "designer", "writer", "editor",
    "producer", "marketer", "strategist", "therapist", "pharmacist", "physician", "practitioner",
    "medic", "paramedic", "aide", "intern", "trainee", "fellow", "resident", "researcher",
    "estimator", "dispatcher", "scheduler", "storekeeper", "handler", "loader", "picker",
    "merchandiser", "cashier", "secretary", "receptionist", "administrator", "staff", "principal",
    "sr", "jr", "senior", "junior", "ii", "iii", "iv", "clinician", "midwife", "hygienist",
    "radiographer", "sonographer", "technologist", "phlebotomist", "chemist", "biologist",
    "statistician", "economist", "actuary", "underwriter", "adjuster", "banker", "trader", "broker",
    "advisor", "adviser", "partner", "ceo", "cfo", "cto", "coo", "cmo", "cio", "hr", "payroll",
    "sales", "marketing", "account", "tax", "audit"
])
_SEPARATORS = re.compile(r"\s*(?:\||·|•|\u2014|\u2013|\s-\s|@|\bat\b|,|\t|\s{3,}|\(|\))\s*")
_INTERN = re.compile(r"\b(?:intern|internship|co-?op|practicum|work placement|placement year|"
                     r"student (?:nurse|teacher|worker)|externship|summer (?:analyst|associate))\b",
                     re.I)
_BULLET = re.compile(r"^\s*(?:[-•*·▪◦●‣\u2013]|\d+[.)])\s")
_NOT_ROLE_SECTIONS = frozenset({"education", "certifications", "skills", "projects", "other"})
_MAX_HEADER = 110


@dataclass(frozen=True)
class Role:
    """A dated entry of the work history."""

    start: date
    end: date
    line: str  # the header as written, dates left out
    text: str
    span: tuple[int, int]
    title: str = ""
    company: str = ""
    internship: bool = False

    @property
    def years(self) -> float:
        return max(0.0, (self.end - self.start).days / 365.25)


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.splitlines(keepends=True):
        out.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return out


def _header_like(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not _BULLET.match(line) and len(stripped) <= _MAX_HEADER \
        and not stripped.endswith((".", ";")) and len(stripped.split()) <= 14


def split_header(header: str) -> tuple[str, str]:
    """(title, company) of a header such as "Northwind Freight | Senior Accountant II"."""
    segments = [s.strip(" ,.;:-") for s in _SEPARATORS.split(header)]
    segments = [s for s in segments if s and re.search(r"[A-Za-z]{2}", s)]
    if not segments:
        return "", ""

    def title_score(segment: str) -> int:
        return sum(1 for w in re.findall(r"[a-z]+", segment.lower()) if w in _TITLE_WORDS)

    scores = [title_score(s) for s in segments]
    best = max(range(len(segments)), key=lambda i: (scores[i] > 0, scores[i], -i))
    title = segments[best]
    company = next((s for i, s in enumerate(segments) if i != best), "")
    return title, company


def find_roles(text: str, today: date, spans: dict[str, list[tuple[int, int]]]) -> list[Role]:
    """Each date range in a work section opens a role; its header is the rest of its line, or
    the short lines right above it (or below it, when the dates come first)."""
    has_experience = "experience" in spans
    lines = _lines_with_offsets(text)
    starts = [offset for offset, _ in lines]
    ranges: list[tuple[DateRange, int]] = []
    for found in find_ranges(text, today):
        index = _line_index(starts, found.begin)
        line = lines[index][1]
        if _BULLET.match(line) or (ranges and ranges[-1][1] == index):
            continue  # a date inside a bullet, or a second range of one entry
        if not _work_entry(section_at(spans, found.begin), line, has_experience):
            continue
        if ranges and ranges[-1][0].start <= found.start and found.end <= ranges[-1][0].end \
                and not title_like(line):
            continue  # a period inside the role above ("ran crews of 3-5, 2022-present")
        ranges.append((found, index))
    boundaries = sorted(start for ranges_ in spans.values() for start, _ in ranges_)
    headers = [_header(lines, index, found) for found, index in ranges]
    roles: list[Role] = []
    for number, ((found, _), (header, first)) in enumerate(zip(ranges, headers, strict=True)):
        begin = lines[first][0]
        stop = headers[number + 1][1] if number + 1 < len(headers) else len(lines)
        stop_offset = lines[stop][0] if stop < len(lines) else len(text)
        section_end = min((b for b in boundaries if b > found.begin), default=len(text))
        stop_offset = max(min(stop_offset, section_end), found.stop)
        title, company = split_header(header)
        roles.append(Role(found.start, found.end, header, text[begin:stop_offset],
                          (begin, stop_offset), title, company,
                          bool(_INTERN.search(header))))
    return roles


_SCHOOL = re.compile(r"\b(?:university|college|school|institute|academy|polytechnic|"
                     r"universit\w+|hochschule|certificate|diploma|degree|bachelor|master|"
                     r"coursework|gpa)\b", re.I)


def _work_entry(section: str, line: str, has_experience: bool) -> bool:
    """Whether a dated line of this section is a job: in the work section always; elsewhere
    only when it names a job title and no school (a missing heading must not hide a career)."""
    if section == "experience":
        return True
    if _SCHOOL.search(line) or not title_like(line):
        return section not in _NOT_ROLE_SECTIONS and not has_experience \
            and not _SCHOOL.search(line)
    return not has_experience or section in ("other", "certifications", "skills")


def _line_index(starts: list[int], position: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def _header(lines: list[tuple[int, str]], index: int, found: DateRange) -> tuple[str, int]:
    """The header of the role whose dates sit on line `index`, and its first line."""
    offset, line = lines[index]
    rest = (line[:found.begin - offset] + "   " + line[found.stop - offset:])
    rest = re.sub(r"^[\s|,·•\u2014\u2013\-()\[\]:]+|[\s|,·•\u2014\u2013\-()\[\]:]+$", "", rest)
    parts = [rest] if re.search(r"[A-Za-z]{2}", rest) else []
    first = index
    # Lines directly above (no blank between) that read as a header: title, company, place.
    above = index - 1
    while above >= 0 and index - above <= 2 and _header_like(lines[above][1]) \
            and heading_of(lines[above][1]) is None \
            and not _has_range(lines[above][1]) and not any(title_like(p) for p in parts):
        parts.insert(0, lines[above][1].strip())
        first = above
        above -= 1
    if not any(title_like(p) for p in parts):
        # Dates first, then the title on the next line ("2019 - Present" / "Engineer, Acme"),
        # or after one blank line.
        below = index + 1
        if below < len(lines) and not lines[below][1].strip():
            below += 1
        if below < len(lines) and _header_like(lines[below][1]) \
                and not _has_range(lines[below][1]) and heading_of(lines[below][1]) is None \
                and (below == index + 1 or title_like(lines[below][1])):
            parts.append(lines[below][1].strip())
    return " | ".join(parts), first


def _has_range(line: str) -> bool:
    return bool(find_ranges(line, date.max))


def title_like(segment: str) -> bool:
    """Whether a line names a job title ("Senior Accountant II", "CNC Setter / Programmer")."""
    return any(w in _TITLE_WORDS for w in re.findall(r"[a-z]+", segment.lower()))
