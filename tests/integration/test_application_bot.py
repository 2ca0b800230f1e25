"""The application bot on real PostgreSQL and real Chromium against the sandbox portal."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from infra.blobs import LocalBlobStore
from infra.bus.bus import PermanentError, RetryPolicy
from infra.bus.deadletters import list_dead_letters
from infra.bus.namespace import NamespacedTransport
from infra.bus.outage import is_dependency_outage
from infra.clock import FakeClock, SystemClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.service import ServiceSpec
from infra.uow import UnitOfWork
from sandbox.portal import SEED_JOBS, SubmissionStore, create_app
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import ApplicationApproved
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import TaskCompleted
from services.application_bot import repository
from services.application_bot.adapters.browser import (
    BrowserPage,
    BrowserUnavailable,
    OutboundGuard,
    PlaywrightBrowser,
)
from services.application_bot.adapters.candidates import SeedCandidateDirectory
from services.application_bot.adapters.greenhouse_form import GreenhouseApplier
from services.application_bot.adapters.kit.visit import Visit
from services.application_bot.adapters.portal_ledger import SandboxSubmissionLedger
from services.application_bot.app import NAME, assemble
from services.application_bot.applying import (
    ApplicationBot,
    ApplicationNotSettled,
    BotPorts,
    BrowserAway,
    ResumeVersionNotYetKnown,
)
from services.application_bot.domain import Applicant, ApplyRequest, application_id
from services.application_bot.settings import ApplicationBotSettings
from services.application_bot.tables import applications
from tests.busfixtures import make_transport, running_bus

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SEED = Path(__file__).resolve().parents[2] / "sandbox" / "seed" / "candidates.json"
ADA = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")
ADA_EMAIL = "ada.okafor@example.com"
JOB = uuid.uuid4()  # the canonical job id; the portal knows the posting by its own id
POSTING = SEED_JOBS[0]
RESUME = b"Ada Okafor\nSenior backend engineer\nSkills: Python, PostgreSQL, Kafka\n"

FULL_FORM = """
<form id="application_form" action="{action}" method="post" enctype="multipart/form-data">
  <input name="first_name"><input name="last_name"><input name="email"><input name="phone">
  <input type="file" name="resume"><button type="submit" id="submit_app">Submit</button>
