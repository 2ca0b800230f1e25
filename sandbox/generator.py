"""A generated sandbox world for load runs: many job posts across boards, some posted twice, and
candidates whose resumes match some of them. The same seed always gives the same world.

Each job is built around one "anchor" candidate: an `apply` job asks exactly for skills the
anchor used in dated roles (a score near 100), a `review` job for half of them (a score in the
review band), a `reject` job for skills drawn at random. Skills come from a wide pool, so other
candidates rarely match by chance.

A post reads like a real one: a paragraph about the company and the team, duties that fit the
title, one requirement line per skill in varied words, perhaps nice-to-haves, and an offer. Its
sentences are combined from many parts per job, so posts share few of them: the ATS engine
embeds each distinct sentence once, and a load of near-identical posts would mostly hit its
cache. The prose names no skill, so a post asks for exactly its skills.
"""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
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
SKILLS_FILE = Path(__file__).with_name("data") / "skills.txt"
_IN_ROLE = 4  # skills a candidate used in dated roles; one more is only listed
_ASKED = 8    # must-have skills a review or reject job asks for (an apply job: the anchor's)
_MAX_ASKED_YEARS = 4  # an anchor used each of its first _IN_ROLE skills for at least this long

# The words of a job post. Every phrase names no skill the ATS taxonomy knows (the tests check
# it), so a post asks for exactly its `skills`; the parts are many and combined per job, so
# that posts share few sentences, as real ones do.
_INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # industry: (what the company makes, whom it serves)
    "parcel delivery": (("a route planner for delivery vans",
                         "a booking system for warehouse space",
                         "live tracking for parcels and pallets"),
                        ("carriers", "shippers", "warehouse operators")),
    "insurance": (("a claims app for home insurance", "pricing tools for small-business cover",
                   "a policy management portal"),
                  ("policyholders", "brokers", "claims handlers")),
    "retail": (("an online shop for outdoor gear", "stock planning software for grocery chains",
                "a loyalty scheme for bookshops"),
               ("shoppers", "store managers", "independent retailers")),
    "energy": (("smart meters for households", "a marketplace for rooftop solar power",
                "charging networks for electric vans"),
               ("households", "grid operators", "fleet owners")),
    "travel": (("a booking site for rail journeys", "group travel planning for schools",
                "a check-in app for small hotels"),
               ("travellers", "hotel owners", "tour operators")),
    "education": (("a homework platform for secondary schools", "online courses for nurses",
                   "timetabling software for universities"),
                  ("teachers", "students", "school administrators")),
    "banking": (("business current accounts", "savings accounts with no fees",
                 "short-term loans for growing companies"),
                ("small businesses", "savers", "farmers")),
    "media": (("a podcast hosting service", "a news app for local papers",
               "subtitles for streaming video"),
              ("listeners", "local newsrooms", "video producers")),
    "manufacturing": (("sensors that watch factory machines",
                       "planning tools for food factories",
                       "spare-parts ordering for tractors"),
                      ("plant managers", "food producers", "machine dealers")),
    "real estate": (("a rental platform for student housing",
                     "a viewing scheduler for rental homes",
                     "energy ratings for older buildings"),
                    ("tenants", "letting agents", "landlords")),
    "public transport": (("ticketing for city buses", "a journey planner for commuters",
                          "timetables for regional trains"),
                         ("commuters", "bus operators", "city councils")),
    "hospitality": (("table bookings for restaurants", "staff rotas for busy kitchens",
                     "an ordering app for food halls"),
                    ("restaurant owners", "diners", "cafe chains")),
}
# A nurse works for a care provider, whatever the company is called.
_CARE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "healthcare": (("a network of day-surgery clinics", "a group of community hospitals",
                    "home visits for people leaving hospital"),
                   ("patients", "families", "family doctors")),
    "elder care": (("residential care homes", "a visiting service for older people",
                    "rehabilitation after strokes and falls"),
                   ("residents", "older people", "carers")),
}
_ROLES: dict[str, tuple[str, ...]] = {
    # how the prose names each of TITLES (some titles themselves name a skill)
    "Backend Engineer": ("a backend engineer", "an engineer for our server side"),
    "Frontend Engineer": ("a frontend engineer", "an engineer for the screens people see"),
    "Data Engineer": ("a data engineer", "an engineer for our data platform"),
    "Platform Engineer": ("a platform engineer", "an engineer for our shared infrastructure"),
    "Mobile Engineer": ("a mobile engineer", "an engineer for our phone apps"),
    "Machine Learning Engineer": ("an engineer who takes models into production",
                                  "an engineer for our prediction services"),
    "Data Analyst": ("a data analyst", "an analyst who enjoys hard questions"),
    "Financial Analyst": ("a financial analyst", "an analyst for our finance team"),
    "Marketing Specialist": ("a marketing specialist", "a campaign specialist"),
    "Operations Coordinator": ("an operations coordinator",
                               "a coordinator for our daily operations"),
    "Product Designer": ("a product designer", "a designer for our core product"),
    "Nurse": ("a nurse", "a qualified nurse"),
}
_DUTIES: dict[str, tuple[str, ...]] = {
    "Backend Engineer": (
        "Design, build and run the services behind {product}",
        "Keep response times low as the number of {customers} grows",
        "Review changes from teammates and help them land safely",
        "Share the on-call rotation for the services your team owns",
        "Split large changes into small releases that are easy to roll back",
        "Find slow queries and fix what causes them",
        "Write a short design note before building anything big",
        "Improve how our services report their health and errors",
        "Work with product managers on what the team builds next",
        "Retire old code paths once nothing depends on them"),
    "Frontend Engineer": (
        "Build the screens {customers} use every day",
        "Turn design mock-ups into fast, accessible pages",
        "Keep page load times low on slow phones and networks",
        "Settle details with designers before they reach code",
        "Look after the shared components other teams reuse",
        "Fix layout bugs reported by {customers} and support staff",
        "Measure how people move through key flows and simplify them",
        "Make every form usable with a keyboard alone",
        "Review teammates' changes and pair on tricky problems",
        "Remove features nobody uses any more"),
    "Data Engineer": (
        "Build the jobs that bring data from {product} into one place",
        "Keep daily data loads on time and easy to rerun",
        "Model raw events into tables analysts can trust",
        "Write checks that catch broken or late data before anyone else does",
        "Agree with analysts on the definitions of key numbers",
        "Cut the cost of storage and compute without slowing reports",
        "Document where each important number comes from",
        "Move old batch jobs onto the current platform",
        "Help other teams publish clean data about {customers}",
        "Answer data questions from across the company"),
    "Platform Engineer": (
        "Run the shared infrastructure every product team deploys to",
        "Make it faster and safer for teams to ship changes",
        "Automate the routine work that still takes engineers' time",
        "Plan capacity ahead of the busy season for {customers}",
        "Lead the response when production systems misbehave",
        "Write post-incident reviews that lead to real fixes",
        "Keep hosting costs visible and under control",
        "Tighten access rules and keep secrets out of code",
        "Give product teams clear defaults for logs and alerts",
        "Upgrade core systems before they fall out of support"),
    "Mobile Engineer": (
        "Build features in the app {customers} use to reach {product}",
        "Keep the app fast and stable on older phones",
        "Ship a release every two weeks and watch how it behaves",
        "Work with designers on motion, gestures and small details",
        "Make the app work well with a poor or missing connection",
        "Own the release process for both app stores",
        "Add checks around the parts of the app that break most",
        "Cut app start-up time and battery use",
        "Review teammates' changes and share what you learn",
        "Respond to reviews and bug reports from users"),
    "Machine Learning Engineer": (
        "Take models from experiment to production for {product}",
        "Build the training and evaluation jobs the team runs every week",
        "Watch deployed models for drift and retrain them when needed",
        "Decide with researchers which ideas are worth shipping",
        "Keep prediction latency within budget as traffic grows",
        "Design offline evaluations that predict results in production",
        "Clean, label and version the examples our models learn from",
        "Explain model behaviour to product managers and support staff",
        "Cut the cost of training runs without losing accuracy",
        "Write clear notes on what was tried and what worked"),
    "Data Analyst": (
        "Answer questions from product and sales teams with clear numbers",
        "Build and maintain the weekly status pages leaders read",
        "Dig into why key numbers moved and explain it in plain language",
        "Plan experiments with product managers and read their results",
        "Define the metrics that describe how {customers} use {product}",
        "Check data quality and flag problems to the teams that own them",
        "Turn one-off analyses into reports others can rerun",
        "Present findings to teams that do not work with numbers daily",
        "Size new opportunities before the company commits to them",
        "Keep a tidy record of definitions and past analyses"),
    "Financial Analyst": (
        "Prepare the monthly management accounts and explain what moved",
        "Build the annual plan with department heads",
        "Track spending against plan and flag risks early",
        "Work out the cost of new products and pricing changes",
        "Help finish the books each month with careful checks",
        "Prepare the figures the board reads each quarter",
        "Look at what supplier agreements cost us over time",
        "Improve how finance figures are collected and checked",
        "Answer questions from external advisers and the board",
        "Set targets and commission plans with sales leaders"),
    "Marketing Specialist": (
        "Plan and run campaigns that bring new {customers} to {product}",
        "Write landing pages, emails and short product stories",
        "Report on campaign results and what to change next",
        "Work with sales to turn leads into conversations",
        "Manage the campaign calendar and its deadlines",
        "Brief designers and agencies and review their work",
        "Organise webinars and events with partners",
        "Keep the brand voice consistent across channels",
        "Interview {customers} and turn their stories into case studies",
        "Try new channels with small amounts of money before scaling them"),
    "Operations Coordinator": (
        "Keep daily operations running smoothly across our sites",
        "Schedule staff, shipments and deliveries for the week ahead",
        "Track orders and chase suppliers when something is late",
        "Keep stock records accurate and look into gaps",
        "Write and update standard operating procedures",
        "Check bills against orders together with the finance team",
        "Prepare weekly reports on service levels and costs",
        "Be the first point of contact when something goes wrong on site",
        "Show new colleagues our routines in their first weeks",
        "Look for ways to remove manual steps from daily work"),
    "Product Designer": (
        "Design flows in {product}, from first sketch to final detail",
        "Run interviews and test sessions with {customers}",
        "Work with engineers to ship designs as intended",
        "Look after the shared library of screens and patterns",
        "Turn research findings into clear product decisions",
        "Build quick prototypes to test ideas before they are built",
        "Present your work and ask for critique early",
        "Write clear copy for buttons, errors and empty states",
        "Make sure every screen can be used by everyone",
        "Measure how changes affect the experience of {customers}"),
    "Nurse": (
        "Assess, plan and deliver care for patients on a busy ward",
        "Give medicines and record them accurately",
        "Agree with doctors and therapists how each patient is looked after",
        "Keep families informed and involved in decisions",
        "Spot changes in a patient's condition and act on them quickly",
        "Support and supervise student nurses and new staff",
        "Keep clear, timely records of the care you give",
        "Take part in reviews that make care safer",
        "Prepare patients to go home and arrange follow-up",
        "Follow hygiene rules on every shift"),
}
_DUTY_ENDINGS: tuple[str, ...] = (
    ", working closely with the {partner} team",
    ", while the team grows from {small} to {large} people",
    ", starting in your first {small} weeks", " for our {customers} in {area}",
    ", in close contact with {customers}", ", with a focus on {quality}",
    " across our {small} sites", " alongside the {partner} team",
    " and share what you learn with the {team} team", ", with {quality2} as the first concern",
    " for about {small} hours of a typical week",
)
_PARTNERS = ("finance", "sales", "support", "product", "design", "operations", "customer care",
             "research", "partnerships", "leadership")
