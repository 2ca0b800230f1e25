"""The system under test for bench-e2e and chaos: the sandbox portal and every service, each in
its own process, on one fresh database and one bus namespace, with their logs in a run folder."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import sqlalchemy as sa
from pydantic import SecretStr

from infra.auth import Role, mint_access_token
from sandbox.generator import World
from services.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[1]
TOKEN_TTL_S = 6 * 3600  # longer than any run
# Paced runs: each board scraped once a minute (the shortest interval a source may have).
PACED_INTERVAL_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ManagedProcess:
    """One child process that can be started, killed with SIGKILL and started again."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a node dies."""
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout_s: float = 30) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within `timeout_s`."""
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None

    @contextmanager
    def running(self) -> Iterator[ManagedProcess]:
        """Started for the block, stopped after it."""
        self.start()
        try:
            yield self
        finally:
            self.stop()

    async def wait_ready(self, path: str = "/readyz", timeout_s: float = 180) -> None:
        """Until `path` answers 200; a process that exits meanwhile fails with its log tail."""
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if not self.alive:
                    raise RuntimeError(f"{self.name} exited: {self.tail()}")
                try:
                    if (await client.get(f"http://127.0.0.1:{self.port}{path}")).status_code \
                            == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise TimeoutError(f"{self.name} not ready in {timeout_s:.0f}s: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass(frozen=True)
class Servers:
    """Where the real servers are (from .dev/services.env, or private ones for chaos)."""

    database_url: str
    kafka_bootstrap: str
    redis_url: str
    mongo_url: str
    chromium_path: str


@dataclass(frozen=True)
class Reviewer:
    reviewer_id: uuid.UUID
    token: str


@dataclass
class System:
    """The portal and the services of one run."""

    portal: ManagedProcess
    services: dict[str, ManagedProcess]
    reviewers: list[Reviewer]
    namespace: str
    jwt_secret: str
    paused: set[str] = field(default_factory=set)  # down on purpose (chaos)
    self_exits: int = 0  # services that exited on their own and were started again

    @property
    def portal_url(self) -> str:
        return f"http://127.0.0.1:{self.portal.port}"

    @property
    def gateway_port(self) -> int:
        return self.services["gateway"].port

    async def start(self, hold: tuple[str, ...] = ()) -> None:
        """The portal, then every service but those in `hold` (started by `release`)."""
        self.portal.start()
        await self.portal.wait_ready("/_sandbox/submissions", timeout_s=60)
        starting = [s for name, s in self.services.items() if name not in hold]
        for service in starting:
            service.start()
        await asyncio.gather(*(s.wait_ready() for s in starting))

    async def release(self, *names: str) -> None:
        for name in names:
            self.services[name].start()
        await asyncio.gather(*(self.services[name].wait_ready() for name in names))

    async def supervise(self, on_exit: Callable[[str], None]) -> None:
        """Start again a service that exits on its own, as an orchestrator would."""
        while True:
            await asyncio.sleep(2)
            for name, service in self.services.items():
                if name not in self.paused and not service.alive:
                    on_exit(f"{name} exited on its own: {service.tail(3)}")
                    self.self_exits += 1
                    service.start()

    def stop(self) -> None:
        """SIGTERM to every service at once, then wait for each."""
        for service in self.services.values():
            if service.alive:
                assert service.process is not None
                service.process.send_signal(signal.SIGTERM)
        for service in self.services.values():
            service.stop()
        self.portal.stop()


def service_names() -> list[str]:
    """Every service of the catalog: what `python -m services.<name>` runs."""
    return [entry.name for entry in CATALOG]


def reviewer_tokens(count: int, seed: int, jwt_secret: str) -> list[Reviewer]:
    """Reviewers with deterministic ids and access tokens signed with the run's secret."""
    reviewers = []
    for i in range(count):
        reviewer_id = uuid.uuid5(uuid.NAMESPACE_URL, f"jams-bench-reviewer:{seed}:{i}")
        token = mint_access_token(SecretStr(jwt_secret), reviewer_id, Role.REVIEWER,
                                  ttl_s=TOKEN_TTL_S)
        reviewers.append(Reviewer(reviewer_id, token))
    return reviewers