</form>"""

# Pages at /hostile/jobs/<n> that look like postings but must not get anyone's details.
HOSTILE_PAGES = {
    1: "<h1>Senior Engineer</h1><p>Apply by email!</p><form id='search'><input name='q'></form>"
       "<script>alert('gotcha'); window.open('about:blank');</script>",
    2: FULL_FORM.format(action="http://localhost:{port}/steal"),
    3: "<form id='application_form' action='/x'><input name='first_name'>"
       "<input name='last_name'><input name='email'><input name='phone'>"
       "<button id='submit_app'>Go</button></form>",
    4: FULL_FORM.format(action="/hostile/blackhole"),
}


@dataclass
class Portal:
    """The sandbox portal with a few hostile pages beside it, on one local port."""

    url: str
    store: SubmissionStore
    hits: dict[str, int] = field(default_factory=dict)

    def job_url(self, board_token: str = POSTING.board_token, job_id: int = POSTING.id) -> str:
        return f"{self.url}/{board_token}/jobs/{job_id}"


def _with_hostile_pages(portal_app: FastAPI, hits: dict[str, int], port: list[int]) -> FastAPI:
    outer = FastAPI()

    @outer.get("/hostile/jobs/{number}")
    async def hostile(number: int) -> HTMLResponse:
        return HTMLResponse(HOSTILE_PAGES[number].replace("{port}", str(port[0])))

    @outer.post("/steal")
    async def steal(request: Request) -> HTMLResponse:
        hits["steal"] = hits.get("steal", 0) + 1
        return HTMLResponse("Thank you for applying. Confirmation id: stolen")

    @outer.post("/hostile/blackhole")
    async def blackhole(request: Request) -> HTMLResponse:
        await request.body()
        hits["blackhole"] = hits.get("blackhole", 0) + 1
        return HTMLResponse("<p>Processing your application…</p>")

    outer.mount("/", portal_app)
    return outer


@pytest.fixture
async def portal() -> AsyncIterator[Portal]:
    store, hits, port = SubmissionStore(), dict[str, int](), [0]
    app = _with_hostile_pages(create_app(store), hits, port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                                           lifespan="off"))
    serving = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.025)
    port[0] = server.servers[0].sockets[0].getsockname()[1]
    yield Portal(f"http://127.0.0.1:{port[0]}", store, hits)
    server.should_exit = True
    await serving


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[PlaywrightBrowser]:
    # The test portals listen on loopback, at ports picked when they start.
    chromium = PlaywrightBrowser(Path(chromium_path), timeout_s=10,
                                 guard=OutboundGuard(["127.0.0.1"]))
    yield chromium
    await chromium.close()


@dataclass
class Bot:
    """The service as the runtime sees it, with its database and blob store at hand."""

    spec: ServiceSpec
    uow: UnitOfWork
    blobs: LocalBlobStore
    clock: FakeClock
    settings: ApplicationBotSettings
    browser: PlaywrightBrowser

    async def deliver(self, data: EventData, event_id: uuid.UUID | None = None) -> Envelope:
        envelope = Envelope.wrap(data, source="jams/tests", time=self.clock.now(),
                                 event_id=event_id)
        await self.spec.dispatcher(self.uow)(envelope)
        return envelope

    async def redeliver(self, envelope: Envelope) -> None:
        await self.spec.dispatcher(self.uow)(envelope)

    async def add_resume(self, candidate_id: uuid.UUID = ADA,
                         content: bytes = RESUME) -> uuid.UUID:
        version = uuid.uuid4()
        key = f"resumes/{candidate_id}/{version}.txt"
        digest = await self.blobs.put(key, content)
        await self.deliver(ResumeVersionCreated(
            candidate_id=candidate_id, resume_version_id=version, blob_key=key,
            content_sha256=digest))
        return version

    def bot_with(self, applier: GreenhouseApplier) -> ApplicationBot:
        """The same bot with another applier (to simulate crashes)."""
        ports = BotPorts(self.uow, self.blobs, self.browser, applier,
                         SeedCandidateDirectory(self.settings.candidates_seed),
                         SandboxSubmissionLedger(timeout_s=5))
        return ApplicationBot(ports, max_attempts=self.settings.max_attempts,
                              allow_private_hosts=self.settings.allow_private_hosts)

    async def rows(self) -> list[dict[str, Any]]:
        async with self.uow.engine.connect() as conn:
            result = await conn.execute(sa.select(applications))
            return [dict(r) for r in result.mappings()]

    async def emitted(self, model: type[EventData]) -> list[dict[str, Any]]:
        async with self.uow.engine.connect() as conn:
            rows = (await conn.execute(sa.select(outbox.c.value, outbox.c.headers)
                                       .order_by(outbox.c.id))).all()
        return [json.loads(value) for value, headers in rows
                if dict(headers).get("ce_type") == model.TYPE]


MakeBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def make_bot(
    database_url: str, tmp_path: Path, chromium_path: str, browser: PlaywrightBrowser,
    fake_clock: FakeClock,
) -> AsyncIterator[MakeBot]:
    engine = create_engine(database_url, pool_size=4)

    async def make(**overrides: Any) -> Bot:
        settings = ApplicationBotSettings(
            chromium_path=Path(chromium_path), candidates_seed=SEED, blob_dir=tmp_path / "blobs",
            navigation_timeout_s=10, confirmation_timeout_s=10, max_attempts=3,
            allow_private_hosts=["127.0.0.1"], sandbox_ledger=True,
        ).model_copy(update=overrides)
        uow = UnitOfWork(engine, fake_clock, source=f"jams/{NAME}")
        blobs = LocalBlobStore(settings.blob_dir)
        return Bot(assemble(uow, blobs, settings, browser), uow, blobs, fake_clock, settings,
                   browser)

    yield make
    await engine.dispose()


def approved(version: uuid.UUID, url: str, job_id: uuid.UUID = JOB) -> ApplicationApproved:
    return ApplicationApproved(match_id=uuid.uuid4(), candidate_id=ADA, job_id=job_id,
                               score=95, resume_version_id=version, apply_url=url)


def completed(version: uuid.UUID, url: str) -> TaskCompleted:
    return TaskCompleted(task_id=uuid.uuid4(), reviewer_id=uuid.uuid4(), match_id=uuid.uuid4(),
                         candidate_id=ADA, job_id=JOB, resume_version_id=version, apply_url=url)


async def test_the_bot_reads_the_topics_of_the_events_it_handles(make_bot: MakeBot) -> None:
    bot = await make_bot()
    assert bot.spec.topics == ["candidates.profiles", "config.portals", "matches.decisions",
                               "recruiting.pipeline", "resumes.versions", "review.tasks"]


async def test_an_approval_submits_the_form_once_with_evidence(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()

    await bot.deliver(approved(version, portal.job_url()))

    [submission] = portal.store.all()
    assert (submission.board_token, submission.job_id) == (POSTING.board_token, POSTING.id)
    assert submission.fields == {"first_name": "Ada", "last_name": "Okafor",
                                 "email": ADA_EMAIL, "phone": "+1 415 555 0101"}
    assert submission.resume_filename == "Ada_Okafor_resume.txt"
    assert submission.resume_sha256 == hashlib.sha256(RESUME).hexdigest()

    app_id = application_id(ADA, JOB)
    [row] = await bot.rows()
    assert (row["application_id"], row["state"], row["attempts"]) == (app_id, "submitted", 1)
    assert row["confirmation"] == submission.confirmation_id

    [event] = await bot.emitted(ApplicationSubmitted)
    assert event["application_id"] == str(app_id)
    assert event["confirmation"] == submission.confirmation_id
    assert event["resume_version_id"] == str(version)
    assert event["evidence_key"] == f"evidence/{app_id}/manifest.json"
    assert await bot.emitted(ApplicationFailed) == []

    manifest = json.loads(await bot.blobs.get(event["evidence_key"]))
    assert manifest["confirmation"] == submission.confirmation_id
    assert manifest["source"] == "confirmation_page"
    page = (await bot.blobs.get(manifest["files"]["html"])).decode()
    assert "Thank you for applying" in page and submission.confirmation_id in page
    assert (await bot.blobs.get(manifest["files"]["screenshot"])).startswith(b"\x89PNG")


async def test_redelivery_and_a_later_review_of_the_same_job_submit_once(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    first = await bot.deliver(approved(version, portal.job_url()))

    await bot.redeliver(first)  # the same event id again
    await bot.deliver(completed(version, portal.job_url()))  # a different event, same key
    await bot.deliver(approved(version, portal.job_url()))  # a re-scored duplicate

    assert len(portal.store.all()) == 1
    assert len(await bot.emitted(ApplicationSubmitted)) == 1
    assert [r["attempts"] for r in await bot.rows()] == [1]


async def test_two_orders_for_one_job_at_the_same_time_submit_once(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()

    await asyncio.gather(bot.deliver(approved(version, portal.job_url())),
                         bot.deliver(completed(version, portal.job_url())))

    assert len(portal.store.all()) == 1
    assert len(await bot.emitted(ApplicationSubmitted)) == 1


class SimulatedCrash(Exception):
    """The process 'died' here."""


class CrashAfterSubmitting(GreenhouseApplier):
    """Sends the form for real, then dies before anything is recorded."""

    async def apply(self, page: BrowserPage, apply_url: str, applicant: Applicant,
                    resume: Path) -> Visit:
        await super().apply(page, apply_url, applicant, resume)
        raise SimulatedCrash


async def test_a_crash_after_submitting_is_settled_from_the_portal_without_resending(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    order = approved(version, portal.job_url())
    envelope = Envelope.wrap(order, source="jams/tests", time=bot.clock.now())
    request = ApplyRequest(ADA, JOB, version, order.apply_url)

    with pytest.raises(SimulatedCrash):
        await bot.bot_with(CrashAfterSubmitting(confirmation_timeout_s=10)).apply(request,
                                                                                  envelope)
    [sent] = portal.store.all()
    assert [r["state"] for r in await bot.rows()] == ["submitting"]
    assert await bot.emitted(ApplicationSubmitted) == []

    await bot.redeliver(envelope)  # the bus redelivers what the dead worker never committed

    assert portal.store.all() == [sent]
    [row] = await bot.rows()
    assert (row["state"], row["confirmation"], row["attempts"]) == ("submitted",
                                                                   sent.confirmation_id, 1)
    [event] = await bot.emitted(ApplicationSubmitted)
    manifest = json.loads(await bot.blobs.get(event["evidence_key"]))
    assert manifest["source"] == "portal_ledger"
    assert manifest["portal_record"]["confirmation_id"] == sent.confirmation_id


async def test_a_crash_before_submitting_is_checked_with_the_portal_then_sent_once(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    order = approved(version, portal.job_url())
    async with bot.uow.transaction() as tx:  # a claim whose worker died before the form
        await tx.conn.execute(applications.insert().values(
            application_id=application_id(ADA, JOB), candidate_id=ADA, job_id=JOB,
            resume_version_id=version, apply_url=order.apply_url, state="submitting",
            attempts=1, created_at=bot.clock.now(), updated_at=bot.clock.now()))

    await bot.deliver(order)

    [submission] = portal.store.all()
    [row] = await bot.rows()
    assert (row["state"], row["attempts"], row["confirmation"]) == ("submitted", 2,
                                                                   submission.confirmation_id)
    assert len(await bot.emitted(ApplicationSubmitted)) == 1


async def test_a_crash_after_saving_the_evidence_is_settled_from_the_evidence(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    order = approved(version, portal.job_url())
    app_id = application_id(ADA, JOB)
    async with bot.uow.transaction() as tx:  # died after the manifest, before recording
        await tx.conn.execute(applications.insert().values(
            application_id=app_id, candidate_id=ADA, job_id=JOB, resume_version_id=version,
            apply_url=order.apply_url, state="submitting", attempts=1,
            created_at=bot.clock.now(), updated_at=bot.clock.now()))
    key = f"evidence/{app_id}/manifest.json"
    await bot.blobs.put(key, json.dumps({"confirmation": "saved-123"}).encode())

    await bot.deliver(order)

    assert portal.store.all() == []
    [event] = await bot.emitted(ApplicationSubmitted)
    assert (event["confirmation"], event["evidence_key"]) == ("saved-123", key)


@pytest.mark.parametrize(("page", "reason"), [
    (1, "not the expected application form: no #application_form on the page"),
    (2, "the form would send the application to 'http://localhost:"),
    (3, "not the expected application form: missing resume (file input)"),
])
async def test_a_page_that_is_not_the_expected_form_fails_cleanly(
    make_bot: MakeBot, portal: Portal, page: int, reason: str
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()

    await bot.deliver(approved(version, f"{portal.url}/hostile/jobs/{page}"))

    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["reason"].startswith(reason)
    assert failed["retryable"] is False
    assert await bot.emitted(ApplicationSubmitted) == []
    assert [r["state"] for r in await bot.rows()] == ["failed"]
    assert portal.store.all() == [] and portal.hits == {}
    assert await bot.blobs.exists(f"evidence/{application_id(ADA, JOB)}/attempt-1/page.png")

    await bot.deliver(approved(version, f"{portal.url}/hostile/jobs/{page}"))  # settled: no retry
    assert len(await bot.emitted(ApplicationFailed)) == 1


async def test_a_closed_posting_fails_without_applying(make_bot: MakeBot, portal: Portal) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    async with httpx.AsyncClient() as client:
        closed = await client.post(
            f"{portal.url}/_sandbox/jobs/{POSTING.board_token}/{POSTING.id}/close")
        closed.raise_for_status()

    await bot.deliver(approved(version, portal.job_url()))

    [failed] = await bot.emitted(ApplicationFailed)
    assert (failed["reason"], failed["retryable"]) == ("the posting is closed", False)
    assert portal.store.all() == []


async def test_the_portal_refusing_the_form_fails_with_its_objection(
    make_bot: MakeBot, portal: Portal, tmp_path: Path
) -> None:
    seed = json.loads(SEED.read_text())
    seed["candidates"][0]["email"] = "not-an-email"
    bad_seed = tmp_path / "candidates.json"
    bad_seed.write_text(json.dumps(seed))
    bot = await make_bot(candidates_seed=bad_seed)
    version = await bot.add_resume()

    await bot.deliver(approved(version, portal.job_url()))

    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["reason"] == ("the portal refused the application: "
                                "Email is not a valid email address.")
    assert portal.store.all() == []


async def test_no_confirmation_is_never_resent_before_the_portal_is_asked(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot(confirmation_timeout_s=1.0, max_attempts=2)
    version = await bot.add_resume()
    url = f"{portal.url}/hostile/jobs/4"
    envelope = Envelope.wrap(approved(version, url), source="jams/tests", time=bot.clock.now())

    with pytest.raises(ApplicationNotSettled, match="unknown: no confirmation"):
        await bot.redeliver(envelope)
    assert [r["state"] for r in await bot.rows()] == ["unknown"]
    assert portal.hits == {"blackhole": 1}

    # The portal has no record of it, so one more attempt is allowed, and then no more.
    with pytest.raises(ApplicationNotSettled):
        await bot.redeliver(envelope)
    assert portal.hits == {"blackhole": 2}
    await bot.redeliver(envelope)

    assert portal.hits == {"blackhole": 2}
    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["retryable"] is True
    assert failed["reason"] == "gave up after 2 attempt(s): the portal shows no submission"


async def test_an_order_before_its_resume_version_waits_and_changes_nothing(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = uuid.uuid4()
    key = f"resumes/{ADA}/{version}.txt"
    digest = await bot.blobs.put(key, RESUME)
    envelope = Envelope.wrap(approved(version, portal.job_url()), source="jams/tests",
                             time=bot.clock.now())

    with pytest.raises(ResumeVersionNotYetKnown):
        await bot.redeliver(envelope)
    assert await bot.rows() == [] and portal.store.all() == []

    await bot.deliver(ResumeVersionCreated(candidate_id=ADA, resume_version_id=version,
                                           blob_key=key, content_sha256=digest))
    await bot.redeliver(envelope)  # the bus's retry
    assert len(portal.store.all()) == 1


@pytest.mark.parametrize("problem", ["unknown candidate", "foreign resume", "bad url"])
async def test_bad_orders_are_dead_lettered_and_change_nothing(
    make_bot: MakeBot, portal: Portal, problem: str
) -> None:
    bot = await make_bot()
    order = approved(await bot.add_resume(), portal.job_url())
    if problem == "unknown candidate":
        order = order.model_copy(update={"candidate_id": uuid.uuid4()})
    elif problem == "foreign resume":
        other = uuid.UUID("8f0e1d2c-3b4a-4596-8a7b-6c5d4e3f2a1b")
        order = order.model_copy(update={"resume_version_id": await bot.add_resume(other)})
    else:
        order = order.model_copy(update={"apply_url": "file:///etc/passwd"})

    with pytest.raises(PermanentError):
        await bot.deliver(order)
    assert await bot.rows() == [] and portal.store.all() == []
    assert await bot.emitted(ApplicationFailed) == []


async def test_the_sweep_settles_a_crash_leftover_whose_event_was_consumed(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot(sweep_grace_s=60)
    version = await bot.add_resume()
    order = approved(version, portal.job_url())
    envelope = Envelope.wrap(order, source="jams/tests", time=bot.clock.now())
    with pytest.raises(SimulatedCrash):
        await bot.bot_with(CrashAfterSubmitting(confirmation_timeout_s=10)).apply(
            ApplyRequest(ADA, JOB, version, order.apply_url), envelope)
    [sent] = portal.store.all()
    sweeper = bot.bot_with(GreenhouseApplier(confirmation_timeout_s=10))

    # Too young: a worker may still be about to settle it.
    assert await sweeper.settle_orphans(bot.clock.now() - timedelta(seconds=60)) == 0
    bot.clock.advance(61)
    assert await sweeper.settle_orphans(bot.clock.now() - timedelta(seconds=60)) == 1

    assert portal.store.all() == [sent]  # settled from the portal's record, never resent
    [row] = await bot.rows()
    assert (row["state"], row["confirmation"]) == ("submitted", sent.confirmation_id)
    assert len(await bot.emitted(ApplicationSubmitted)) == 1
    assert await sweeper.settle_orphans(bot.clock.now()) == 0  # nothing left to sweep


async def test_the_sweep_leaves_an_application_whose_worker_holds_the_lock(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    order = approved(version, portal.job_url())
    envelope = Envelope.wrap(order, source="jams/tests", time=bot.clock.now())
    with pytest.raises(SimulatedCrash):
        await bot.bot_with(CrashAfterSubmitting(confirmation_timeout_s=10)).apply(
            ApplyRequest(ADA, JOB, version, order.apply_url), envelope)
    sweeper = bot.bot_with(GreenhouseApplier(confirmation_timeout_s=10))
    bot.clock.advance(3600)

    async with repository.exclusive(bot.uow.engine, application_id(ADA, JOB)) as mine:
        assert mine  # a live worker at the form
        assert await sweeper.settle_orphans(bot.clock.now()) == 0
        assert [r["state"] for r in await bot.rows()] == ["submitting"]
    assert await sweeper.settle_orphans(bot.clock.now()) == 1
    assert [r["state"] for r in await bot.rows()] == ["submitted"]
    assert len(portal.store.all()) == 1


def test_a_browser_that_cannot_start_is_an_outage_to_the_bus() -> None:
    assert is_dependency_outage(BrowserAway("browser unavailable"))
    assert is_dependency_outage(BrowserUnavailable("no such file"))


async def test_an_approval_waits_out_a_browser_that_cannot_start_then_applies_once(
    make_bot: MakeBot, database_url: str, tmp_path: Path, chromium_path: str, portal: Portal,
) -> None:
    """A browser that cannot start is an outage like a database that is away: the application
    waits with its attempt given back, the bus retries it without counting, readiness says
    why, and once the browser is back it is applied for exactly once."""
    missing = tmp_path / "bin" / "chromium"  # nothing there yet: the browser cannot start
    browser = PlaywrightBrowser(missing, timeout_s=10, guard=OutboundGuard(["127.0.0.1"]))
    bot = await make_bot()
    spec = assemble(bot.uow, bot.blobs, bot.settings, browser)
    dispatch = spec.dispatcher(bot.uow)
    after_failures: list[tuple[str, int, str]] = []  # the row after each handling that failed

    async def watched(envelope: Envelope) -> None:
        try:
            await dispatch(envelope)
        except Exception:
            [row] = await bot.rows()
            after_failures.append((row["state"], row["attempts"], str(row["reason"])))
            raise

    version = await bot.add_resume()
    transport = NamespacedTransport(make_transport("embedded", database_url=database_url),
                                    f"browserout{uuid.uuid4().hex[:8]}")
    # Quick back-off, and fewer bus attempts than the outage lasts: none may be used up.
    retry = RetryPolicy(max_attempts=2, initial_backoff_s=0.05, max_backoff_s=0.2)
    try:
        async with running_bus(transport, SystemClock(), retry) as bus:
            await bus.publish(Envelope.wrap(approved(version, portal.job_url()),
                                            source="jams/tests", time=bot.clock.now()))
            stop = asyncio.Event()
            consumer = asyncio.create_task(bus.consume(
                spec.group, [ApplicationApproved.TOPIC], watched, stop=stop))
            try:
                async with asyncio.timeout(60):
                    while len(after_failures) < 4:  # past the bus's and the bot's attempts
                        await asyncio.sleep(0.05)
                assert {(state, attempts) for state, attempts, _ in after_failures} == {
                    ("pending", 0)}, after_failures
                assert all(reason.startswith("browser unavailable")
                           for _, _, reason in after_failures)
                with pytest.raises(BrowserUnavailable, match=str(missing)):
                    await browser.check()
                assert portal.store.all() == []

                missing.parent.mkdir()
                missing.symlink_to(chromium_path)  # the browser is back
                async with asyncio.timeout(60):
                    while (await bot.rows())[0]["state"] != "submitted":
                        await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)  # room for a wrong second application to show up
            finally:
                stop.set()
                await asyncio.wait_for(consumer, 30)
            dead = await list_dead_letters(bus.transport, ApplicationApproved.TOPIC)
        await browser.check()  # ready again
    finally:
        await browser.close()

    [submission] = portal.store.all()
    [row] = await bot.rows()
    assert (row["state"], row["attempts"]) == ("submitted", 1)
    assert row["confirmation"] == submission.confirmation_id
    assert dead == []
    assert await bot.emitted(ApplicationFailed) == []
