"""Applications the portal received: in memory, optionally appended to a JSON-lines file."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request


@dataclass(frozen=True)
class Submission:
    """One application form as posted, with a digest of the attached resume."""

    confirmation_id: str
    board_token: str
    job_id: int
    fields: dict[str, str]
    resume_filename: str
    resume_sha256: str
    resume_size: int
    submitted_at: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Submission:
        return cls(**data)


class SubmissionStore:
    """Thread-safe list of submissions; with a `path`, also kept across restarts."""

    def __init__(
        self, path: Path | None = None, now: Callable[[], datetime] | None = None,
        on_add: Callable[[Submission, str], None] | None = None,
    ) -> None:
        self._path = path
        self._now = now or (lambda: datetime.now(UTC))
        # Told of each new submission and the page it was sent from (a confirmation mailer).
        self._on_add = on_add
        self._lock = threading.Lock()
        self._items: list[Submission] = []
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    self._items.append(Submission.from_json(json.loads(line)))

    def now(self) -> datetime:
        return self._now()

    def add(self, submission: Submission, page_url: str = "") -> None:
        with self._lock:
            if self._path is not None:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                with self._path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(submission.to_json(), sort_keys=True) + "\n")
            self._items.append(submission)
        if self._on_add is not None:
            self._on_add(submission, page_url)

    def applied(self, board_token: str, job_id: int, email: str) -> Submission | None:
        """The submission of `email` to this board's job, as a signed-in member sees it."""
        wanted = email.strip().lower()
        return next((item for item in self.all()
                     if item.board_token == board_token and item.job_id == job_id
                     and item.fields.get("email", "").strip().lower() == wanted), None)

    def all(self) -> list[Submission]:
        with self._lock:
            return list(self._items)


def page_of(request: Request) -> str:
    """The page a form was sent from: its Referer, else the URL it was posted to."""
    return str(request.headers.get("referer") or request.url)
