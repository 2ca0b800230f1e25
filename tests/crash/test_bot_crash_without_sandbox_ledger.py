"""The bot SIGKILLed mid-submission against a portal whose own record it may not read: every
orphan is settled by the candidate's confirmation e-mail (the real dev IMAP server) or by a
person asked after the set time, never by a blind resend."""

# ruff: noqa: F811 - the bot_log fixture is shared with test_bot_crash and named as there

from __future__ import annotations

import asyncio
import json
import random
import threading
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from infra.blobs import LocalBlobStore
from infra.bus import codec
from infra.bus.bus import EventBus
from infra.clock import SystemClock
from infra.runtime import make_transport
from infra.settings import CommonSettings
from sandbox.portal.apply_flows.load import (
    LoadCandidate,
    load_candidates,
    load_jobs,
    portal_in_thread,
    postings,
)
from sandbox.portal.mail import ImapMailer
from sandbox.portal.submissions import Submission, SubmissionStore
from schemas.events.applications import ApplicationNeedsReview, ApplicationSubmitted
from schemas.events.envelope import Envelope
from schemas.events.matching import ApplicationApproved
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import ReviewTaskCreated, TaskCompleted, TaskRejected
from services.application_bot.domain import application_id
from services.application_bot.evidence import manifest_key
from tests.crash.test_bot_crash import (  # noqa: F401 - bot_log is a fixture
    BotProcess,
    Order,
    approved,
    bot_env,
    bot_log,
    count_rows,
    render_report,
    resume_created,
    submitted_ids,
    tally,
)

pytestmark = [pytest.mark.integration, pytest.mark.kafka, pytest.mark.slow, pytest.mark.browser]

CANDIDATES = 12
JOBS = 8
PER_CANDIDATE = 4
PARTITIONS = 3
# The bot is SIGKILLed the moment the portal takes its 12th and 30th forms, before their
# confirmation pages reach it: sent, unconfirmed, and only the portal's e-mail can tell.
KILL_AT = (12, 30)
REVIEW_AFTER_S = 20  # the set time after which nothing-can-tell orphans go to a person
TIMEOUT_S = 900


@dataclass(frozen=True)
class OrphanCrashReport:
    approvals: int
    sigkills: int
    portal_submissions: int
    missing: int
    duplicates: int
    rows_submitted: int
    rows_unsettled: int
    submitted_events: int
    settled_by_email: int
    questions_asked: int
    answered_sent: int
    answered_not_sent: int

    def render(self) -> str:
        return render_report("bot SIGKILLed twice, no sandbox ledger (IMAP, review tasks)",
                             asdict(self))


def orders_for(people: list[LoadCandidate]) -> list[Order]:
    orders = [Order(person, (c * 3 + k) % JOBS, k % 2 == 1,
                    application_id(person.candidate_id, uuid.UUID(int=(c * 3 + k) % JOBS)))
              for c, person in enumerate(people) for k in range(PER_CANDIDATE)]
    random.Random(16).shuffle(orders)
    return orders


def reviewer_replies(question: ApplicationNeedsReview, sent: bool) -> list[Envelope]:
    """What the workflow publishes for the bot's question, answered from the portal's truth:
    the task (naming the application as its match), then its rejection (it went through) or
    completion (it did not: send once more)."""
    task_id, reviewer = uuid.uuid4(), uuid.uuid4()
    clock = SystemClock()
    answer: TaskRejected | TaskCompleted = (
        TaskRejected(task_id=task_id, reviewer_id=reviewer) if sent else TaskCompleted(
            task_id=task_id, reviewer_id=reviewer, match_id=question.application_id,
            candidate_id=question.candidate_id, job_id=question.job_id,
            resume_version_id=question.resume_version_id, apply_url=question.apply_url))
    created = ReviewTaskCreated(task_id=task_id, match_id=question.application_id,
                                candidate_id=question.candidate_id, job_id=question.job_id,
                                score=0)
    return [Envelope.wrap(data, source="tests/crash", time=clock.now())
            for data in (created, answer)]


