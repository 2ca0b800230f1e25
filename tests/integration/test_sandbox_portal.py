"""The sandbox portal answers like Greenhouse: Job Board API, hosted pages, the apply form."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from sandbox.portal import SEED_JOBS, SubmissionStore, create_app
from services.job_discovery.adapters.boards import normalise_greenhouse

pytestmark = pytest.mark.integration

BASE = "http://portal.test"
JOB_KEYS = {
    "absolute_url", "data_compliance", "internal_job_id", "location", "metadata", "id",
    "updated_at", "requisition_id", "title", "company_name", "first_published", "language",
}
CONTENT_KEYS = {"content", "departments", "offices"}

# A vocabulary much wider than any scorer's, to prove each advert names only its own skills.
TECHNOLOGIES = (
    "Python", "Java", "JavaScript", "TypeScript", "Go", "Golang", "Rust", "C", "C++", "C#",
    "Swift", "Objective-C", "Kotlin", "Ruby", "PHP", "Scala", "Perl", "R", "SQL", "PostgreSQL",
    "Postgres", "MySQL", "SQLite", "Oracle", "MongoDB", "Redis", "Cassandra", "Elasticsearch",
    "Kafka", "RabbitMQ", "Spark", "Hadoop", "Airflow", "dbt", "Snowflake", "BigQuery", "Docker",
    "Kubernetes", "Helm", "Terraform", "Ansible", "AWS", "GCP", "Azure", "Linux", "Git",
    "React", "Vue", "Angular", "Svelte", "Node.js", "Next.js", "GraphQL", "REST", "gRPC", "CSS",
    "Sass", "HTML", "Tailwind", "FastAPI", "Django", "Flask", "Xcode", "iOS", "Android",
    "UIKit", "SwiftUI", "Jenkins", "CI/CD", "Prometheus", "Grafana", "Pandas", "NumPy",
)
EXPECTED_SKILLS = {
    ("acme", "Senior Backend Engineer (Python)"):
        {"Python", "PostgreSQL", "Kafka", "Docker", "Kubernetes"},
    ("acme", "Platform Engineer"): {"Python", "Kubernetes", "Terraform", "Go"},
    ("acme", "Frontend Engineer"): {"React", "TypeScript", "CSS", "HTML"},
    ("acme", "iOS Engineer"): {"Swift", "Objective-C", "Xcode"},
    ("globex", "Data Engineer"): {"Python", "SQL", "PostgreSQL", "Spark", "Airflow"},
    ("acme-careers", "Senior Backend Engineer (Python)"):
        {"Python", "PostgreSQL", "Kafka", "Docker", "Kubernetes"},
}


def technologies_in(text: str) -> set[str]:
    found = set()
    for name in TECHNOLOGIES:
        if re.search(rf"(?<![\w+#./-]){re.escape(name)}(?![\w+#/-]|\.\w)", text, re.I):
            found.add(name)
    return found


@pytest.fixture
def store() -> SubmissionStore:
    return SubmissionStore()


@pytest.fixture
async def portal(store: SubmissionStore) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(store))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


class FormReader(HTMLParser):
    """Collects the ids, names and types of the application form's controls."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.buttons: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(attributes)
        elif tag == "input" and attributes.get("name"):
            self.inputs[attributes["name"] or ""] = attributes
        elif tag == "button":
            self.buttons.append(attributes)


def read_form(page: str) -> FormReader:
    reader = FormReader()
    reader.feed(page)
    return reader


def application(**overrides: str) -> dict[str, str]:
    return {"first_name": "Ada", "last_name": "Okafor", "email": "ada.okafor@example.com",
            "phone": "+1 415 555 0101"} | overrides


async def test_each_board_lists_its_open_jobs_like_greenhouse(
    portal: httpx.AsyncClient,
) -> None:
    for board, total in (("acme", 4), ("globex", 1), ("acme-careers", 1)):
        response = await portal.get(f"/v1/boards/{board}/jobs")

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert set(body) == {"jobs", "meta"}
        assert body["meta"] == {"total": total}
        assert len(body["jobs"]) == total
        for job in body["jobs"]:
            assert set(job) == JOB_KEYS
            assert isinstance(job["id"], int)
            assert job["absolute_url"] == f"{BASE}/{board}/jobs/{job['id']}"
            assert set(job["location"]) == {"name"}
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", job["updated_at"])


