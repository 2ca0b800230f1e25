"""Reads of the figures: the summary and the time series the dashboard draws."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.analytics.figures import (
    EPOCH,
    HOLDING_TASK_STATES,
    MINUTE,
    TERMINAL_TASK_STATES,
    DecisionRates,
    SourceState,
    Window,
    bucket_floor,
    deduplicated,
    events_read,
    fill_series,
    is_active,
    per_minute,
    percentile,
    percentile_series,
    rebucket,
    source_health,
)
from services.analytics.tables import (
    analytics_counts,
    analytics_dead_letters,
    analytics_review_tasks,
    analytics_reviewers,
    analytics_sources,
)

counts = analytics_counts
tasks = analytics_review_tasks
RATE_SPAN_S = 300  # jobs per minute: averaged over the last five minutes


class FiguresReader:
    """Builds the figures from the analytics tables, as of the clock's `now`."""

    def __init__(self, engine: AsyncEngine, *, figures_window_s: float,
                 active_scraper_window_s: float) -> None:
        self._engine = engine
        self._window_s = figures_window_s
        self._active_s = active_scraper_window_s

    async def summary(self, now: datetime) -> dict[str, Any]:
        since = now - timedelta(seconds=self._window_s)
        today = bucket_floor(now, 86400)
        async with self._engine.connect() as conn:
            totals = await _sums(conn, None)
            recent = await _sums(conn, since)
            last_minutes = await _sums(conn, bucket_floor(now, MINUTE)
                                       - timedelta(seconds=RATE_SPAN_S - MINUTE))
            day = await _sums(conn, today)
            durations = await _durations(conn, since)
            pending = await conn.scalar(sa.select(sa.func.count()).select_from(tasks)
                                        .where(tasks.c.state.not_in(TERMINAL_TASK_STATES)))
            scrape = await self._sources(conn, now)
            load = await _reviewers(conn)
            dlq = await dead_letter_rows(conn)
        decisions = DecisionRates(int(recent.get("decisions_auto", 0)),
                                  int(recent.get("decisions_review", 0)),
                                  int(recent.get("decisions_reject", 0)))
        seconds = [s for _, s in durations]
        return {
            "as_of": now.isoformat(),
            "window_s": self._window_s,
            "events": events_read(totals),
            "active_scrapers": sum(1 for s in scrape if s["active"]),
            "jobs_found_per_minute": per_minute(last_minutes.get("jobs_found", 0), RATE_SPAN_S),
            "jobs_found": int(totals.get("jobs_found", 0)),
            "jobs_published": int(totals.get("jobs_published", 0)),
            "jobs_deduplicated": int(deduplicated(totals.get("jobs_found", 0),
                                                  totals.get("jobs_published", 0))),
            "pending_reviews": int(pending or 0),
            "review_time_median_s": percentile(seconds, 50),
            "review_time_p95_s": percentile(seconds, 95),
            "reviews_finished": len(seconds),
            "sla_misses": int(recent.get("sla_misses", 0)),
            "sla_misses_total": int(totals.get("sla_misses", 0)),
            "strikes": int(recent.get("strikes", 0)),
            "strikes_total": int(totals.get("strikes", 0)),
            "decisions": decisions.as_dict(),
            "applications_today": {"submitted": int(day.get("applications_submitted", 0)),
                                   "failed": int(day.get("applications_failed", 0))},
            "applications_total": {"submitted": int(totals.get("applications_submitted", 0)),
                                   "failed": int(totals.get("applications_failed", 0))},
            "dead_letters": dlq,
            "dead_letters_waiting": sum(row["waiting"] for row in dlq),
            "sources": scrape,
            "reviewers": load,
        }

    async def series(self, metric: str, window: Window, now: datetime) -> list[dict[str, Any]]:
        start = window.start(now)
        async with self._engine.connect() as conn:
            if metric in ("review_time_p50", "review_time_p95"):
                q = 50 if metric == "review_time_p50" else 95
                durations = await _durations(conn, start)
                return [{"t": at.isoformat(), "v": v}
                        for at, v in percentile_series(durations, q, window, now)]
            if metric == "jobs_deduplicated":
                found = await _buckets(conn, "jobs_found", start, window.step_s)
                published = await _buckets(conn, "jobs_published", start, window.step_s)
                points = {at: deduplicated(v, published.get(at, 0.0)) for at, v in found.items()}
            else:
                points = await _buckets(conn, metric, start, window.step_s)
        return [{"t": at.isoformat(), "v": v} for at, v in fill_series(points, window, now)]

    async def _sources(self, conn: AsyncConnection, now: datetime) -> list[dict[str, Any]]:
        rows = (await conn.execute(sa.select(analytics_sources)
                                   .order_by(analytics_sources.c.source))).mappings().all()
        result = []
        for row in rows:
            state = SourceState(row["last_seen_at"], row["last_run_at"],
                                row["last_run_complete"], row["last_run_errors"],
                                row["last_blocked_at"])
            result.append({
                **{k: _json(v) for k, v in row.items()},
                "health": source_health(state, now, self._active_s),
                "active": is_active(row["last_seen_at"], now, self._active_s),
            })
        return result