async def test_orphans_settle_by_email_or_a_person_without_the_sandbox_ledger(
    kafka_bootstrap: str, database_url: str, redis_url: str, chromium_path: str,
    mailbox_url: str, tmp_path: Path, bot_log: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    people = load_candidates(CANDIDATES)
    jobs = load_jobs(JOBS)
    orders = orders_for(people)
    wanted = {(o.candidate.email, o.job_index) for o in orders}
    by_application = {application_id(o.candidate.candidate_id, jobs[o.job_index].canonical_id):
                      (o.candidate.email, o.job_index) for o in orders}
    canonical = {(p.board_token, p.id): i for i, job in enumerate(jobs)
                 for p in (job.primary, job.mirror)}
    seed = tmp_path / "candidates.json"
    seed.write_text(json.dumps({"candidates": [p.seed_entry() for p in people]}))
    namespace = f"botorphans{uuid.uuid4().hex[:8]}"
    settings = CommonSettings(bus="kafka", bus_namespace=namespace,
                              kafka_bootstrap=kafka_bootstrap, kafka_partitions=PARTITIONS)
    bot = BotProcess(bot_env(
        namespace, kafka_bootstrap=kafka_bootstrap, database_url=database_url,
        redis_url=redis_url, chromium_path=chromium_path, data=tmp_path, seed=seed,
        partitions=PARTITIONS, JAMS_SANDBOX_LEDGER="false", JAMS_SWEEP_GRACE_S="5",
        JAMS_CONFIRMATION_IMAP_URL=mailbox_url, JAMS_ORPHAN_REVIEW_AFTER_S=str(REVIEW_AFTER_S),
        JAMS_CONSUMER_BATCH_SIZE="8",
    ), bot_log)

    blobs = LocalBlobStore(tmp_path / "blobs")
    transport = make_transport(settings)
    await transport.start()
    bus = EventBus(transport, clock=SystemClock())
    clock = SystemClock()
    answered: dict[uuid.UUID, bool] = {}
    mailer = ImapMailer(mailbox_url)
    bot_lock = threading.Lock()  # the portal's thread kills, the test's loop restarts
    killed: list[int] = []

    def on_add(submission: Submission, page_url: str) -> None:
        mailer(submission, page_url)
        with bot_lock:
            if len(killed) < len(KILL_AT) and len(store.all()) >= KILL_AT[len(killed)]:
                killed.append(len(store.all()))
                bot.kill()

    store = SubmissionStore(on_add=on_add)
    try:
        with portal_in_thread(postings(jobs), store=store) as portal:
            await transport.ensure_topics([
                ApplicationApproved.TOPIC, ResumeVersionCreated.TOPIC,
                ApplicationSubmitted.TOPIC, ApplicationNeedsReview.TOPIC,
                ReviewTaskCreated.TOPIC])
            await bus.publish(*[await resume_created(blobs, person) for person in people])
            bot.start()

            def sent(key: tuple[str, int]) -> bool:
                return any((s.fields["email"], canonical[(s.board_token, s.job_id)]) == key
                           for s in store.all())

            async def answer_questions() -> None:
                """The reviewer: each question once, answered from what the portal holds."""
                for record in await transport.read_all(ApplicationNeedsReview.TOPIC):
                    event = codec.decode(record)
                    if event.type != ApplicationNeedsReview.TYPE:
                        continue
                    question = ApplicationNeedsReview.model_validate(event.data)
                    if question.application_id in answered:
                        continue
                    answered[question.application_id] = sent(
                        by_application[question.application_id])
                    await bus.publish(*reviewer_replies(
                        question, answered[question.application_id]))

            async with asyncio.timeout(TIMEOUT_S):
                while count_rows(database_url)["_resume_versions"] < CANDIDATES:
                    bot.alive()
                    await asyncio.sleep(0.2)
                await bus.publish(*(Envelope.wrap(approved(o, jobs, portal), source="tests/crash",
                                                  time=clock.now()) for o in orders))
                kills = 0
                while True:
                    states = count_rows(database_url)
                    with bot_lock:
                        if kills < len(killed):
                            kills += 1
                            bot.start()
                        bot.alive()
                    await answer_questions()
                    if (kills == len(KILL_AT)
                            and states["submitted"] + states["failed"] >= len(wanted)
                            and states["submitting"] + states["unknown"] == 0
                            and states["_unrelayed"] == 0):
                        break
                    await asyncio.sleep(0.5)
            bot.stop()
            submitted = store.all()
            submitted_events = await submitted_ids(transport)
    finally:
        bot.stop()
        await transport.close()

    per_application, missing, duplicates = tally(submitted, canonical, wanted)
    states = count_rows(database_url)
    sources = Counter([await _settled_from(blobs, app_id) for app_id in by_application])
    report = OrphanCrashReport(
        approvals=len(orders), sigkills=len(KILL_AT), portal_submissions=len(submitted),
        missing=missing, duplicates=duplicates,
        rows_submitted=states["submitted"],
        rows_unsettled=states["submitting"] + states["unknown"] + states["pending"],
        submitted_events=len(submitted_events),
        settled_by_email=sources["confirmation_email"],
        questions_asked=len(answered), answered_sent=sum(answered.values()),
        answered_not_sent=sum(not v for v in answered.values()),
    )
    with capsys.disabled():
        print("\n" + report.render())
    assert set(per_application) == wanted
    assert report.missing == report.duplicates == 0
    assert report.rows_submitted == len(wanted) and report.rows_unsettled == 0
    assert report.submitted_events == len(wanted)
    # Each form the kills cut off was settled by its confirmation e-mail, never resent.
    assert report.settled_by_email >= len(KILL_AT)


async def _settled_from(blobs: LocalBlobStore, app_id: uuid.UUID) -> str:
    """Where a submitted application's evidence came from: its page, or an orphan's ledger."""
    key = manifest_key(app_id)
    if not await blobs.exists(key):
        return "none"
    manifest = json.loads(await blobs.get(key))
    record = manifest.get("portal_record") or {}
    return str(record.get("source") or manifest.get("source"))