def build_system(*, servers: Servers, world: World, run_dir: Path, namespace: str,
                 jobs: int, candidates: int, duplicate_share: float, seed: int,
                 reviewers: list[Reviewer], jwt_secret: str, embeddings: bool,
                 extra_env: Mapping[str, str] | None = None,
                 ats_replicas: int = 1, ats_processes: int = 0,
                 release_per_s: float | None = None) -> System:
    """Processes (not started yet) for the portal and every service of the catalog, the ATS
    engine as `ats_replicas` members of its consumer group (as KEDA scales it), spread over
    `ats_processes` processes (0: one each); members in one process share one model.

    With `release_per_s`, the portal lists its posts that many a second and every board is
    scraped once a minute, the boards' runs spread over the minute: a steady stream of new
    jobs instead of one burst."""
    run_dir.mkdir(parents=True, exist_ok=True)
    seed_file = run_dir / "candidates.json"
    seed_file.write_text(json.dumps(world.candidates_seed()))
    no_seed = run_dir / "no-candidates.json"  # replicas past the first seed nothing
    no_seed.write_text(json.dumps({"candidates": []}))
    portal_port = free_port()
    portal_url = f"http://127.0.0.1:{portal_port}"
    portal = ManagedProcess(
        "portal",
        [sys.executable, "-m", "sandbox.portal", "--port", str(portal_port),
         "--submissions", str(run_dir / "submissions.jsonl"), "--generate-jobs", str(jobs),
         "--generate-candidates", str(candidates), "--duplicate-share", str(duplicate_share),
         "--seed", str(seed), "--log-level", "warning",
         *(["--release-per-s", str(release_per_s)] if release_per_s else [])],
        dict(os.environ), run_dir / "portal.log", portal_port)
    listed = world.boards()
    # The portal is the bench's own: read without the rate limits a real board is owed.
    boards = [{"kind": "greenhouse", "name": f"greenhouse-{token}", "board_token": token,
               "company": company, "api_base": portal_url,
               "policy": {"rate_per_s": 100, "burst": 100, "max_concurrency": 8},
               **({"interval_s": PACED_INTERVAL_S,
                   "offset_s": round(i * PACED_INTERVAL_S / len(listed), 3)}
                  if release_per_s else {})}
              for i, (token, company) in enumerate(listed)]
    common: dict[str, str] = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JAMS_")},
        "JAMS_BUS": "kafka", "JAMS_BUS_NAMESPACE": namespace,
        "JAMS_KAFKA_BOOTSTRAP": servers.kafka_bootstrap,
        "JAMS_DATABASE_URL": servers.database_url, "JAMS_REDIS_URL": servers.redis_url,
        "JAMS_MONGO_URL": servers.mongo_url, "JAMS_BLOB_DIR": str(run_dir / "blobs"),
        "JAMS_LOG_LEVEL": "WARNING", "JAMS_CANDIDATES_SEED": str(seed_file),
        "JAMS_CHROMIUM_PATH": servers.chromium_path,
        "JAMS_PRESENCE_NAMESPACE": namespace,
        "JAMS_SOURCES": json.dumps(boards),
        "JAMS_ALLOW_PRIVATE_HOSTS": json.dumps([f"127.0.0.1:{portal_port}"]),
        "JAMS_SANDBOX_LEDGER": "true",
        "JAMS_JWT_SECRET": jwt_secret,
        # Gateways from before signed tokens take a static token per reviewer: the same string.
        "JAMS_REVIEWER_TOKENS": json.dumps({str(r.reviewer_id): r.token for r in reviewers}),
        "JAMS_EMBEDDINGS": "true" if embeddings else "false",
        "JAMS_PRESELECT_LIMIT": str(max(candidates, 1)),
        "JAMS_SWEEP_INTERVAL_S": "10", "JAMS_SWEEP_GRACE_S": "30",
        **({"JAMS_FLEET_POLL_S": "1"} if release_per_s else {}),
        **(extra_env or {}),
    }
    services = {}
    for name in service_names():
        members = members_per_process(ats_replicas, ats_processes) if name == "ats_engine" \
            else [1]
        for index, count in enumerate(members):
            member = name if index == 0 else f"{name}-{index + 1}"
            port = free_port()
            env = {**common, "JAMS_HTTP_PORT": str(port), "JAMS_ATS_REPLICAS": str(count)}
            if index:
                env["JAMS_CANDIDATES_SEED"] = str(no_seed)
            services[member] = ManagedProcess(
                member, [sys.executable, "-m", f"services.{name}"], env,
                run_dir / f"{member}.log", port)
    return System(portal, services, reviewers, namespace, jwt_secret)


def members_per_process(replicas: int, processes: int) -> list[int]:
    """Consumer group members of each process: `replicas` split as evenly as can be."""
    processes = min(processes or replicas, replicas)
    low, extra = divmod(replicas, processes)
    return [low + (index < extra) for index in range(processes)]


async def wait_for_candidates(database_url: str, count: int, *, embedded: bool,
                              timeout_s: float = 600) -> bool:
    """Until the ATS engine holds every seeded candidate (and their vectors, with embeddings):
    jobs then meet a warm engine, as they do in a system that has been running."""
    table = "ats_candidate_vectors" if embedded else "ats_candidates"
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if (conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0) >= count:
                    return True
            await asyncio.sleep(1)
    finally:
        engine.dispose()
    return False


def submissions(portal_url: str) -> list[dict[str, Any]]:
    """The portal's own record of every application it received."""
    response = httpx.get(f"{portal_url}/_sandbox/submissions", timeout=30)
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result
