"""The portal's job posts, and their JSON exactly as Greenhouse's Job Board API shapes it."""

from __future__ import annotations

import dataclasses
import html
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.portal.jobs import PortalJob

# The application questions every hosted form asks (Greenhouse's built-in fields).
STANDARD_QUESTIONS: list[dict[str, Any]] = [
    {"required": True, "label": "First Name", "description": None,
     "fields": [{"name": "first_name", "type": "input_text", "values": []}]},
    {"required": True, "label": "Last Name", "description": None,
     "fields": [{"name": "last_name", "type": "input_text", "values": []}]},
    {"required": True, "label": "Email", "description": None,
     "fields": [{"name": "email", "type": "input_text", "values": []}]},
    {"required": False, "label": "Phone", "description": None,
     "fields": [{"name": "phone", "type": "input_text", "values": []}]},
    {"required": True, "label": "Resume/CV", "description": None,
     "fields": [{"name": "resume", "type": "input_file", "values": []},
                {"name": "resume_text", "type": "textarea", "values": []}]},
]


class ReleaseSchedule:
    """Posts going live one after another, `per_s` a second in the order given, counted from
    the first time anyone lists a board: a steady stream of new jobs for paced load runs."""

    def __init__(self, keys: Iterable[tuple[str, int]], per_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_s <= 0:
            raise ValueError(f"a release rate must be positive, not {per_s}")
        self._rank = {key: rank for rank, key in enumerate(keys)}
        self._per_s, self._clock = per_s, clock
        self._started: float | None = None

    def start(self) -> None:
        if self._started is None:
            self._started = self._clock()

    def released(self, key: tuple[str, int]) -> bool:
        if self._started is None:
            return False
        return self._rank.get(key, 0) <= (self._clock() - self._started) * self._per_s


class JobCatalog:
    """Job posts by board; closing one takes it off the API and its hosted page. With a
    release schedule, a post is on neither before its time."""

    def __init__(self, jobs: Iterable[PortalJob], release_per_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, int], PortalJob] = {(j.board_token, j.id): j for j in jobs}
        self._boards: dict[str, str] = {j.board_token: j.company_name for j in self._jobs.values()}
        self._release = ReleaseSchedule(self._jobs, release_per_s, clock) \
            if release_per_s is not None else None

    def _live(self, key: tuple[str, int]) -> bool:
        return self._release is None or self._release.released(key)

    def board_name(self, board_token: str) -> str | None:
        """The company name a board shows, or None for an unknown board."""
        return self._boards.get(board_token)

    def open_jobs(self, board_token: str) -> list[PortalJob]:
        with self._lock:
            if self._release is not None:
                self._release.start()
            jobs = [j for key, j in self._jobs.items()
                    if key[0] == board_token and j.open and self._live(key)]
        return sorted(jobs, key=lambda j: j.id)

    def find(self, board_token: str, job_id: int) -> PortalJob | None:
        """The post, open or closed (None before its release)."""
        with self._lock:
            key = (board_token, job_id)
            return self._jobs.get(key) if self._live(key) else None

    def close(self, board_token: str, job_id: int) -> bool:
        """Close a post; False when there is no such post."""
        with self._lock:
            job = self._jobs.get((board_token, job_id))
            if job is None:
                return False
            self._jobs[(board_token, job_id)] = dataclasses.replace(job, open=False)
            return True


def job_url(base_url: str, job: PortalJob) -> str:
    """The hosted job page (Greenhouse's `absolute_url`)."""
    return f"{base_url.rstrip('/')}/{job.board_token}/jobs/{job.id}"


def job_json(job: PortalJob, base_url: str, *, content: bool) -> dict[str, Any]:
    """One job as the jobs list returns it; `content` adds what `?content=true` adds."""
    body: dict[str, Any] = {
        "absolute_url": job_url(base_url, job),
        "data_compliance": [{
            "type": "gdpr", "requires_consent": False, "requires_processing_consent": False,
            "requires_retention_consent": False, "retention_period": None,
        }],
        "internal_job_id": job.internal_job_id,
        "location": {"name": job.location},
        "metadata": job.metadata,
        "id": job.id,
        "updated_at": job.updated_at,
        "requisition_id": job.requisition_id,
        "title": job.title,
        "company_name": job.company_name,
        "first_published": job.first_published,
        "language": job.language,
    }
    if content:
        # The real API entity-encodes the HTML once: clients must unescape, then parse.
        body["content"] = html.escape(job.content_html, quote=True)
        body["departments"] = [{
            "id": job.department.id, "name": job.department.name,
            "parent_id": None, "child_ids": [],
        }]
        body["offices"] = [{
            "id": job.office.id, "name": job.office.name, "location": job.office.location,
            "parent_id": None, "child_ids": [],
        }]
    return body


def not_found(error: str) -> dict[str, Any]:
    """Greenhouse's 404 body."""
    return {"status": 404, "error": error}