_QUALITIES = ("reliability", "clarity", "speed", "cost", "safety", "simplicity", "accuracy",
              "fairness", "privacy")
_AREAS = ("the north", "the south", "smaller towns", "our home market", "new markets",
          "the capital", "rural areas", "coastal regions")
_TEAMS = ("Core", "Growth", "Payments", "Partners", "Insights", "Pricing",
          "Customer Journeys", "Foundations", "Field Services", "Marketplace", "Billing",
          "Trust", "Reporting", "Network", "Mobile Experience", "Fulfilment", "Catalogue")
_WARDS = ("Surgical", "Day Case", "Rehabilitation", "Outpatients", "Community", "Recovery",
          "Night", "Discharge", "Admissions", "Memory Care", "Short Stay", "Home Visits")
_MISSIONS = ("spend less time on paperwork", "get answers in minutes rather than days",
             "pay less for the same service", "see problems before they grow",
             "trust the numbers they are shown", "plan their week with confidence",
             "waste less of what they buy", "reach more people with the same staff",
             "switch providers without the usual pain", "make better decisions with less effort")
_ABOUT_COMPANY: tuple[str, ...] = (
    "{company} builds {product} for {customers} in {countries} countries.",
    "{company} has made {product} since {year}, to help {customers} {mission}.",
    "{company} is a {industry} company of about {headcount} people, best known for {product}.",
    "At {company} we make {product}, and {count} {customers} rely on us every week.",
    "Since {year}, {company} has grown to {headcount} people by helping {customers} {mission}.",
)
_ABOUT_TEAM: tuple[str, ...] = (
    "We are hiring {role} to join the {team} team{place} and help {customers} {goal}.",
    "Our {team} team of {small} people{place} is looking for {role}.",
    "The {team} team{place} needs {role} to help {customers} {goal}.",
    "We are looking for {role} for our {team} team{place}.",
)
_ABOUT_MORE: tuple[str, ...] = (
    "You will report to the head of {team} and work closely with {partner} and {partner2}.",
    "Last year the {team} team grew to {large} people, and this year it will help {customers} "
    "{goal}.",
    "The {team} team meets in person every {weeks} weeks and plans its work together.",
    "Most of our {headcount} colleagues work in small teams that own their work end to end.",
    "In your first {small} months you will work mostly with the {partner} team.",
)
# One skill a line, each phrasing with a word ("experience", "skills") that tells the
# taxonomy an ambiguous name ("Go", "Swift") is the technology.
_YEARS_LINES: tuple[str, ...] = (
    "{years}+ years of experience with {skill} {usage}",
    "At least {years} years of hands-on experience with {skill} {usage}",
    "{years} or more years of professional experience using {skill} {usage}",
)
_SKILL_LINES: tuple[str, ...] = (
    "Solid experience with {skill} {usage}",
    "Proven experience using {skill} {usage}",
    "Strong {skill} skills, used {usage}",
    "Hands-on experience with {skill} {usage}",
    "Practical experience with {skill} {usage}",
    "You are proficient in {skill} and have applied it {usage}",
    "Experience with {skill} {usage}",
    "Good working knowledge of {skill} and experience applying it {usage}",
)
_USAGES: tuple[str, ...] = (
    "in a production setting", "in work for {customers}", "in the {industry} sector",
    "on a team that ships every {weeks} weeks", "on projects you can tell us about",
    "to solve real problems for {customers}", "at a company of {headcount} people or more",
    "in your day-to-day work", "in a team of {small} to {large} people",
    "alongside a {partner} team", "where {quality} mattered most",
    "on products like {product}",
)
_GENERAL_LINES: tuple[str, ...] = (
    "{years}+ years of professional experience, some of it with {customers} or in a "
    "similar field",
    "Bachelor's degree in a related field, or equivalent experience working with {customers}",
    "Clear written communication, and the habit of writing decisions down for the {partner} "
    "team",
    "Comfortable explaining your work to {customers} and to the {partner} team",
    "At least {years} years of experience in a role where {quality} came first",
)
_NICE_LINES: tuple[str, ...] = (
    "Earlier work in the {industry} sector, in {area} or elsewhere",
    "Experience working directly with {customers} and the {partner} team",
    "Time spent at a young company of under {large} people",
    "Familiarity with the rules that apply to {industry} companies in {area}",
    "Experience guiding junior colleagues in a {partner} team",
    "An interest in how {customers} choose {product}",
)
_OFFER_HEADINGS = ("What we offer", "Benefits", "Perks", "Why join us", "Our offer")
_OFFERS: tuple[str, ...] = (
    "{leave} days of paid leave a year", "A yearly budget for books, courses and conferences",
    "Parental leave of {parental} weeks at full pay",
    "A pension plan with employer contributions of {pension}%", "Flexible working hours",
    "Health insurance for you and your family", "{small} paid volunteering days a year",
    "A new laptop and the equipment you need", "Team trips twice a year",
    "A bike or public transport allowance", "Share options for every employee",
    "A quiet office with good coffee", "A four-day week in August",
)


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
        """The post as its board shows it: the company and the team, duties, one requirement
        line per skill, perhaps nice-to-haves, and what the company offers. Drawn from the
        job's own fields, so the same job always reads the same."""
        rng = random.Random(f"{self.key}|{self.internal_id}|{'|'.join(self.skills)}")
        facts = _facts(rng, self)
        parts = [_heading(rng.choice(("About the role", "About the job", "The role"))),
                 _paragraph(_about(rng, facts)),
                 _heading(rng.choice(("What you will do", "Responsibilities",
                                      "Key responsibilities", "What you'll do"))),
                 _items(_duties(rng, self.title, facts)),
                 _heading("Requirements:"), _items(_requirements(rng, self.skills, facts))]
        nice = rng.randint(0, 2)
        if nice:
            parts += [_heading("Nice to have:"), _items(_fill(line, facts) for line in
                                                        rng.sample(_NICE_LINES, nice))]
        offers = rng.sample(_OFFERS, rng.randint(3, 5))
        parts += [_heading(rng.choice(_OFFER_HEADINGS)),
                  _items(_fill(line, facts) for line in offers)]
        return "".join(parts)


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