async def test_content_true_adds_entity_encoded_html_departments_and_offices(
    portal: httpx.AsyncClient,
) -> None:
    jobs = (await portal.get("/v1/boards/globex/jobs", params={"content": "true"})).json()["jobs"]

    job = jobs[0]
    assert set(job) == JOB_KEYS | CONTENT_KEYS
    assert job["content"].startswith("&lt;p&gt;")
    assert "<" not in job["content"]
    assert html.unescape(job["content"]).startswith("<p><strong>About the role</strong></p>")
    assert job["departments"] == [{"id": 5001001, "name": "Data", "parent_id": None,
                                   "child_ids": []}]
    assert job["offices"][0]["name"] == "New York"
    assert set(job["offices"][0]) == {"id", "name", "location", "parent_id", "child_ids"}


async def test_one_job_and_its_questions(portal: httpx.AsyncClient) -> None:
    plain = await portal.get("/v1/boards/acme/jobs/4012345002")
    with_questions = await portal.get("/v1/boards/acme/jobs/4012345002?questions=true")

    assert plain.status_code == 200
    assert plain.json()["title"] == "Platform Engineer"
    assert set(plain.json()) == JOB_KEYS | CONTENT_KEYS
    questions = with_questions.json()["questions"]
    fields = {f["name"]: f["type"] for q in questions for f in q["fields"]}
    assert fields["first_name"] == "input_text"
    assert fields["resume"] == "input_file"
    assert {q["label"] for q in questions if q["required"]} >= {"First Name", "Email"}


@pytest.mark.parametrize(("path", "error"), [
    ("/v1/boards/initech/jobs", "Job board not found"),
    ("/v1/boards/initech", "Job board not found"),
    ("/v1/boards/acme/jobs/1", "Job not found"),
    ("/v1/boards/initech/jobs/4012345001", "Job not found"),
    ("/v1/boards/acme/jobs/not-a-number", "Job not found"),
    ("/v1/boards/globex/jobs/4012345001", "Job not found"),
])
async def test_unknown_boards_and_jobs_are_404_json(
    portal: httpx.AsyncClient, path: str, error: str
) -> None:
    response = await portal.get(path)

    assert response.status_code == 404
    assert response.json() == {"status": 404, "error": error}


async def test_the_board_endpoint_names_the_company(portal: httpx.AsyncClient) -> None:
    body = (await portal.get("/v1/boards/acme-careers")).json()

    assert body["name"] == "Acme"
    assert "&lt;p&gt;" in body["content"]


async def test_each_description_names_exactly_its_skills(portal: httpx.AsyncClient) -> None:
    found = {}
    for board, company in (("acme", "Acme"), ("globex", "Globex"), ("acme-careers", "Acme")):
        jobs = (await portal.get(f"/v1/boards/{board}/jobs?content=true")).json()["jobs"]
        for job in jobs:
            event = normalise_greenhouse(job, company=company)
            assert "Requirements:" in event.description
            found[(board, job["title"])] = technologies_in(event.description)

    assert found == EXPECTED_SKILLS


async def test_the_hosted_page_carries_greenhouses_application_form(
    portal: httpx.AsyncClient,
) -> None:
    api_job = (await portal.get("/v1/boards/acme/jobs/4012345003")).json()

    page = await portal.get(api_job["absolute_url"])

    assert page.status_code == 200
    assert "Frontend Engineer" in page.text
    form = read_form(page.text)
    assert [f["id"] for f in form.forms] == ["application_form"]
    assert form.forms[0]["enctype"] == "multipart/form-data"
    assert form.forms[0]["method"] == "post"
    for name in ("first_name", "last_name", "email", "phone"):
        assert form.inputs[name]["type"] == "text"
        assert form.inputs[name]["id"] == name
    assert form.inputs["resume"]["type"] == "file"
    assert [b["id"] for b in form.buttons] == ["submit_app"]


