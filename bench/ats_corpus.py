"""Synthetic but varied job descriptions and resumes for bench-ats, from the O*NET tables.

Each job and resume comes from its own occupation (title, duties from its description, tools
from its technology list), with a seeded random choice of seniority, place and phrasing: 300
jobs are 300 different texts, as a day of real postings would be."""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ONET = Path("/work/shared/data/onet")
_CITIES = ("Austin, TX", "Boston, MA", "Chicago, IL", "Denver, CO", "Seattle, WA", "Atlanta, GA",
           "Berlin, Germany", "London, UK", "Toronto, Canada", "Phoenix, AZ", "Remote")
_SENIORITY = ("", "", "Senior ", "Junior ", "Lead ")
# Every line names the occupation's own work, as postings do ("Excel for loan files"), so no
# two postings share a line and the bench measures the pipeline, not its cache.
_SKILL_LINES = ("Experience with {s} as a {t}", "{s} in the daily work of a {t}",
                "Working knowledge of {s} ({c_lower}) for {t} duties",
                "Hands-on {s} for {c_lower} in a {t} role", "Proficiency in {s}, used by our {t}s",
                "{s}: {n}+ years as a {t}")
_NAMES = ("Alex Moreno", "Sam Okafor", "Jordan Lee", "Riley Novak", "Casey Tan", "Morgan Ruiz",
          "Taylor Brandt", "Jamie Costa", "Avery Singh", "Quinn Larsen")


@dataclass(frozen=True)
class Occupation:
    code: str
    title: str
    duties: list[str]
    tools: list[tuple[str, str]]  # (technology, commodity title)


def occupations(root: Path = ONET) -> list[Occupation]:
    """Occupations with a description and at least six technologies, in code order."""
    tools: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with (root / "technology_skills.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            tools[row["O*NET-SOC Code"]].append((row["Example"], row["Commodity Title"]))
    out = []
    with (root / "occupation_data.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            code = row["O*NET-SOC Code"]
            duties = [d.strip() for d in re.split(r"(?<=\.)\s+", row["Description"]) if d.strip()]
            if len(tools[code]) >= 6 and duties:
                out.append(Occupation(code, row["Title"], duties, tools[code]))
    return out


def _singular(title: str) -> str:
    first = title.split(",")[0].strip()
    return first[:-1] if first.endswith("s") and not first.endswith("ss") else first


def job_posting(occupation: Occupation, rng: random.Random) -> tuple[str, str, str]:
    """(title, description, location) of one posting for this occupation."""
    title = rng.choice(_SENIORITY) + _singular(occupation.title)
    role = _singular(occupation.title).lower()
    years = rng.randint(1, 8)
    tools = rng.sample(occupation.tools, k=min(len(occupation.tools), rng.randint(5, 8)))
    must, nice = tools[:max(3, len(tools) - 2)], tools[max(3, len(tools) - 2):]

    def line(tool: tuple[str, str]) -> str:
        name, commodity = tool
        return "- " + rng.choice(_SKILL_LINES).format(
            s=name, c_lower=commodity.lower(), n=rng.randint(1, 5), t=role)

    duties = rng.sample(occupation.duties, k=min(3, len(occupation.duties)))
    parts = ["About the role", *duties, "Requirements:",
             f"- {years}+ years of experience as a {_singular(occupation.title).lower()}",
             *(line(t) for t in must)]
    if rng.random() < 0.5:
        parts.append(f"- Bachelor's degree or equivalent experience as a {role}")
    parts += ["Nice to have:", *(line(t) for t in nice)]
    location = rng.choice(_CITIES)
    if location != "Remote" and rng.random() < 0.3:
        location += " (Hybrid)"
    return title, "\n".join(parts), location


def resume_text(occupation: Occupation, rng: random.Random) -> str:
    """A short resume of someone who has done this occupation."""
    title = _singular(occupation.title)
    start = rng.randint(2008, 2021)
    tools = rng.sample(occupation.tools, k=min(len(occupation.tools), rng.randint(4, 7)))
    duties = rng.sample(occupation.duties, k=min(2, len(occupation.duties)))
    return "\n".join([
        rng.choice(_NAMES), title, rng.choice(_CITIES[:-1]), "", "Experience",
        f"{start} - Present {title}, {rng.choice(('Northwind', 'Contoso', 'Initech', 'Globex'))}",
        *(f"- {d}" for d in duties),
        f"- Used {tools[0][0]} and {tools[1][0]} every day",
        "", "Skills", ", ".join(name for name, _ in tools), "", "Education",
        rng.choice(("BSc", "BA", "MSc", "Associate degree", "High school diploma")),
    ])
