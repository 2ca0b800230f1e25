"""The sync log: one row per scrape run with its counts and every error's reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.job_discovery.tables import job_sync_log

# A run that fails on every posting would otherwise grow its row without bound.
MAX_LOGGED_ERRORS = 200


@dataclass
class PostingCounts:
    """How postings went: each one fetched is new, a duplicate, updated, unchanged or an error;
    besides, how many brought an expired job back (`reopened`)."""

    fetched: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    unchanged: int = 0
    reopened: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RunCounts(PostingCounts):
    """What one batch contributed to one run's log row."""

    source: str = field(kw_only=True)
    expired: int = 0


def run_id_for(run_id: str | None, source: str, now: datetime) -> str:
    """The log row of a posting; one per source and UTC day when the scraper names no run."""
    return run_id or f"{source}:{now.date().isoformat()}"


async def add_counts(
    conn: AsyncConnection, runs: dict[str, RunCounts], now: datetime,
    *, completed: bool | None = None,
) -> None:
    """Add each run's counts to its log row (created on first use), in one statement."""
    if not runs:
        return
    rows = [
        {"run_id": run_id, "source": c.source, "started_at": now, "updated_at": now,
         "fetched": c.fetched, "new": c.new, "updated": c.updated, "duplicates": c.duplicates,
         "unchanged": c.unchanged, "expired": c.expired, "reopened": c.reopened,
         "errors": len(c.errors),
         "error_reasons": c.errors[:MAX_LOGGED_ERRORS],
         "completed_at": now if completed is not None else None, "complete": completed}
        for run_id, c in sorted(runs.items())  # sorted: concurrent batches lock rows in order
    ]
    statement = insert(job_sync_log).values(rows)
    old, new = job_sync_log.c, statement.excluded
    summed = {name: getattr(old, name) + getattr(new, name)
              for name in ("fetched", "new", "updated", "duplicates", "unchanged", "expired",
                           "reopened", "errors")}
    keep_errors = old.error_reasons.op("||")(new.error_reasons)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=[old.run_id],
        set_={
            **summed,
            "updated_at": new.updated_at,
            "error_reasons": case(
                (func.jsonb_array_length(old.error_reasons) < MAX_LOGGED_ERRORS, keep_errors),
                else_=old.error_reasons),
            "completed_at": func.coalesce(new.completed_at, old.completed_at),
            "complete": func.coalesce(new.complete, old.complete),
        },
    ))