async def _sums(conn: AsyncConnection, since: datetime | None) -> dict[str, float]:
    query = sa.select(counts.c.metric, sa.func.sum(counts.c.value)).group_by(counts.c.metric)
    if since is not None:
        query = query.where(counts.c.bucket >= since)
    return {metric: float(total) for metric, total in (await conn.execute(query)).all()}


async def _buckets(conn: AsyncConnection, metric: str, since: datetime,
                   step_s: int) -> dict[datetime, float]:
    """`metric`'s minute counts since `since`, summed into `step_s` buckets by the database."""
    bucket = sa.func.date_bin(sa.func.make_interval(0, 0, 0, 0, 0, 0, step_s),
                              counts.c.bucket, EPOCH).label("at")
    rows = await conn.execute(sa.select(bucket, sa.func.sum(counts.c.value))
                              .where(counts.c.metric == metric, counts.c.bucket >= since)
                              .group_by(bucket))
    # The database's buckets are the domain's (both from the epoch); rebucket only checks it.
    return rebucket(((at, float(total)) for at, total in rows.all()), step_s)


async def _durations(conn: AsyncConnection,
                     since: datetime) -> list[tuple[datetime, float]]:
    """(finished at, seconds from creation) of the reviews finished since `since`."""
    rows = await conn.execute(
        sa.select(tasks.c.finished_at,
                  sa.extract("epoch", tasks.c.finished_at - tasks.c.created_at))
        .where(tasks.c.finished_at >= since, tasks.c.created_at.is_not(None)))
    return [(finished, max(0.0, float(seconds))) for finished, seconds in rows.all()]


async def _reviewers(conn: AsyncConnection) -> list[dict[str, Any]]:
    holding = (sa.select(tasks.c.reviewer_id, sa.func.count().label("load"))
               .where(tasks.c.state.in_(HOLDING_TASK_STATES))
               .group_by(tasks.c.reviewer_id).subquery())
    reviewers = analytics_reviewers
    rows = await conn.execute(
        sa.select(reviewers, sa.func.coalesce(holding.c.load, 0).label("load"))
        .outerjoin(holding, holding.c.reviewer_id == reviewers.c.reviewer_id)
        .order_by(sa.desc("load"), reviewers.c.reviewer_id))
    return [{k: _json(v) for k, v in row.items()} for row in rows.mappings().all()]


async def dead_letter_rows(conn: AsyncConnection) -> list[dict[str, Any]]:
    dlq = analytics_dead_letters
    rows = await conn.execute(sa.select(dlq).order_by(dlq.c.topic))
    return [{**{k: _json(v) for k, v in row.items()},
             "waiting": max(0, row["size"] - row["replayed"])}
            for row in rows.mappings().all()]


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
