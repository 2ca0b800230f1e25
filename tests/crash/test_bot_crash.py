"""500 approvals, 50 candidates, a job from two sources; the bot SIGKILLed twice: each once."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.blobs import LocalBlobStore
from infra.bus import codec
from infra.bus.bus import EventBus
from infra.bus.port import Transport
from infra.clock import SystemClock
from infra.outbox import outbox
from infra.runtime import make_transport
from infra.settings import CommonSettings
from sandbox.portal.apply_flows.load import (
    LoadCandidate,
    LoadJob,
    RunningPortal,
    load_candidates,
    load_jobs,
    portal_in_thread,
    postings,
)
from sandbox.portal.submissions import Submission
from schemas.events.applications import ApplicationSubmitted
from schemas.events.envelope import Envelope
from schemas.events.matching import ApplicationApproved
from schemas.events.resumes import ResumeVersionCreated
from services.application_bot.domain import application_id
from services.application_bot.tables import applications, bot_resume_versions

pytestmark = [pytest.mark.integration, pytest.mark.kafka, pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = 50
JOBS = 30
PER_CANDIDATE = 9  # distinct canonical jobs; the tenth approval is one of them from a 2nd source
PARTITIONS = 6
WAVE = 50  # approvals in flight at most, so no batch outlives Kafka's poll interval
KILL_AT = (120, 300)  # portal submissions seen when the bot is SIGKILLed
TIMEOUT_S = 1800  # a guard against hanging; a shared, loaded machine is slow


@dataclass(frozen=True)
class Order:
    candidate: LoadCandidate
    job_index: int
    mirror: bool  # came from the second source (the mirror board)
    match_id: uuid.UUID


def approvals(people: list[LoadCandidate]) -> list[Order]:
    """Ten approvals per candidate: nine jobs, and one of them again from the other source."""
    orders = []
    for c, person in enumerate(people):
        indices = [(c * 7 + k) % JOBS for k in range(PER_CANDIDATE)]
        for index in indices:
            orders.append(Order(person, index, False, application_id(person.candidate_id,
                                                                     uuid.UUID(int=index))))
        # Half of the duplicates share the first one's key (same partition, in turn), half
        # not (another partition, possibly at the same moment): the lock and the key both hold.
        same_key = c % 2 == 0
        orders.append(Order(person, indices[0], True,
                            orders[-PER_CANDIDATE].match_id if same_key else uuid.uuid4()))
    random.Random(6).shuffle(orders)
    return orders


def approved(order: Order, jobs: list[LoadJob], portal: RunningPortal) -> ApplicationApproved:
    job = jobs[order.job_index]
    return ApplicationApproved(
        match_id=order.match_id, candidate_id=order.candidate.candidate_id,
        job_id=job.canonical_id, score=95.0,
        resume_version_id=uuid.uuid5(order.candidate.candidate_id, "resume-v1"),
        apply_url=portal.job_url(job.mirror if order.mirror else job.primary))


@dataclass
class BotProcess:
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.crash.bot_worker"], cwd=ROOT, env=self.env,
                stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the bot and its Chromium: its whole session, as a node failure would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"the bot exited with {self.process.returncode}:\n"
                        + self.log.read_text(errors="replace")[-4000:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def bot_log(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "bot.log"


@dataclass(frozen=True)
class BotCrashReport:
    approvals: int
    distinct_applications: int
    bot_starts: int
    sigkills: int
    portal_submissions: int
    missing: int
    duplicates: int
    rows_submitted: int
    rows_unsettled: int
    submitted_events: int
    orphans_swept: int

    def render(self) -> str:
        return render_report("application bot SIGKILLed twice (Kafka, Chromium)", asdict(self))


def render_report(title: str, figures: dict[str, int]) -> str:
    width = max(map(len, figures))
    return "\n".join([f"── {title} ──"] + [f"  {k.ljust(width)}  {v}" for k, v in figures.items()])


def bot_env(namespace: str, *, kafka_bootstrap: str, database_url: str, redis_url: str,
            chromium_path: str, data: Path, seed: Path, partitions: int = PARTITIONS,
            **extra: str) -> dict[str, str]:
    """The bot worker's environment for a crash run on this test's servers and folder."""
    return {
        **os.environ, "JAMS_BUS": "kafka", "JAMS_BUS_NAMESPACE": namespace,
        "JAMS_KAFKA_BOOTSTRAP": kafka_bootstrap, "JAMS_KAFKA_PARTITIONS": str(partitions),
        "JAMS_DATABASE_URL": database_url, "JAMS_REDIS_URL": redis_url,
        "JAMS_BLOB_DIR": str(data / "blobs"), "JAMS_CANDIDATES_SEED": str(seed),
        "JAMS_CHROMIUM_PATH": chromium_path, "JAMS_HTTP_PORT": "0",
        "JAMS_RETRY_MAX_ATTEMPTS": "30", "JAMS_RETRY_MAX_BACKOFF_S": "2",
        "JAMS_SWEEP_INTERVAL_S": "2", "JAMS_SWEEP_GRACE_S": "20", "JAMS_LOG_LEVEL": "INFO",
        # The sandbox portal takes a load run: politeness per portal still applies, not slowly.
        "JAMS_PORTAL_POLICIES": json.dumps({"greenhouse": {"rate_per_s": 100, "burst": 20,
                                                           "max_concurrency": 8}}),
        "JAMS_POLITENESS_PREFIX": f"{namespace}:polite",
        "JAMS_ALLOW_PRIVATE_HOSTS": json.dumps(["127.0.0.1"]),  # the portal's port is picked late
        **extra,
    }


async def resume_created(blobs: LocalBlobStore, person: LoadCandidate) -> Envelope:
    """The candidate's resume in the blob store, and the event that tells the bot of it."""
    version = uuid.uuid5(person.candidate_id, "resume-v1")
    key = f"resumes/{person.candidate_id}/{version}.txt"
    digest = await blobs.put(key, person.resume.encode())
    return Envelope.wrap(ResumeVersionCreated(
        candidate_id=person.candidate_id, resume_version_id=version, blob_key=key,
        content_sha256=digest, created_by="seed"), source="tests/crash", time=SystemClock().now())


