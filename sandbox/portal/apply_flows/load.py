"""Generated postings and candidates for load and crash runs, and the portal in a thread."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from sandbox.portal.app import create_app
from sandbox.portal.jobs import Department, Office, PortalJob
from sandbox.portal.sms import SmsLedger
from sandbox.portal.submissions import Submission, SubmissionStore

PRIMARY_BOARD = "loadco"
MIRROR_BOARD = "loadco-careers"  # the same jobs posted again: a second source of each one
_FIRST_ID = 7_000_000_000
_MIRROR_OFFSET = 100_000_000
_DEPARTMENT = Department(id=9001, name="Engineering")
_OFFICE = Office(id=9002, name="Remote", location="Remote")
_NAMESPACE = uuid.UUID("0b5e7a52-3c1d-4f0e-9a6b-7d2c1e0f9a31")


@dataclass(frozen=True)
class LoadJob:
    """One canonical job, posted on the primary board and mirrored on a second one."""

    canonical_id: uuid.UUID
    primary: PortalJob
    mirror: PortalJob


@dataclass(frozen=True)
class LoadCandidate:
    """A generated candidate with contact details and a resume."""

    candidate_id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    phone: str
    resume: str

    def seed_entry(self) -> dict[str, str]:
        """Its entry in a candidates seed file (`sandbox/seed/candidates.json` shape)."""
        return {"candidate_id": str(self.candidate_id), "first_name": self.first_name,
                "last_name": self.last_name, "email": self.email, "phone": self.phone,
                "resume": self.resume}


def _posting(board: str, number: int, title: str, internal: int) -> PortalJob:
    return PortalJob(
        board_token=board, id=number, internal_job_id=internal, company_name="LoadCo",
        title=title, location="Remote",
        content_html="<p>Build and run services.</p><p>Requirements: Python, PostgreSQL</p>",
        updated_at="2026-01-05T10:00:00+00:00", first_published="2026-01-05T10:00:00+00:00",
        requisition_id=f"LOAD-{internal}", department=_DEPARTMENT, office=_OFFICE,
    )


def load_jobs(count: int) -> list[LoadJob]:
    """`count` canonical jobs, each posted twice (primary and mirror boards)."""
    jobs = []
    for i in range(count):
        title = f"Backend Engineer {i + 1}"
        jobs.append(LoadJob(
            canonical_id=uuid.uuid5(_NAMESPACE, f"job-{i}"),
            primary=_posting(PRIMARY_BOARD, _FIRST_ID + i, title, 80_000 + i),
            mirror=_posting(MIRROR_BOARD, _FIRST_ID + _MIRROR_OFFSET + i, title, 80_000 + i),
        ))
    return jobs


def load_candidates(count: int) -> list[LoadCandidate]:
    """`count` candidates with distinct e-mail addresses."""
    people = []
    for i in range(count):
        first, last = f"Cand{i:03d}", f"Loadtest{i:03d}"
        people.append(LoadCandidate(
            candidate_id=uuid.uuid5(_NAMESPACE, f"candidate-{i}"), first_name=first,
            last_name=last, email=f"cand{i:03d}@example.com", phone=f"+1 415 555 {i:04d}",
            resume=f"{first} {last}\nBackend engineer\nSkills: Python, PostgreSQL, Kafka\n",
        ))
    return people


def postings(jobs: Sequence[LoadJob]) -> list[PortalJob]:
    return [posting for job in jobs for posting in (job.primary, job.mirror)]


@dataclass(frozen=True)
class RunningPortal:
    """A portal served from a thread of this process."""

    url: str
    store: SubmissionStore

    def job_url(self, job: PortalJob) -> str:
        return f"{self.url}/{job.board_token}/jobs/{job.id}"

    def submissions(self) -> list[Submission]:
        return self.store.all()


@contextmanager
def portal_in_thread(jobs: Sequence[PortalJob], store: SubmissionStore | None = None,
                     sms: SmsLedger | None = None) -> Iterator[RunningPortal]:
    """The sandbox portal over `jobs` on a free loopback port, its own event loop and thread."""
    store = store or SubmissionStore()
    server = uvicorn.Server(uvicorn.Config(create_app(store, jobs, sms), host="127.0.0.1", port=0,
                                           log_config=None, lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, name="sandbox-portal", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # uvicorn offers no event to wait on
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the sandbox portal did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningPortal(f"http://127.0.0.1:{port}", store)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
