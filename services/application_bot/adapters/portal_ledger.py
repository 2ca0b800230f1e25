"""Asking whether an application went through (after a crash or a lost reply): the port, the
sandbox portal's own record, and the answers of several ledgers put together."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import structlog

# A Greenhouse hosted job page: /{board_token}/jobs/{job_id}
_JOB_PATH = re.compile(r"^/(?P<board>[A-Za-z0-9_.-]+)/jobs/(?P<job>\d+)/?$")
# LinkedIn's Easy Apply page: /jobs/view/{job_id}/apply (the sandbox records it as `linkedin`)
_EASY_APPLY_PATH = re.compile(r"^/jobs/view/(?P<job>\d+)/apply/?$")
# The other hosted pages, and how the portal's record names their board and job: Lever's and
# Ashby's posting UUIDs as numbers, Workday's requisition number, Indeed's hex job key.
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_LEVER_PATH = re.compile(rf"^/(?P<board>[A-Za-z0-9_.-]+)/(?P<job>{_UUID})/apply/?$")
_ASHBY_PATH = re.compile(rf"^/(?P<board>[A-Za-z0-9_.-]+)/(?P<job>{_UUID})/application/?$")
_WORKDAY_PATH = re.compile(
    r"^/[a-z]{2}-[A-Z]{2}/(?P<board>[A-Za-z0-9_-]+)/job/[^/]+/[^/]+_[A-Za-z]*-?(?P<job>\d+)"
    r"(?:/apply(?:/applyManually)?)?/?$")
_CAREERS_PATH = re.compile(r"^/careers/(?P<board>[A-Za-z0-9_-]+)/positions/(?P<job>\d+)/?$")
_JK = re.compile(r"^[0-9a-fA-F]{16}$")


log = structlog.get_logger(__name__)


class LedgerUnavailable(Exception):
    """The ledger could not be asked; the answer is unknown, so nothing may be retried yet."""


@dataclass(frozen=True)
class LedgerQuery:
    """One possibly sent application: whose, where, and the candidate's address."""

    application_id: uuid.UUID
    candidate_id: uuid.UUID
    apply_url: str
    email: str


@dataclass(frozen=True)
class Applied:
    """Something a person could see shows the application went through."""

    confirmation: str
    record: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotApplied:
    """The portal, seen as the candidate, shows no application: nothing went through."""

    source: str


# None: this ledger cannot tell (no session, no e-mail yet, not its kind of portal).
LedgerAnswer = Applied | NotApplied | None


class SubmissionLedger(Protocol):
    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        """Whether the application of `query` went through, if this ledger can tell."""
        ...


class FirstAnswer:
    """Asks each ledger: any sign it went through wins, then any sign it did not.

    A ledger that cannot be asked counts as one that cannot tell, so an IMAP server away does
    not keep an orphan from its review; the sandbox's own ledger alone keeps its strictness.
    """

    def __init__(self, ledgers: Sequence[SubmissionLedger]) -> None:
        self._ledgers = tuple(ledgers)

    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        absent: NotApplied | None = None
        for ledger in self._ledgers:
            try:
                answer = await ledger.check(query)
            except LedgerUnavailable as exc:
                log.warning("a submission ledger could not be asked", ledger=type(ledger).__name__,
                            error=str(exc))
                continue
            if isinstance(answer, Applied):
                return answer
            absent = absent or answer
        return absent


@dataclass(frozen=True)
class GreenhousePosting:
    """Where a hosted job page is: its site, board and post id."""

    origin: str
    board_token: str
    job_id: int

    @classmethod
    def parse(cls, apply_url: str) -> GreenhousePosting | None:
        parts = urlsplit(apply_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        if easy := _EASY_APPLY_PATH.match(parts.path):
            return cls(origin, "linkedin", int(easy["job"]))
        if lever := _LEVER_PATH.match(parts.path):
            return cls(origin, f"lever-{lever['board']}", uuid.UUID(lever["job"]).int)
        if ashby := _ASHBY_PATH.match(parts.path):
            return cls(origin, f"ashby-{ashby['board']}", uuid.UUID(ashby["job"]).int)
        if workday := _WORKDAY_PATH.match(parts.path):
            return cls(origin, f"workday-{workday['board']}", int(workday["job"]))
        if careers := _CAREERS_PATH.match(parts.path):
            return cls(origin, f"careers-{careers['board']}", int(careers["job"]))
        if parts.path.rstrip("/") == "/viewjob":
            jk = (parse_qs(parts.query).get("jk") or [""])[0]
            return cls(origin, "indeed", int(jk, 16)) if _JK.match(jk) else None
        match = _JOB_PATH.match(parts.path)
        if match is None:
            return None
        return cls(origin, match["board"], int(match["job"]))


class SandboxSubmissionLedger:
    """The sandbox portal's `GET /_sandbox/submissions`, matched by board, post and email."""

    def __init__(self, *, timeout_s: float) -> None:
        self._timeout_s = timeout_s

    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        posting = GreenhousePosting.parse(query.apply_url)
        if posting is None:
            raise LedgerUnavailable(f"not a hosted job page URL: {query.apply_url!r}")
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.get(f"{posting.origin}/_sandbox/submissions")
                response.raise_for_status()
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise LedgerUnavailable(f"cannot list the portal's submissions: {exc}") from exc
        items = body.get("submissions", []) if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise LedgerUnavailable("the portal's submissions list has an unexpected shape")
        for item in items:
            if isinstance(item, dict) and _matches(item, posting, query.email):
                return Applied(str(item.get("confirmation_id") or ""), item)
        return NotApplied("the sandbox portal's record")


def _matches(item: dict[str, Any], posting: GreenhousePosting, email: str) -> bool:
    fields = item.get("fields")
    submitted_email = fields.get("email") if isinstance(fields, dict) else item.get("email")
    return (
        str(item.get("board_token")) == posting.board_token
        and str(item.get("job_id")) == str(posting.job_id)
        and isinstance(submitted_email, str)
        and submitted_email.strip().lower() == email.strip().lower()
    )