async def submitted_ids(transport: Transport) -> set[str]:
    """The applications an ApplicationSubmitted was published for."""
    return {str(e.data["application_id"])
            for e in map(codec.decode, await transport.read_all(ApplicationSubmitted.TOPIC))
            if e.type == ApplicationSubmitted.TYPE}


def tally(submitted: list[Submission], canonical: dict[tuple[str, int], int],
          wanted: set[tuple[str, int]]) -> tuple[Counter[tuple[str, int]], int, int]:
    """The portal's submissions per (email, canonical job); how many are missing, repeated."""
    per_application = Counter((s.fields["email"], canonical[(s.board_token, s.job_id)])
                              for s in submitted)
    return (per_application, sum(1 for key in wanted if per_application[key] == 0),
            sum(n - 1 for n in per_application.values() if n > 1))


def count_rows(database_url: str) -> Counter[str]:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(applications.c.state, sa.func.count())
                            .group_by(applications.c.state)).all()
        versions = conn.scalar(sa.select(sa.func.count()).select_from(bot_resume_versions))
        unrelayed = conn.scalar(sa.select(sa.func.count()).select_from(outbox)
                                .where(outbox.c.published_at.is_(None)))
    engine.dispose()
    states = Counter({state: int(n) for state, n in rows})
    states["_resume_versions"] = int(versions or 0)
    states["_unrelayed"] = int(unrelayed or 0)
    return states


