"""Application bot throughput: Greenhouse-style hosted forms in one Chromium, against the sandbox.

`python -m bench.bench_bot [--applications N] [--contexts K]`. The baseline applies one at a
time in a single browser context; the measured run applies with K contexts in parallel in the
same Chromium. Both go through the whole bot (claim, form, evidence, settle) on a scratch
database, and both are checked against the portal's own record: every application exactly
once. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from infra.blobs import LocalBlobStore
from infra.chromium import ChromiumSettings
from infra.clock import SystemClock
from infra.db import create_engine
from infra.logging import configure_logging
from infra.migrate import upgrade
from infra.uow import UnitOfWork
from sandbox.portal.apply_flows.load import (
    LoadCandidate,
    RunningPortal,
    load_candidates,
    load_jobs,
    portal_in_thread,
    postings,
)
from sandbox.portal.jobs import PortalJob
from schemas.events.envelope import Envelope
from schemas.events.matching import ApplicationApproved
from services.application_bot import repository
from services.application_bot.adapters.browser import OutboundGuard, PlaywrightBrowser
from services.application_bot.adapters.candidates import SeedCandidateDirectory
from services.application_bot.adapters.greenhouse_form import GreenhouseApplier
from services.application_bot.adapters.portal_ledger import SandboxSubmissionLedger
from services.application_bot.applying import ApplicationBot, BotPorts
from services.application_bot.domain import ApplyRequest
from services.application_bot.tables import applications
from tests.servers import load_dev_env, scratch_database

TARGET_PER_MIN = 30.0


@dataclass(frozen=True)
class Phase:
    label: str
    contexts: int
    applied: int
    seconds: float
    duplicates: int
    missing: int

    @property
    def per_min(self) -> float:
        return self.applied / self.seconds * 60 if self.seconds else 0.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.bench_bot", description=__doc__)
    p.add_argument("--applications", type=int, default=60, help="applications in the measured run")
    p.add_argument("--baseline", type=int, default=15, help="applications in the baseline run")
    p.add_argument("--contexts", type=int, default=4, help="parallel browser contexts")
    p.add_argument("--chromium", default=str(ChromiumSettings().chromium_path))
    p.add_argument("--database-url", default=None)
    args = p.parse_args(argv)
    if min(args.applications, args.baseline, args.contexts) < 1:
        p.error("--applications, --baseline and --contexts must be at least 1")
    return args


async def prepare(uow: UnitOfWork, blobs: LocalBlobStore,
                  people: Sequence[LoadCandidate]) -> dict[uuid.UUID, uuid.UUID]:
    """Each candidate's resume version, stored as the bot would have learnt it."""
    versions = {}
    async with uow.transaction() as tx:
        for person in people:
            version = uuid.uuid5(person.candidate_id, "resume-v1")
            key = f"resumes/{person.candidate_id}/{version}.txt"
            digest = await blobs.put(key, person.resume.encode())
            await repository.remember_resume_version(
                tx.conn, repository.ResumeFile(version, person.candidate_id, key), digest,
                tx.clock.now())
            versions[person.candidate_id] = version
    return versions


async def run_phase(
    label: str, bot: ApplicationBot, portal: RunningPortal, orders: Sequence[ApplyRequest],
    contexts: int, progress: Progress,
) -> tuple[float, int]:
    """Apply for every order with `contexts` workers; (seconds, settled as submitted)."""
    task = progress.add_task(label, total=len(orders))
    queue: asyncio.Queue[ApplyRequest] = asyncio.Queue()
    for order in orders:
        queue.put_nowait(order)
    clock = SystemClock()

    async def worker() -> None:
        while not queue.empty():
            order = queue.get_nowait()
            data = ApplicationApproved(
                match_id=order.application_id, candidate_id=order.candidate_id,
                job_id=order.job_id, score=95.0, resume_version_id=order.resume_version_id,
                apply_url=order.apply_url)
            await bot.apply(order, Envelope.wrap(data, source="jams/bench", time=clock.now()))
            progress.advance(task)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(contexts)))
    return time.perf_counter() - started, len(orders)


def check(portal: RunningPortal, orders: Sequence[ApplyRequest],
          emails: dict[uuid.UUID, str]) -> tuple[int, int]:
    """(duplicates, missing) of `orders` in the portal's record of submissions."""
    seen = Counter((s.fields.get("email"), f"/{s.board_token}/jobs/{s.job_id}")
                   for s in portal.submissions())
    wanted = [(emails[o.candidate_id], "/" + o.apply_url.split("/", 3)[3]) for o in orders]
    duplicates = sum(seen[key] - 1 for key in wanted if seen[key] > 1)
    missing = sum(1 for key in wanted if seen[key] == 0)
    return duplicates, missing


