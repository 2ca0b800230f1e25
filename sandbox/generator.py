"""A generated sandbox world for load runs: many job posts across boards, some posted twice, and
candidates whose resumes match some of them. The same seed always gives the same world.

Each job is built around one "anchor" candidate: an `apply` job asks exactly for skills the
anchor used in dated roles (a score near 100), a `review` job for half of them (a score in the
review band), a `reject` job for skills drawn at random. Skills come from a wide pool, so other
candidates rarely match by chance.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from sandbox.portal.jobs import Department, Office, PortalJob

SKILL_POOL: tuple[str, ...] = (
    "Python", "Java", "JavaScript", "TypeScript", "Go", "Rust", "C++", "C#", "Swift",
    "Objective-C", "Kotlin", "Ruby", "PHP", "Scala", "SQL", "Bash", "MATLAB", "HTML", "CSS",
    "React", "Vue", "Angular", "Node.js", "Django", "Flask", "FastAPI", "Spring Boot",
    "Ruby on Rails", ".NET", "GraphQL", "pandas", "NumPy", "scikit-learn", "PyTorch",
    "TensorFlow", "PostgreSQL", "MySQL", "MongoDB", "Redis", "Elasticsearch", "Snowflake",
    "Kafka", "Spark", "Airflow", "Hadoop", "dbt", "Docker", "Kubernetes", "Terraform",
    "Ansible", "Jenkins", "Linux", "AWS", "GCP", "Azure", "Prometheus", "Grafana",
    "Microservices", "Machine learning", "Deep learning", "Natural language processing",
    "Computer vision", "Statistics", "A/B testing", "Data visualization", "Xcode", "Android",
    "Tableau", "Power BI", "Salesforce", "HubSpot", "SAP", "QuickBooks", "Jira", "Figma",
    "Adobe Photoshop", "Adobe Illustrator", "AutoCAD", "SolidWorks", "Revit",
    "Google Analytics", "Google Ads", "GAAP", "IFRS", "Financial modeling", "Budgeting",
    "Forecasting", "Payroll", "Auditing", "Phlebotomy", "Triage", "Wound care", "HIPAA",
    "Negotiation", "SEO", "Copywriting", "Market research", "Recruiting", "Onboarding",
    "Six Sigma", "Logistics", "Procurement", "Forklift operation", "OSHA",
)
TITLES: tuple[str, ...] = (
    "Backend Engineer", "Frontend Engineer", "Data Engineer", "Platform Engineer",
    "Mobile Engineer", "Machine Learning Engineer", "Data Analyst", "Financial Analyst",
    "Marketing Specialist", "Operations Coordinator", "Product Designer", "Nurse",
)
CITIES: tuple[str, ...] = (
    "Austin", "Berlin", "Boston", "Chicago", "Denver", "Dublin", "Lisbon", "London",
    "Madrid", "Paris", "Seattle", "Toronto", "Warsaw", "Zurich", "Remote",
)
COMPANIES: tuple[str, ...] = (
    "Acme", "Globex", "Initech", "Hooli", "Umbrella", "Soylent", "Cyberdyne", "Tyrell",
    "Vandelay", "Wonka", "Stark", "Wayne", "Oscorp", "Gringotts", "Monarch", "Aperture",
    "Massive", "Nakatomi", "Prestige", "Sirius",
)
FIRST = ("Ada", "Bruno", "Chen", "Dara", "Emeka", "Farah", "Goran", "Hana", "Ivo", "Jun",
         "Kemal", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara")
LAST = ("Okafor", "Lindqvist", "Nakamura", "Silva", "Novak", "Haddad", "Kowalski", "Mensah",
        "Rossi", "Dubois", "Ibrahim", "Larsen", "Moreau", "Petrov", "Quispe", "Reyes")
CANDIDATE_NAMESPACE = uuid.UUID("6a9f0c1e-2b3d-4e5f-8a7b-0c1d2e3f4a5b")
KINDS: tuple[str, ...] = ("apply", "review", "reject")
KIND_WEIGHTS: tuple[float, ...] = (0.2, 0.05, 0.75)
_IN_ROLE = 4  # skills a candidate used in dated roles; one more is only listed
_ASKED = 8    # must-have skills a review or reject job asks for (an apply job: the anchor's)


@dataclass(frozen=True)
class Candidate:
    candidate_id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    title: str
    in_role: tuple[str, ...]
    listed: tuple[str, ...]

    def resume(self) -> str:
        first, second = self.in_role[:2], self.in_role[2:]
        return (f"{self.first_name} {self.last_name}\n{self.title}\n\n"
                f"Skills: {', '.join((*self.in_role, *self.listed))}\n\n"
                "Experience\n"
                f"2019-2026 {self.title}, Northwind: {', '.join(first)} every day.\n"
                f"2015-2019 {self.title}, Contoso: {', '.join(second)} in production.\n\n"
                "Education\nBSc Computer Science")

    def seed_json(self) -> dict[str, Any]:
        """One entry of a candidates seed file (what the ATS engine and the bot read)."""
        return {"candidate_id": str(self.candidate_id), "first_name": self.first_name,
                "last_name": self.last_name, "email": self.email, "phone": "+1 555 0100",
                "resume": self.resume()}


@dataclass(frozen=True)
class Job:
    """One unique job: its canonical identity, what it asks, and whom it was built around."""

    company: str
    title: str
    location: str
    skills: tuple[str, ...]
    kind: str
    anchor: uuid.UUID
    internal_id: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.company, self.title, self.location)

    def content_html(self) -> str:
        items = "".join(f"<li>{skill}: hands-on production work</li>" for skill in self.skills)
        return (f"<p><strong>About the role</strong></p><p>{self.company} is hiring a "
                f"{self.title} in {self.location}.</p>"
                f"<p><strong>Requirements:</strong></p><ul>{items}</ul>"
                "<p><strong>What we offer</strong></p><ul><li>Paid leave</li></ul>")


@dataclass(frozen=True)
class World:
    candidates: list[Candidate]
    jobs: list[Job]
    posts: list[PortalJob]
    canonical: dict[tuple[str, int], tuple[str, str, str]]  # (board, post id) -> job key

    def candidates_seed(self) -> dict[str, Any]:
        return {"candidates": [c.seed_json() for c in self.candidates]}

    def boards(self) -> list[tuple[str, str]]:
        """(board token, company) of every board that lists at least one post."""
        return sorted({(p.board_token, p.company_name) for p in self.posts})


def board_tokens(company: str) -> tuple[str, str]:
    """The company's two boards: its own and its careers site (where duplicates appear)."""
    slug = company.lower()
    return slug, f"{slug}-careers"


