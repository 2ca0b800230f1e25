"""Format matrix: one resume's facts, rendered in many layouts, parse to the same profile.

Each resume of tests/fixtures/format_matrix/resumes (JSON Resume) is rendered by render.py into
six jsonresume themes, a two-column PDF, a DOCX table and plain text (rendered/). Parsed as
production parses an upload, every layout must give the truth's years of experience, the plain
text's degree, the latest title, nearly the same skills and the same score for one job post.
A failure lists every disagreement at once, resume by layout by fact."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from services.ats_engine.engine import Engine, ParsedResume
from services.ats_engine.scoring import SemanticMatch
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, load_weights
from tests.fixtures.format_matrix.render import (
    EXTENSIONS,
    LAYOUTS,
    RENDERED,
    RESUMES,
    text_layout,
)

TODAY = date(2026, 11, 26)
JOBS = Path(__file__).parents[1] / "fixtures" / "format_matrix" / "jobs.json"
YEARS_TOLERANCE = 0.5
MIN_SKILL_JACCARD = 0.9
SCORE_TOLERANCE = 3.0
# Sections a theme leaves out: its skills and score are compared with a plain text without them.
OMITTED = {"flat": ("certificates",), "kendall": ("certificates",),
           "macchiato": ("certificates",)}
_DEGREES = (("doctor", 5), ("ph.d", 5), ("master", 4), ("bachelor", 3), ("associate", 2),
            ("diploma in", 2), ("high school", 1))


@dataclass(frozen=True)
class Facts:
    years: float
    degree: int
    latest_title: str
    skills: frozenset[str]
    score: float


def _month(value: str, end: bool) -> date:
    year, month = (int(part) for part in value.split("-")[:2])
    if not end:
        return date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def truth_years(resume: dict[str, Any]) -> float:
    """Years covered by the work entries, overlaps counted once; no end date means today."""
    spans = sorted((_month(job["startDate"], end=False),
                    _month(job["endDate"], end=True) if job.get("endDate") else TODAY)
                   for job in resume["work"])
    days = 0
    start, end = spans[0]
    for begin, finish in spans[1:]:
        if begin > end:
            days += (end - start).days
            start, end = begin, finish
        else:
            end = max(end, finish)
    days += (end - start).days
    return days / 365.25


def truth_degree(resume: dict[str, Any]) -> int:
    """The highest level the education entries name, on the parser's scale."""
    return max((level for item in resume["education"] for word, level in _DEGREES
                if word in item["studyType"].lower()), default=0)


def latest_title(parsed: ParsedResume) -> str:
    """The first role's title; the role's dated line while roles carry no title."""
    roles = parsed.profile.roles
    if not roles:
        return ""
    title = getattr(roles[0], "title", None)
    return str(title) if title is not None else roles[0].line


@cache
def engine() -> Engine:
    return Engine(default_taxonomy())


def facts(name: str, parsed: ParsedResume) -> Facts:
    post = json.loads(JOBS.read_text())[name]
    job = engine().parse_job(post["title"], post["description"], post["location"])
    # One fit in meaning for every layout: what may differ is what the rules read.
    outcome = engine().score(parsed, job, load_weights(DEFAULT_FILE), SemanticMatch(0.5, {}))
    profile = parsed.profile
    return Facts(profile.total_years, profile.education_level, latest_title(parsed),
                 frozenset(profile.skills), outcome.score)


def parsed_layout(name: str, layout: str) -> ParsedResume:
    path = RENDERED / name / f"{layout}.{EXTENSIONS[layout]}"
    kind = {"pdf": "pdf", "docx": "docx", "txt": "text"}[EXTENSIONS[layout]]
    return engine().parse_file(path.read_bytes(), kind, TODAY)


def reference(name: str, resume: dict[str, Any], layout: str) -> Facts:
    """The plain text of what the layout shows: the committed text, or one without the
    sections the theme leaves out."""
    shown = {key: value for key, value in resume.items() if key not in OMITTED.get(layout, ())}
    shown.setdefault("certificates", [])
    return facts(name, engine().parse_text(text_layout(shown), TODAY))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def disagreements(name: str) -> list[tuple[str, str, str, str, str]]:
    """(resume, layout, fact, got, wanted) for every fact a layout gets wrong."""
    resume = json.loads((RESUMES / f"{name}.json").read_text())
    years, degree = truth_years(resume), truth_degree(resume)
    position = resume["work"][0]["position"]
    found: dict[str, Facts] = {}
    rows: list[tuple[str, str, str, str, str]] = []
    for layout in LAYOUTS:
        try:
            found[layout] = facts(name, parsed_layout(name, layout))
        except Exception as exc:  # a layout that cannot be parsed is one more disagreement
            rows.append((name, layout, "parse", f"{type(exc).__name__}: {exc}", "parsed"))
    for layout, got in found.items():
        def differs(fact: str, value: str, wanted: str, layout: str = layout) -> None:
            rows.append((name, layout, fact, value, wanted))

        if abs(got.years - years) > YEARS_TOLERANCE:
            differs("years", f"{got.years:.2f}", f"{years:.2f} (truth)")
        if got.degree != degree:
            differs("degree", str(got.degree), f"{degree} (truth)")
        if position.lower() not in got.latest_title.lower():
            differs("latest title", repr(got.latest_title[:70]), repr(position))
        if layout == "text" or "text" not in found:
            continue
        text, label = found["text"], "text"
        if layout in OMITTED:
            text, label = reference(name, resume, layout), f"text less {OMITTED[layout][0]}"
        if abs(got.years - text.years) > YEARS_TOLERANCE:
            differs("years vs text", f"{got.years:.2f}", f"{text.years:.2f} ({label})")
        if got.degree != text.degree:
            differs("degree vs text", str(got.degree), f"{text.degree} ({label})")
        similarity = jaccard(got.skills, text.skills)
        if similarity < MIN_SKILL_JACCARD:
            extra = ", ".join(sorted(got.skills - text.skills)) or "-"
            missing = ", ".join(sorted(text.skills - got.skills)) or "-"
            differs("skills", f"J={similarity:.2f} +{extra}", f"-{missing} ({label})")
        if abs(got.score - text.score) > SCORE_TOLERANCE:
            differs("score", f"{got.score:.1f}", f"{text.score:.1f} ({label})")
    return rows


def table(rows: list[tuple[str, str, str, str, str]]) -> str:
    header = ("resume", "layout", "fact", "got", "wanted")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                     .rstrip() for row in [header, *rows])


def names() -> list[str]:
    return sorted(path.stem for path in RESUMES.glob("*.json"))


def test_every_resume_is_rendered_in_every_layout_with_a_job_post() -> None:
    jobs = json.loads(JOBS.read_text())
    missing = [f"{name}/{layout}" for name in names() for layout in LAYOUTS
               if not (RENDERED / name / f"{layout}.{EXTENSIONS[layout]}").is_file()]
    assert len(names()) == 12 and not missing and set(jobs) == set(names())


@pytest.mark.slow  # about a hundred PDF, DOCX and text parses: ten seconds
def test_every_layout_parses_to_the_same_facts() -> None:
    rows = [row for name in names() for row in disagreements(name)]
    assert not rows, f"{len(rows)} disagreements across layouts:\n{table(rows)}"
