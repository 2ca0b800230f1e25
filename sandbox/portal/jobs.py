"""Seed postings of the sandbox portal: two companies, three boards, one job posted twice.

Each description names exactly the skills listed in its "Requirements", and no other
technology, so that scoring a resume against these jobs is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Department:
    """A Greenhouse department (the jobs API lists them with `content=true`)."""

    id: int
    name: str


@dataclass(frozen=True)
class Office:
    """A Greenhouse office (the jobs API lists them with `content=true`)."""

    id: int
    name: str
    location: str


@dataclass(frozen=True)
class PortalJob:
    """One job post on one board, as Greenhouse holds it."""

    board_token: str
    id: int
    internal_job_id: int | None
    company_name: str
    title: str
    location: str
    content_html: str
    updated_at: str
    first_published: str
    requisition_id: str | None
    department: Department
    office: Office
    metadata: list[dict[str, Any]] | None = None
    language: str = "en"
    open: bool = True


_ENGINEERING = Department(id=4001001, name="Engineering")
_DATA = Department(id=5001001, name="Data")
_REMOTE = Office(id=4002001, name="Remote", location="Remote")
_BERLIN = Office(id=4002002, name="Berlin", location="Berlin, Germany")
_LONDON = Office(id=4002003, name="London", location="London, United Kingdom")
_NEW_YORK = Office(id=5002001, name="New York", location="New York, NY, United States")

_BENEFITS = (
    "<p><strong>What we offer</strong></p>"
    "<ul><li>Competitive salary and equity</li>"
    "<li>Thirty days of paid leave</li>"
    "<li>A yearly learning budget</li></ul>"
)

BACKEND_CONTENT = (
    "<p><strong>About the role</strong></p>"
    "<p>Acme's order platform handles every purchase our customers make. As a Senior "
    "Backend Engineer you will design, build and operate the services behind it, in a "
    "small team that owns its work from the first sketch to production.</p>"
    "<p><strong>What you will do</strong></p>"
    "<ul><li>Design services that stay correct under retries and partial failures</li>"
    "<li>Keep our data model healthy as traffic grows</li>"
    "<li>Review code and mentor other engineers</li></ul>"
    "<p><strong>Requirements:</strong></p>"
    "<ul><li>Python: five or more years building production services</li>"
    "<li>PostgreSQL: schema design and query tuning</li>"
    "<li>Kafka: producing and consuming event streams</li>"
    "<li>Docker: packaging services into images</li>"
    "<li>Kubernetes: deploying and operating workloads</li></ul>"
    "<p>This role is fully remote within European and American time zones.</p>" + _BENEFITS
)

PLATFORM_CONTENT = (
    "<p><strong>About the role</strong></p>"
    "<p>Our platform team gives every Acme engineer a paved road from a pull request to "
    "production. You will build the tooling and the clusters that road runs on, in our "
    "Berlin office.</p>"
    "<p><strong>What you will do</strong></p>"
    "<ul><li>Run and upgrade our clusters without downtime</li>"
    "<li>Describe every environment as code</li>"
    "<li>Write internal tools that remove toil</li></ul>"
    "<p><strong>Requirements:</strong></p>"
    "<ul><li>Python: automation and internal tooling</li>"
    "<li>Kubernetes: operating clusters in production</li>"
    "<li>Terraform: modules for repeatable environments</li></ul>"
    "<p><strong>Nice to have:</strong></p>"
    "<ul><li>Go: small controllers and command-line tools</li></ul>" + _BENEFITS
)

FRONTEND_CONTENT = (
    "<p><strong>About the role</strong></p>"
    "<p>Acme's storefront is the first thing our customers see. You will build fast, "
    "accessible pages together with our designers, fully remote.</p>"
    "<p><strong>What you will do</strong></p>"
    "<ul><li>Turn designs into reusable components</li>"
    "<li>Measure and improve page load times</li>"
    "<li>Make every page usable with a keyboard and a screen reader</li></ul>"
    "<p><strong>Requirements:</strong></p>"
    "<ul><li>React: building component libraries</li>"
    "<li>TypeScript: strict typing across a large codebase</li>"
    "<li>CSS: responsive layouts without a framework</li>"
    "<li>HTML: semantic, accessible markup</li></ul>" + _BENEFITS
)

MOBILE_CONTENT = (
    "<p><strong>About the role</strong></p>"
    "<p>Millions of people order from Acme on their phones. Join our London team to "
    "build the app they use every day.</p>"
    "<p><strong>What you will do</strong></p>"
    "<ul><li>Ship new features every two weeks</li>"
    "<li>Keep the app smooth on older devices</li>"
    "<li>Gradually modernise older parts of the codebase</li></ul>"
    "<p><strong>Requirements:</strong></p>"
    "<ul><li>Swift: three or more years of app development</li>"
    "<li>Objective-C: maintaining an established codebase</li>"
    "<li>Xcode: profiling, debugging and build settings</li></ul>" + _BENEFITS
)

DATA_CONTENT = (
    "<p><strong>About the role</strong></p>"
    "<p>Globex's analysts and scientists rely on the pipelines our data team builds. "
    "You will design and run them from our New York office.</p>"
    "<p><strong>What you will do</strong></p>"
    "<ul><li>Build batch pipelines that feed our warehouse</li>"
    "<li>Check data quality before anyone reads a report</li>"
    "<li>Work with analysts to model new datasets</li></ul>"
    "<p><strong>Requirements:</strong></p>"
    "<ul><li>Python: production pipeline code</li>"
    "<li>SQL: complex analytical queries</li>"
    "<li>PostgreSQL: the warehouse and its models</li>"
    "<li>Spark: large batch jobs</li></ul>"
    "<p><strong>Nice to have:</strong></p>"
    "<ul><li>Airflow: scheduling and monitoring pipelines</li></ul>" + _BENEFITS
)

_ACME = "Acme"
_GLOBEX = "Globex"

SEED_JOBS: tuple[PortalJob, ...] = (
    PortalJob(
        board_token="acme", id=4012345001, internal_job_id=3011001, company_name=_ACME,
        title="Senior Backend Engineer (Python)", location="Remote",
        content_html=BACKEND_CONTENT, updated_at="2026-01-05T10:15:00-05:00",
        first_published="2025-12-15T09:00:00-05:00", requisition_id="ENG-101",
        department=_ENGINEERING, office=_REMOTE,
    ),
    PortalJob(
        board_token="acme", id=4012345002, internal_job_id=3011002, company_name=_ACME,
        title="Platform Engineer", location="Berlin",
        content_html=PLATFORM_CONTENT, updated_at="2026-01-06T11:00:00+01:00",
        first_published="2025-12-20T10:00:00+01:00", requisition_id="ENG-102",
        department=_ENGINEERING, office=_BERLIN,
    ),
    PortalJob(
        board_token="acme", id=4012345003, internal_job_id=3011003, company_name=_ACME,
        title="Frontend Engineer", location="Remote",
        content_html=FRONTEND_CONTENT, updated_at="2026-01-07T09:30:00-05:00",
        first_published="2025-12-22T09:30:00-05:00", requisition_id=None,
        department=_ENGINEERING, office=_REMOTE,
    ),
    PortalJob(
        board_token="acme", id=4012345004, internal_job_id=3011004, company_name=_ACME,
        title="iOS Engineer", location="London",
        content_html=MOBILE_CONTENT, updated_at="2026-01-08T14:00:00+00:00",
        first_published="2026-01-02T14:00:00+00:00", requisition_id="ENG-104",
        department=_ENGINEERING, office=_LONDON,
        metadata=[{"id": 4003001, "name": "Employment type", "value": "Full-time",
                   "value_type": "single_select"}],
    ),
    PortalJob(
        board_token="globex", id=5023456001, internal_job_id=4021001, company_name=_GLOBEX,
        title="Data Engineer", location="New York",
        content_html=DATA_CONTENT, updated_at="2026-01-04T16:45:00-05:00",
        first_published="2025-12-10T08:00:00-05:00", requisition_id="1042",
        department=_DATA, office=_NEW_YORK,
    ),
    # The same Acme job on a second board: a new post id and URL, the same internal job.
    PortalJob(
        board_token="acme-careers", id=4098765001, internal_job_id=3011001, company_name=_ACME,
        title="Senior Backend Engineer (Python)", location="Remote",
        content_html=BACKEND_CONTENT, updated_at="2026-01-05T10:20:00-05:00",
        first_published="2025-12-16T09:00:00-05:00", requisition_id="ENG-101",
        department=_ENGINEERING, office=_REMOTE,
    ),
)