def _candidates(rng: random.Random, count: int) -> list[Candidate]:
    out = []
    for index in range(count):
        skills = rng.sample(SKILL_POOL, _IN_ROLE + 1)
        first, last = FIRST[index % len(FIRST)], LAST[(index // len(FIRST)) % len(LAST)]
        out.append(Candidate(
            candidate_id=uuid.uuid5(CANDIDATE_NAMESPACE, f"candidate-{index}"),
            first_name=first, last_name=last,
            email=f"{first.lower()}.{last.lower()}.{index}@example.com",
            title=rng.choice(TITLES), in_role=tuple(skills[:_IN_ROLE]),
            listed=tuple(skills[_IN_ROLE:])))
    return out


def _job_skills(rng: random.Random, kind: str, anchor: Candidate) -> tuple[str, ...]:
    if kind == "apply":
        return (*anchor.in_role, *anchor.listed)
    base = list(anchor.in_role) if kind == "review" else []
    others = [s for s in SKILL_POOL if s not in anchor.in_role and s not in anchor.listed]
    return tuple(base + rng.sample(others, _ASKED - len(base)))


def generate(jobs: int, candidates: int, *, duplicate_share: float = 0.3,
             seed: int = 7) -> World:
    """`jobs` posts (a `duplicate_share` of them the same job on a second board) and
    `candidates` candidates."""
    if jobs < 1 or candidates < 1 or not 0 <= duplicate_share < 1:
        raise ValueError("jobs and candidates must be positive, duplicate_share in [0, 1)")
    rng = random.Random(seed)
    people = _candidates(rng, candidates)
    duplicates = round(jobs * duplicate_share)
    unique: list[Job] = []
    seen: set[tuple[str, str, str]] = set()
    while len(unique) < jobs - duplicates:
        anchor = rng.choice(people)
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        title = anchor.title if kind != "reject" else rng.choice(TITLES)
        key = (rng.choice(COMPANIES), title, rng.choice(CITIES))
        if key in seen:
            continue
        seen.add(key)
        unique.append(Job(*key, skills=_job_skills(rng, kind, anchor), kind=kind,
                          anchor=anchor.candidate_id, internal_id=3_000_000 + len(unique)))
    twice = set(rng.sample(range(len(unique)), min(duplicates, len(unique))))
    posts: list[PortalJob] = []
    canonical: dict[tuple[str, int], tuple[str, str, str]] = {}
    for index, job in enumerate(unique):
        main, careers = board_tokens(job.company)
        for board in (main, careers) if index in twice else (main,):
            post = _post(job, board, 40_000_000 + len(posts))
            posts.append(post)
            canonical[(post.board_token, post.id)] = job.key
    return World(people, unique, posts, canonical)


_DEPARTMENT = Department(id=4001001, name="Engineering")


def _post(job: Job, board: str, post_id: int) -> PortalJob:
    office = Office(id=4002001, name=job.location, location=job.location)
    return PortalJob(
        board_token=board, id=post_id, internal_job_id=job.internal_id,
        company_name=job.company, title=job.title, location=job.location,
        content_html=job.content_html(), updated_at="2026-01-05T10:15:00+00:00",
        first_published="2025-12-15T09:00:00+00:00", requisition_id=f"REQ-{job.internal_id}",
        department=_DEPARTMENT, office=office)