async def test_the_bot_killed_twice_applies_every_approval_exactly_once(
    kafka_bootstrap: str, database_url: str, redis_url: str, chromium_path: str,
    tmp_path: Path, bot_log: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    people = load_candidates(CANDIDATES)
    jobs = load_jobs(JOBS)
    orders = approvals(people)
    assert len(orders) == 500
    wanted = {(o.candidate.email, o.job_index) for o in orders}
    canonical = {(p.board_token, p.id): i for i, job in enumerate(jobs)
                 for p in (job.primary, job.mirror)}
    seed = tmp_path / "candidates.json"
    seed.write_text(json.dumps({"candidates": [p.seed_entry() for p in people]}))
    namespace = f"botcrash{uuid.uuid4().hex[:8]}"
    settings = CommonSettings(bus="kafka", bus_namespace=namespace,
                              kafka_bootstrap=kafka_bootstrap, kafka_partitions=PARTITIONS)
    bot = BotProcess(bot_env(
        namespace, kafka_bootstrap=kafka_bootstrap, database_url=database_url,
        redis_url=redis_url, chromium_path=chromium_path, data=tmp_path, seed=seed,
        JAMS_SANDBOX_LEDGER="true",
        # A wave in one batch, as many browser contexts as partitions with work: a load run's
        # batch size; a wave's handling stays well inside the poll interval.
        JAMS_CONSUMER_BATCH_SIZE=str(WAVE),
    ), bot_log)

    blobs = LocalBlobStore(tmp_path / "blobs")
    transport = make_transport(settings)
    await transport.start()
    bus = EventBus(transport, clock=SystemClock())
    clock = SystemClock()
    try:
        with portal_in_thread(postings(jobs)) as portal:
            await transport.ensure_topics([ApplicationApproved.TOPIC, ResumeVersionCreated.TOPIC,
                                           ApplicationSubmitted.TOPIC])
            await bus.publish(*[await resume_created(blobs, person) for person in people])
            bot.start()

            def seen() -> int:
                return len(portal.submissions())

            async with asyncio.timeout(TIMEOUT_S):
                while count_rows(database_url)["_resume_versions"] < CANDIDATES:
                    bot.alive()
                    await asyncio.sleep(0.2)
                published, kills = 0, 0
                while True:
                    states = count_rows(database_url)
                    settled = states["submitted"] + states["failed"]
                    # Feed approvals in waves; each wave's duplicates settle with the rest.
                    if published < len(orders) and published - settled <= WAVE:
                        wave = orders[published:published + WAVE]
                        await bus.publish(*(Envelope.wrap(approved(o, jobs, portal),
                                                          source="tests/crash", time=clock.now())
                                            for o in wave))
                        published += len(wave)
                    if kills < len(KILL_AT) and seen() >= KILL_AT[kills]:
                        bot.kill()
                        kills += 1
                        bot.start()
                    if (published == len(orders) and kills == len(KILL_AT)
                            and settled >= len(wanted)
                            and states["submitting"] + states["unknown"] == 0
                            and states["_unrelayed"] == 0):
                        break
                    bot.alive()
                    await asyncio.sleep(0.5)
            bot.stop()
            submitted = portal.submissions()
            submitted_events = await submitted_ids(transport)
    finally:
        bot.stop()
        await transport.close()

    per_application, missing, duplicates = tally(submitted, canonical, wanted)
    states = count_rows(database_url)
    log_lines = [json.loads(line) for line in
                 (await asyncio.to_thread(bot_log.read_text)).splitlines()
                 if line.startswith("{")]
    report = BotCrashReport(
        approvals=len(orders), distinct_applications=len(wanted), bot_starts=bot.starts,
        sigkills=len(KILL_AT), portal_submissions=len(submitted),
        missing=missing, duplicates=duplicates,
        rows_submitted=states["submitted"],
        rows_unsettled=states["submitting"] + states["unknown"] + states["pending"],
        submitted_events=len(submitted_events),
        orphans_swept=sum(int(e.get("count", 0)) for e in log_lines
                          if e.get("event") == "orphaned applications settled"),
    )
    with capsys.disabled():
        print("\n" + report.render())
    assert set(per_application) == wanted
    assert report.missing == report.duplicates == 0
    assert report.rows_submitted == len(wanted) and report.rows_unsettled == 0
    assert report.submitted_events == len(wanted)