async def test_a_posted_form_is_recorded_and_confirmed(
    portal: httpx.AsyncClient, store: SubmissionStore
) -> None:
    resume = b"%PDF-1.4 Ada Okafor resume"

    page = await portal.post(
        "/acme/jobs/4012345001", data=application(),
        files={"resume": ("ada_okafor.pdf", resume, "application/pdf")},
    )

    assert page.status_code == 200
    assert "Thank you for applying" in page.text
    [submission] = store.all()
    assert f'<span id="confirmation_id">{submission.confirmation_id}</span>' in page.text
    assert (submission.board_token, submission.job_id) == ("acme", 4012345001)
    assert submission.fields == application()
    assert submission.resume_filename == "ada_okafor.pdf"
    assert submission.resume_sha256 == hashlib.sha256(resume).hexdigest()
    assert submission.resume_size == len(resume)
    listed = (await portal.get("/_sandbox/submissions")).json()
    assert listed == [submission.to_json()]


@pytest.mark.parametrize(("fields", "resume", "message"), [
    (application(email=""), ("cv.pdf", b"%PDF"), "Email is required."),
    (application(email="not-an-address"), ("cv.pdf", b"%PDF"), "not a valid email"),
    (application(first_name="x" * 256), ("cv.pdf", b"%PDF"), "longer than 255"),
    (application(), ("cv.exe", b"MZ"), "must be a PDF"),
    (application(), ("cv.pdf", b""), "Resume/CV is empty."),
    (application(), None, "Resume/CV is required."),
])
async def test_an_incomplete_form_is_shown_again_and_nothing_is_recorded(
    portal: httpx.AsyncClient, store: SubmissionStore,
    fields: dict[str, str], resume: tuple[str, bytes] | None, message: str,
) -> None:
    files: dict[str, tuple[str | None, bytes, str | None]] = (
        {"resume": (resume[0], resume[1], "application/octet-stream")} if resume
        # Without a file httpx would send urlencoded; the browser always sends multipart.
        else {"cover_letter_text": (None, b"", None)}
    )

    page = await portal.post("/acme/jobs/4012345001", data=fields, files=files)

    assert page.status_code == 400
    assert message in html.unescape(page.text)
    assert 'id="application_form"' in page.text
    assert store.all() == []


async def test_a_closed_job_leaves_the_api_and_its_page_says_so(
    portal: httpx.AsyncClient, store: SubmissionStore
) -> None:
    closed = await portal.post("/_sandbox/jobs/acme/4012345004/close")
    assert closed.status_code == 200

    listed = (await portal.get("/v1/boards/acme/jobs")).json()
    assert 4012345004 not in [j["id"] for j in listed["jobs"]]
    assert listed["meta"] == {"total": 3}
    assert (await portal.get("/v1/boards/acme/jobs/4012345004")).status_code == 404
    page = await portal.get("/acme/jobs/4012345004", follow_redirects=True)
    assert page.status_code == 200
    assert str(page.url) == f"{BASE}/acme?error=true"
    assert "The job you are looking for is no longer open." in page.text
    posted = await portal.post(
        "/acme/jobs/4012345004", data=application(),
        files={"resume": ("cv.pdf", b"%PDF", "application/pdf")},
    )
    assert posted.status_code == 303
    assert store.all() == []


async def test_unknown_hosted_pages(portal: httpx.AsyncClient) -> None:
    assert (await portal.get("/initech/jobs/1")).status_code == 404
    assert (await portal.get("/initech")).status_code == 404
    assert (await portal.post("/_sandbox/jobs/acme/1/close")).status_code == 404
    board = await portal.get("/acme")
    assert board.status_code == 200
    assert board.text.count('class="opening"') == 4


async def test_submissions_are_appended_to_a_jsonl_file_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "submissions.jsonl"
    transport = httpx.ASGITransport(app=create_app(SubmissionStore(path)))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        for job_id in (4012345001, 5023456001):
            board = "acme" if job_id == 4012345001 else "globex"
            response = await client.post(
                f"/{board}/jobs/{job_id}", data=application(),
                files={"resume": ("cv.txt", b"Ada Okafor", "text/plain")},
            )
            assert response.status_code == 200

    assert len(path.read_text().splitlines()) == 2
    reread = SubmissionStore(path).all()
    assert [(s.board_token, s.job_id) for s in reread] == [
        ("acme", 4012345001), ("globex", 5023456001)]


async def test_custom_jobs_replace_the_seed() -> None:
    only = SEED_JOBS[4]
    transport = httpx.ASGITransport(app=create_app(SubmissionStore(), jobs=[only]))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        assert (await client.get("/v1/boards/acme/jobs")).status_code == 404
        body = (await client.get("/v1/boards/globex/jobs")).json()
    assert [j["id"] for j in body["jobs"]] == [only.id]
