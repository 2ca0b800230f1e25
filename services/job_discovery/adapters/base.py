"""The one interface every job source implements, and what a fetch returns."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from schemas.events.jobs import JobDiscovered
from services.job_discovery.html_text import html_to_text

MAX_DESCRIPTION_CHARS = 200_000


class BadPosting(ValueError):
    """A posting that is not shaped the way its source documents it."""


class LayoutChanged(RuntimeError):
    """A source answered in a shape its adapter does not know: the page or API changed."""

    kind = "layout_changed"


class SelectorDrift(LayoutChanged):
    """A page loaded but its configured selectors no longer find what they should."""

    kind = "selector_drift"


class SourceNotFound(RuntimeError):
    """The board, site or tenant does not exist (HTTP 404)."""


@dataclass(frozen=True)
class Problem:
    """Something a run could not do, with a machine-readable reason and a human detail."""

    reason: str
    detail: str


@dataclass(frozen=True)
class FetchedPosting:
    """A posting normalised to JobDiscovered's fields, and the payload it came from."""

    event: JobDiscovered
    raw: dict[str, Any]
    source_url: str

    @property
    def key(self) -> str:
        return self.event.source_job_key


@dataclass
class FetchResult:
    """What one fetch got; with `error` set, `postings` holds what arrived before it."""

    postings: list[FetchedPosting] = field(default_factory=list)
    cursor: str | None = None
    # The source's whole listing was read: a posting missing from it has closed.
    complete: bool = False
    # How many jobs the source listed this time (before our skips), for anomaly checks.
    listed: int = 0
    seen_keys: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: Exception | None = None

    def skip(self, reason: str, detail: str) -> None:
        self.problems.append(Problem(reason, detail))


class SourceAdapter(Protocol):
    """Fetch the postings that are new since `cursor`; the result carries the next cursor."""

    @property
    def source_id(self) -> str:
        """Unique id of the configured source (e.g. `lever:acme`)."""
        ...

    @property
    def portal(self) -> str:
        """Whose politeness limits apply (e.g. `lever`)."""
        ...

    server_filters: frozenset[str]

    async def fetch(self, cursor: str | None) -> FetchResult: ...


def plain_text(markup: str) -> str:
    """Description HTML as plain text, bounded."""
    return html_to_text(markup)[:MAX_DESCRIPTION_CHARS]


def entity_decoded_text(markup: str) -> str:
    """For sources that entity-encode their HTML once (Greenhouse)."""
    return plain_text(html.unescape(markup))


def build_event(source: str, external_id: str, **fields: Any) -> JobDiscovered:
    """A JobDiscovered for `source:external_id`; BadPosting with the fields that failed."""
    key = f"{source}:{external_id}"
    try:
        return JobDiscovered(source_job_key=key, source=source, external_id=external_id,
                             raw_document_id=key, **fields)
    except ValidationError as exc:
        raise BadPosting(f"{key}: {validation_summary(exc)}") from None


def validation_summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}"
        for err in exc.errors()
    )


def collect(result: FetchResult, items: list[Any], url: str,
            normalise: Callable[[dict[str, Any]], JobDiscovered]) -> None:
    """Normalise each item into `result`; a bad one is recorded with its reason and skipped."""
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            result.skip("bad_posting", f"item {index} at {url} is a {type(item).__name__}")
            continue
        try:
            event = normalise(item)
        except BadPosting as exc:
            result.skip("bad_posting", str(exc))
            continue
        result.postings.append(FetchedPosting(event, item, url))
        result.seen_keys.append(event.source_job_key)