def _facts(rng: random.Random, job: Job) -> dict[str, str]:
    """What one post's sentences share: the company's line of work, the team, a few figures."""
    # A company keeps its line of work and its age across its posts; the rest is the post's.
    industries = _CARE if job.title == "Nurse" else _INDUSTRIES
    company = random.Random(job.company)
    industry, founded = company.choice(sorted(industries)), company.randint(1998, 2021)
    products, customers = industries[industry]
    partner, partner2 = rng.sample(_PARTNERS, 2)
    quality, quality2 = rng.sample(_QUALITIES, 2)
    mission, goal = rng.sample(_MISSIONS, 2)
    return {
        "company": job.company, "industry": industry, "product": rng.choice(products),
        "customers": rng.choice(customers), "role": rng.choice(_ROLES[job.title]),
        "team": rng.choice(_WARDS if job.title == "Nurse" else _TEAMS),
        "mission": mission, "goal": goal,
        "place": "" if job.location == "Remote" else f" in {job.location}",
        "partner": partner, "partner2": partner2, "quality": quality, "quality2": quality2,
        "area": rng.choice(_AREAS), "small": str(rng.randint(3, 9)),
        "large": str(rng.randint(12, 60)), "weeks": str(rng.randint(2, 8)),
        "year": str(founded),
        "headcount": str(rng.randrange(40, 2500, 10)), "countries": str(rng.randint(2, 30)),
        "count": f"{rng.randrange(200, 20_000, 50):,}", "years": str(rng.randint(2, 5)),
        "leave": str(rng.randint(25, 30)), "parental": str(rng.randint(12, 26)),
        "pension": str(rng.randint(3, 8)),
    }