def orders_for(portal: RunningPortal, jobs: Sequence[PortalJob], people: Sequence[LoadCandidate],
               versions: dict[uuid.UUID, uuid.UUID], count: int, offset: int
               ) -> list[ApplyRequest]:
    orders = []
    for n in range(offset, offset + count):
        person, job = people[n % len(people)], jobs[n // len(people)]
        orders.append(ApplyRequest(person.candidate_id, uuid.uuid5(person.candidate_id, str(n)),
                                   versions[person.candidate_id], portal.job_url(job)))
    return orders


async def main(args: argparse.Namespace) -> dict[str, object]:
    console = Console(stderr=True)
    total = args.baseline + args.applications
    people = load_candidates(20)
    jobs = [job.primary for job in load_jobs(total // len(people) + 1)]
    admin_url = args.database_url or os.environ["JAMS_DATABASE_URL"]
    with (scratch_database(admin_url) as url, tempfile.TemporaryDirectory() as folder,
          portal_in_thread(postings(load_jobs(len(jobs)))) as portal):
        await asyncio.to_thread(upgrade, url)
        seed = Path(folder) / "candidates.json"
        seed.write_text(json.dumps({"candidates": [p.seed_entry() for p in people]}))
        engine = create_engine(url, pool_size=args.contexts * 2 + 4)
        uow = UnitOfWork(engine, SystemClock(), source="jams/bench")
        blobs = LocalBlobStore(Path(folder) / "blobs")
        versions = await prepare(uow, blobs, people)
        browser = PlaywrightBrowser(Path(args.chromium), timeout_s=30,
                                    guard=OutboundGuard([urlsplit(portal.url).netloc]))
        bot = ApplicationBot(BotPorts(
            uow=uow, blobs=blobs, browser=browser,
            applier=GreenhouseApplier(confirmation_timeout_s=30),
            candidates=SeedCandidateDirectory(seed),
            ledger=SandboxSubmissionLedger(timeout_s=10)), max_attempts=3)
        baseline_orders = orders_for(portal, jobs, people, versions, args.baseline, 0)
        measured_orders = orders_for(portal, jobs, people, versions, args.applications,
                                     args.baseline)
        emails = {p.candidate_id: p.email for p in people}
        phases = []
        try:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console) as progress:
                # Warm-up: Chromium's start is not part of either figure.
                async with browser.page() as page:
                    await page.open(portal.url + "/" + jobs[0].board_token)
                for label, orders, contexts in (
                    ("baseline: 1 context, sequential", baseline_orders, 1),
                    (f"{args.contexts} parallel contexts", measured_orders, args.contexts),
                ):
                    seconds, applied = await run_phase(label, bot, portal, orders, contexts,
                                                       progress)
                    duplicates, missing = check(portal, orders, emails)
                    phases.append(Phase(label, contexts, applied, seconds, duplicates, missing))
        finally:
            await browser.close()
        async with engine.connect() as conn:
            submitted = await conn.scalar(sa.select(sa.func.count()).select_from(applications)
                                          .where(applications.c.state == "submitted"))
        await engine.dispose()

    table = Table(title="application bot: Greenhouse-style hosted form, one Chromium")
    for column in ("run", "contexts", "applied", "seconds", "per min", "duplicates", "missing"):
        table.add_column(column, justify="right")
    for phase in phases:
        table.add_row(phase.label, str(phase.contexts), str(phase.applied),
                      f"{phase.seconds:.1f}", f"{phase.per_min:.1f}", str(phase.duplicates),
                      str(phase.missing))
    console.print(table)
    base, measured = phases
    return {
        "browser_applications_per_min": round(measured.per_min, 1),
        "browser_contexts": measured.contexts,
        "duplicates": base.duplicates + measured.duplicates,
        "missing": base.missing + measured.missing,
        "baseline_applications_per_min": round(base.per_min, 1),
        "ratio_vs_baseline": round(measured.per_min / base.per_min, 2) if base.per_min else None,
        "target_per_min": TARGET_PER_MIN,
        "applications": measured.applied,
        "settled_submitted": submitted,
    }


if __name__ == "__main__":
    load_dev_env()
    configure_logging("WARNING")
    result = asyncio.run(main(parse_args(sys.argv[1:])))
    print(json.dumps(result))
