"""Realistic postings: one job as its employer writes it, and as other sources re-post it."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Any

from bench.data.vocabulary import (
    BENEFITS,
    CITIES,
    COMPANIES,
    FOOTERS,
    INTROS,
    LEGAL_FORMS,
    ROLES,
    SENIORITY,
    SENIORITY_VARIANTS,
    SYNONYMS,
    TEAMS,
)

SOURCES = ["greenhouse", "lever", "ashby", "workday", "adzuna", "linkedin", "indeed",
           "glassdoor"]


@dataclass(frozen=True)
class Job:
    """One real opening, before any source writes it down."""

    company: int
    role: str
    seniority: str
    team: str
    city: int
    intro: tuple[str, ...]
    summary: str
    duties: tuple[str, ...]
    skills: tuple[str, ...]
    nice: tuple[str, ...]
    benefits: tuple[str, ...]
    salary: tuple[int, int]

    @property
    def company_name(self) -> str:
        return COMPANIES[self.company % len(COMPANIES)] + (
            f" {self.company // len(COMPANIES)}" if self.company >= len(COMPANIES) else "")


def company_texts(company: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An employer's fixed intro and benefits: every advert of it repeats them."""
    own = random.Random(company)
    name = COMPANIES[company % len(COMPANIES)]
    intro = tuple(s.format(c=name, n=f"{own.randint(2, 90)},000")
                  for s in own.sample(INTROS, 3))
    return intro, tuple(own.sample(BENEFITS, 4))


def make_job(rng: random.Random, *, company: int | None = None, role: str | None = None,
             seniority: str | None = None, team: str | None = None,
             city: int | None = None) -> Job:
    """A new opening; unnamed attributes are drawn at random."""
    company = rng.randrange(len(COMPANIES)) if company is None else company
    role = rng.choice(sorted(ROLES)) if role is None else role
    team = rng.choice(TEAMS) if team is None else team
    pool = ROLES[role]
    intro, benefits = company_texts(company)
    skills = rng.sample(pool["skills"], 7)
    base = rng.randrange(50, 160) * 1000
    return Job(
        company=company, role=role,
        seniority=rng.choice(SENIORITY) if seniority is None else seniority, team=team,
        city=rng.randrange(len(CITIES)) if city is None else city, intro=intro,
        summary=(f"Join the {team} team, which owns {team.lower()} for all our products. "
                 f"You will {rng.choice(pool['duties'])} and shape how {team.lower()} grows "
                 f"over the next {rng.choice(['two', 'three', 'five'])} years."),
        duties=(*rng.sample(pool["duties"], 5),
                f"own the {team.lower()} roadmap together with your manager"),
        skills=tuple(skills[:5]), nice=tuple(skills[5:]), benefits=benefits,
        salary=(base, base + rng.randrange(10, 40) * 1000),
    )


def description(job: Job) -> str:
    """The advert as the employer wrote it."""
    lines = ["About us", *job.intro, "About the role", job.summary, "What you will do"]
    lines += [f"- {d[0].upper()}{d[1:]}" for d in job.duties]
    lines += ["Requirements"]
    lines += [f"- {s}: {n} or more years of hands-on experience"
              for s, n in zip(job.skills, ["three", "two", "four", "two", "three"], strict=True)]
    lines += ["Nice to have", *(f"- {s}" for s in job.nice), "What we offer"]
    lines += [f"- {b}" for b in job.benefits]
    return "\n".join(lines)


def title(job: Job, rng: random.Random | None = None) -> str:
    """The title, in the employer's spelling or (with `rng`) another source's."""
    titles = ROLES[job.role]["titles"]
    if rng is None:
        return job.seniority + titles[0]
    seniority = rng.choice(SENIORITY_VARIANTS.get(job.seniority, [job.seniority]))
    return seniority + titles[0] + rng.choice(["", "", " (m/w/d)", " - Remote"]
                                              if CITIES[job.city][0] == "Remote"
                                              else ["", "", " (m/w/d)"])


def reword(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """A recruiter's rewrite: synonyms, reordered bullets, a dropped line or two."""
    lines = text.split("\n")
    bullets = [i for i, line in enumerate(lines) if line.startswith("- ")]
    for i in rng.sample(bullets, min(2, len(bullets))):
        lines[i] = ""
    out = []
    for line in lines:
        words = [SYNONYMS.get(w, w) if rng.random() < rate else w for w in line.split(" ")]
        out.append(" ".join(words))
    kept = [line for line in out if line]
    head, body = kept[:3], kept[3:]
    if rng.random() < 0.3:
        rng.shuffle(body)
    return "\n".join(head + body)


def source_description(job: Job, rng: random.Random, style: str) -> str:
    """The advert as a source shows it: copied, reworded, truncated, padded, or missing."""
    text = description(job)
    company = job.company_name
    if style == "copy":
        return re.sub(r"^- ", "\u2022 ", text, flags=re.M)
    if style == "reworded":
        return reword(text, rng)
    if style == "truncated":
        words = text.split(" ")
        return " ".join(words[: int(len(words) * rng.uniform(0.45, 0.7))]) + " ..."
    if style == "footer":
        return text + "\n" + "\n".join(f.format(c=company) for f in rng.sample(FOOTERS, 2))
    if style == "missing":
        return ""
    return text


def payload(job: Job, *, source: str, external_id: str, rng: random.Random | None = None,
            style: str = "original", run_id: str | None = None) -> dict[str, Any]:
    """A JobDiscovered payload of `job` as `source` lists it (variants drawn from `rng`)."""
    own = rng or random.Random(0)
    original = rng is None
    name = job.company_name
    company = name if original else f"{name} {own.choice(LEGAL_FORMS)}" if own.random() < 0.5 \
        else name.upper() if own.random() < 0.3 else name
    spellings = CITIES[job.city]
    location = spellings[0] if original else own.choice(spellings)
    low, high = job.salary
    salary = (f"${low // 1000}k\u2013${high // 1000}k a year" if original
              else own.choice([f"{low:,} - {high:,} USD per year",
                               f"${low // 1000}-{high // 1000}K", f"${high:,} - ${low:,}", ""]))
    key = f"{source}:{external_id}"
    return {
        "source_job_key": key, "source": source, "external_id": external_id,
        "company": company, "title": title(job, None if original else own),
        "location": location, "description": source_description(job, own, style),
        "apply_url": f"https://jobs.example.com/{source}/{external_id}",
        "raw_document_id": key, "employment_type": own.choice(["Full-time", "FULL_TIME", ""]),
        "salary_text": salary, "posted_at": "2026-01-05T10:15:00-05:00", "run_id": run_id,
    }


def another_team(job: Job, rng: random.Random) -> Job:
    """A second opening with the same title, employer and place, for another team."""
    other = make_job(rng, company=job.company, role=job.role, seniority=job.seniority,
                     team=rng.choice([t for t in TEAMS if t != job.team]), city=job.city)
    return replace(other, intro=job.intro, benefits=job.benefits)