def _fill(template: str, facts: dict[str, str]) -> str:
    return template.format_map(facts)


def _about(rng: random.Random, facts: dict[str, str]) -> list[str]:
    sentences = [rng.choice(_ABOUT_COMPANY), rng.choice(_ABOUT_TEAM)]
    if rng.random() < 0.6:
        sentences.append(rng.choice(_ABOUT_MORE))
    return [_fill(s, facts) for s in sentences]


def _duties(rng: random.Random, title: str, facts: dict[str, str]) -> list[str]:
    count = rng.randint(4, 6)
    endings = rng.sample(_DUTY_ENDINGS, count)
    return [_fill(duty + ending, facts) + "."
            for duty, ending in zip(rng.sample(_DUTIES[title], count), endings, strict=True)]


def _requirements(rng: random.Random, skills: tuple[str, ...],
                  facts: dict[str, str]) -> list[str]:
    """One line per skill, then one general line. Years only for the first skills: the
    anchor used those in dated roles for at least _MAX_ASKED_YEARS; a listed-only skill
    with a years requirement would lose most of its credit."""
    lines = []
    usages = rng.sample(_USAGES, len(skills)) if len(skills) <= len(_USAGES) else \
        rng.choices(_USAGES, k=len(skills))
    for index, (skill, usage) in enumerate(zip(skills, usages, strict=True)):
        with_years = index < _IN_ROLE and rng.random() < 0.35
        template = rng.choice(_YEARS_LINES if with_years else _SKILL_LINES)
        lines.append(template.format(skill=skill, usage=_fill(usage, facts),
                                     years=rng.randint(2, _MAX_ASKED_YEARS)))
    lines.append(_fill(rng.choice(_GENERAL_LINES), facts))
    return lines


