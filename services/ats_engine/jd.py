"""Job descriptions to requirements: must-have and nice-to-have skills, years, degree, pay."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal

from services.ats_engine.credentials import country_of, degree_level
from services.ats_engine.eligibility import (
    SOFT_LINE,
    HardRequirement,
    jurisdictions,
    requirements_in_line,
)
from services.ats_engine.skills import Taxonomy

_REQUIRED = ("requirements", "required", "qualifications", "minimum qualifications",
             "basic qualifications", "must have", "must-have", "must haves", "what you bring",
             "what you'll need", "what you will need", "you have", "who you are",
             "required skills", "what we're looking for", "what we are looking for",
             "skills and experience", "your profile", "you will need")
_PREFERRED = ("nice to have", "nice-to-have", "preferred", "preferred qualifications",
              "bonus", "bonus points", "pluses", "desired", "desirable", "good to have",
              "preferred skills", "extra credit")
_IGNORED = ("what we offer", "benefits", "perks", "about us", "why join us", "our offer",
            "compensation", "equal opportunity", "how to apply")
_OTHER = ("about the role", "what you will do", "what you'll do", "responsibilities",
          "the role", "your role", "key responsibilities", "duties", "the job", "about the job")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
            "twenty": 20}
_YEARS = re.compile(r"\b(\d{1,2}(?:\.\d)?|" + "|".join(_NUMBERS) + r")\s*\+?\s*"
                    r"(?:(?:-|\u2013|to)\s*(?:\d+|" + "|".join(_NUMBERS) + r")\s*)?"
                    r"(?:\(\d+\)\s*)?(?:or more\s+|plus\s+|\+\s*)?(?:full[- ]time\s+)?"
                    r"(?:years?|yrs)\b", re.I)
_SALARY = re.compile(
    r"(?P<cur>[$€£]|USD|EUR|GBP)\s?(?P<lo>\d[\d,.]*)\s?(?P<lok>[kK])?\s*(?:-|\u2013|\u2014|to)\s*"
    r"(?:[$€£]|USD|EUR|GBP)?\s?(?P<hi>\d[\d,.]*)\s?(?P<hik>[kK])?")
_RELOCATION = re.compile(r"\b(?:relocation (?:assistance|package|support|bonus|help|"
                         r"is (?:available|offered|provided|covered))|"
                         r"(?:offer|provide|cover|support)s? relocation|visa and relocation|"
                         r"help(?:s)? you relocate)\b", re.I)
_BOILERPLATE = re.compile(
    r"\b(?:equal (?:employment )?opportunit\w*|EOE\b|committed to (?:accessibility|diversity|"
    r"equal|inclusion|providing (?:reasonable )?accommodations?)|reasonable (?:accommodations?|"
    r"adjustments)|(?:will|can) provide accommodations?|to apply\b|apply (?:now|online|today|in "
    r"\d+|through|via|at)\b|(?:send|email|e-mail|submit) (?:us )?your (?:resume|cv|application)|"
    r"call (?:our|us)\b|(?:our|the) recruiting team|is delighted to|(?:is|are) proud to be|"
    r"interested candidates|how to apply)", re.I)
_PROGRESSIVE = re.compile(r"\b(?:we(?:'|\u2019)re|we are|is|are|currently|actively|now)\s+$",
                          re.I)
_LICENCE_WORD = re.compile(r"\blicen[cs]", re.I)
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}
_SENIORITY: tuple[tuple[int, re.Pattern[str]], ...] = (
    (5, re.compile(r"\b(?:head of|director|vp|vice president|chief)\b", re.I)),
    (4, re.compile(r"\b(?:staff (?:engineer|software|data|scientist|developer)|principal|lead|"
                   r"manager)\b", re.I)),
    (3, re.compile(r"\b(?:senior|sr\.?)\b", re.I)),
    (1, re.compile(r"\b(?:junior|jr\.?|intern|graduate|entry[- ]level|trainee|assistant)\b",
                   re.I)),
)
SENIORITY_NAMES = {1: "junior", 2: "mid-level", 3: "senior", 4: "lead", 5: "executive"}
Section = Literal["required", "preferred", "other", "ignored"]


@dataclass(frozen=True)
class SkillRequirement:
    skill: str
    must: bool
    line: str
    min_years: float | None = None


@dataclass
class JobRequirements:
    """What a job asks for, split into must-have and nice-to-have."""

    title: str
    skills: list[SkillRequirement] = field(default_factory=list)
    min_years: float | None = None
    education_level: int = 0
    education_must: bool = False
    seniority: int = 2
    location: str = ""
    remote: Literal["remote", "hybrid", "onsite"] = "onsite"
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    work_authorization: str | None = None
    relocation: bool = False  # the employer offers to help a candidate move
    chunks: list[str] = field(default_factory=list)
    hard: list[HardRequirement] = field(default_factory=list)


_HEADING_KEYS: tuple[tuple[Section, frozenset[str]], ...] = (
    ("preferred", frozenset({"preferred", "nice", "bonus", "pluses", "plus", "desired",
                             "desirable", "ideally", "extra", "advantageous", "optional",
                             "additional", "helpful", "great"})),
    ("ignored", frozenset({"benefits", "offer", "perks", "us", "company", "compensation",
                           "salary", "pay", "equal", "opportunity", "apply", "why", "culture",
                           "package", "rewards", "eeo", "diversity", "process", "hiring",
                           "location", "schedule", "hours", "shift"})),
    ("other", frozenset({"responsibilities", "responsibility", "do", "duties", "day",
                         "description", "overview", "impact", "mission", "summary", "role",
                         "job", "position", "opportunity", "accountabilities", "tasks",
                         "purpose", "team", "expect"})),
    ("required", frozenset({"requirements", "required", "requirement", "qualifications",
                            "qualification", "must", "need", "needs", "looking", "have",
                            "bring", "skills", "experience", "profile", "you", "essential",
                            "criteria", "competencies", "knowledge", "background", "minimum",
                            "basic", "candidate", "expertise", "credentials", "education",
                            "licensure", "certifications", "certification", "licenses",
                            "licences", "musts"})),
)


def _heading(line: str) -> Section | None:
    """The kind of section a heading line opens, by its exact name or by its words."""
    key = line.strip().strip("#*:").strip().lower()
    if len(key) > 60 or not key:
        return None
    for names, section in ((_PREFERRED, "preferred"), (_REQUIRED, "required"),
                           (_IGNORED, "ignored"), (_OTHER, "other")):
        if key in names or (not re.search(r"\d", key) and len(key.split()) <= 5 and any(
                key.startswith(n + " ") or key.startswith(n + ":") for n in names)):
            return section  # type: ignore[return-value]
    stripped = line.strip().lstrip("#* ")
    words = re.findall(r"[a-z]+", key)
    # A heading is short, has no digits, and stands alone or ends with a colon.
    if not words or re.search(r"\d", key) or stripped[:1] in "-•*" or len(words) > 7 \
            or (not stripped.endswith(":") and (len(words) > 5 or stripped.endswith(".")
                                               or stripped[:1].islower())):
        return None
    for section, keys in _HEADING_KEYS:
        if any(w in keys for w in words):
            if section == "ignored" and "us" in words and "about" not in words \
                    and "join" not in words:
                continue
            return section
    return None


def _years(line: str) -> float | None:
    """Years of experience a line asks ("three+", "at least 5", "2.5"); not an age ("21 years
    of age") nor a deadline ("within two years")."""
    for match in _YEARS.finditer(line):
        after = line[match.end():match.end() + 12].lower()
        before = line[max(0, match.start() - 12):match.start()].lower()
        if after.startswith((" of age", " old", " or older")) or before.rstrip().endswith(
                ("within", "after", "for", "every", "than")):
            continue
        raw = match.group(1).lower()
        return float(_NUMBERS[raw]) if raw in _NUMBERS else float(raw)
    return None


def seniority(title: str) -> int:
    return next((level for level, pattern in _SENIORITY if pattern.search(title)), 2)


def parse_job(title: str, description: str, location: str, taxonomy: Taxonomy) -> JobRequirements:
    """Requirements of one job posting (plain text description)."""
    job = JobRequirements(title=title, location=location, seniority=seniority(title))
    # Sentences, not only lines: "We need GAAP. CPA preferred." has one must and one nice.
    lines = [part.strip() for line in description.splitlines()
             for part in re.split(r"(?<=[.;!])\s+(?=[A-Z])", line) if part.strip()]
    # One pass over the whole text, so ambiguous names ("Go") see their neighbours.
    joined = "\n".join(lines)
    line_hits: dict[int, list[str]] = {}
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for hit in taxonomy.find(joined):
        if hit.text.lower().endswith("ing") and _PROGRESSIVE.search(joined, 0, hit.start):
            continue  # "we are recruiting": what the employer does, not a skill it asks
        index = bisect.bisect_right(starts, hit.start) - 1
        line_hits.setdefault(index, []).append(hit.skill)
    has_sections = any(_heading(line) in ("required", "preferred") for line in lines)
    section: Section = "other" if has_sections else "required"
    seen: dict[str, SkillRequirement] = {}
    hard: dict[tuple[str, str], HardRequirement] = {}
    job_country = country_of(location) if location else None
    for number, line in enumerate(lines):
        heading = _heading(line)
        if heading is not None:
            section = heading
            continue
        # What the employer says of itself or of applying is no requirement, wherever it sits.
        kind: Section = "ignored" if _BOILERPLATE.search(line) else section
        for requirement in requirements_in_line(line, kind == "required", job_country):
            if kind != "ignored" or requirement.kind not in ("licence", "clearance",
                                                             "language"):
                key = (requirement.kind, requirement.name)
                # The line that says "licence" states the requirement better than one that
                # only names the credential ("an FNP programme").
                if key not in hard or _better_stated(requirement.line, hard[key].line):
                    hard[key] = requirement
        if kind == "ignored":
            continue
        job.chunks.append(line.lstrip("-•* "))
        must = kind == "required" and not SOFT_LINE.search(line)
        years = _years(line)
        hits = line_hits.get(number, [])
        for index, skill in enumerate(hits):
            previous = seen.get(skill)
            if previous is not None and (previous.must or not must):
                continue
            skill_years = years if index == 0 and years is not None else None
            seen[skill] = SkillRequirement(skill, must, line, skill_years)
        if years is not None and (not hits or re.search(r"\bexperience\b", line, re.I)) \
                and section in ("required", "preferred") and must:
            job.min_years = max(job.min_years or 0.0, years)
        level = degree_level(line)
        lower = job.education_level == 0 or level < job.education_level
        if level and section != "other" and lower:
            job.education_level = level
            job.education_must = must and not re.search(r"equivalent", line, re.I)
        if re.search(r"\b(?:authori[sz]ed to work|work authori[sz]ation|no (?:visa )?sponsorship|"
                     r"right to work)\b", line, re.I):
            job.work_authorization = line
    job.skills = list(seen.values())
    for requirement in requirements_in_line(f"{title} ({location})", False, job_country):
        if requirement.kind == "residence":
            hard.setdefault((requirement.kind, requirement.name), requirement)
    job.hard = list(hard.values())
    text = f"{title}\n{location}\n{description}".lower()
    if re.search(r"\bhybrid\b", text):
        job.remote = "hybrid"
    if re.search(r"\bremote\b", f"{title} {location}".lower()) or re.search(
            r"\b(?:fully remote|remote-first|100% remote|work from anywhere)\b", text):
        job.remote = "remote"
    job.relocation = bool(_RELOCATION.search(description))
    salary = _SALARY.search(description)
    if salary:
        job.salary_min = _amount(salary.group("lo"), salary.group("lok") or salary.group("hik"))
        job.salary_max = _amount(salary.group("hi"), salary.group("hik"))
        job.salary_currency = _CURRENCY.get(salary.group("cur"), salary.group("cur"))
    return job


def _better_stated(new: str, old: str) -> bool:
    """Whether a second line asking for the same licence says more: that it is a licence,
    or where it must be held."""
    return (bool(_LICENCE_WORD.search(new)) and not _LICENCE_WORD.search(old)) \
        or (bool(jurisdictions(new)) and not jurisdictions(old))


def _amount(raw: str, thousands: str | None) -> float:
    value = float(raw.replace(",", "")) if raw.count(".") <= 1 else float(raw.replace(".", ""))
    return value * 1000 if thousands else value
