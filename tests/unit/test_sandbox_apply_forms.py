"""The hosted flows' shared form checks, with one flow's own rules, and closing a posting."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from sandbox.portal.apply_flows.common import FormRules
from sandbox.portal.apply_flows.easy_apply import (
    AUTHORIZED,
    SEED_EASY_APPLY_JOBS,
    easy_apply_router,
)
from sandbox.portal.submissions import SubmissionStore

JOB = SEED_EASY_APPLY_JOBS[0]  # asks for Python years, work authorisation and sponsorship
CONTACT = {"first_name": "Ada", "last_name": "Okafor", "email": "ada@example.com",
           "phone": "+1 415 555 0101", "q_python_years": "7", "q_work_auth": "Yes",
           "q_sponsorship": "No"}


def client(store: SubmissionStore) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(easy_apply_router(store))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def apply(http: httpx.AsyncClient, fields: dict[str, str], filename: str,
                content: bytes) -> httpx.Response:
    return await http.post(f"/jobs/view/{JOB.id}/apply/submit", data=fields,
                           files={"resume": (filename, content)})


def test_a_type_message_lists_the_types_a_flow_takes() -> None:
    assert FormRules().resume_type_error() == "Upload a PDF, DOC, DOCX, ODT, RTF or TXT resume"
    assert FormRules(resume_types=("pdf", "txt")).resume_type_error() == \
        "Upload a PDF or TXT resume"


async def test_a_complete_application_is_recorded_with_its_fields() -> None:
    store = SubmissionStore()
    async with client(store) as http:
        answer = await apply(http, CONTACT, "cv.txt", b"Ada Okafor, Python")

    assert answer.status_code == 200
    [sent] = store.all()
    assert (sent.board_token, sent.job_id, sent.fields) == ("linkedin", JOB.id, CONTACT)


async def test_easy_apply_holds_to_its_own_limits_and_to_the_options_offered() -> None:
    store = SubmissionStore()
    fields = {**CONTACT, "first_name": "A" * 256, AUTHORIZED.name: "Maybe"}

    async with client(store) as http:
        too_long = await apply(http, fields, "cv.odt", b"text")  # ODT: other flows take it
        too_large = await apply(http, CONTACT, "cv.pdf", b"x" * (2 * 1024 * 1024 + 1))

    assert too_long.status_code == too_large.status_code == 400
    assert "first_name is too long" in too_long.text
    assert "q_work_auth: choose one of the options" in too_long.text
    assert "Upload a PDF, DOC, DOCX or TXT resume" in too_long.text
    assert "The resume is larger than 2 MB" in too_large.text
    assert store.all() == []


async def test_a_closed_posting_takes_no_application_and_an_unknown_one_is_404() -> None:
    store = SubmissionStore()
    async with client(store) as http:
        closed = await http.post(f"/_sandbox/easy-apply/{JOB.id}/close")
        unknown = await http.post("/_sandbox/easy-apply/1/close")
        refused = await apply(http, CONTACT, "cv.txt", b"Ada Okafor, Python")

    assert (closed.status_code, closed.json()) == (200, {"ok": True})
    assert unknown.status_code == 404
    assert refused.status_code == 410
    assert store.all() == []