def _heading(text: str) -> str:
    return f"<p><strong>{escape(text)}</strong></p>"


def _paragraph(sentences: list[str]) -> str:
    return f"<p>{escape(' '.join(sentences))}</p>"


def _items(lines: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def board_tokens(company: str) -> tuple[str, str]:
    """The company's two boards: its own and its careers site (where duplicates appear)."""
    slug = company.lower()
    return slug, f"{slug}-careers"


@functools.cache
def skill_names() -> tuple[str, ...]:
    """The skills candidates have and jobs ask for: SKILL_POOL plus some 3,900 named tools from
    the O*NET technology list, each one the ATS taxonomy finds as itself in a sentence (a test
    keeps it so). A pool this wide means two people rarely share a skill by chance, as with
    real resumes, so a job's other candidates are rejected rather than sent to review."""
    return tuple(line for line in SKILLS_FILE.read_text(encoding="utf-8").splitlines() if line)


def _candidates(rng: random.Random, count: int) -> list[Candidate]:
    out = []
    for index in range(count):
        skills = rng.sample(skill_names(), _IN_ROLE + 1)
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
    own = {*anchor.in_role, *anchor.listed}
    others: list[str] = []
    while len(others) < _ASKED - len(base):  # rejection sampling: the pool is large
        skill = rng.choice(skill_names())
        if skill not in own and skill not in others:
            others.append(skill)
    return tuple(base + others)


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
