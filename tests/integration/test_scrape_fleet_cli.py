"""`jams discover SOURCE` against the sandbox on a real socket and a real database.

The command runs as its own process, as an operator runs it (it configures logging globally).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn

from sandbox.portal.sources import FaultPlan
from services.job_discovery.fleet_tables import scrape_runs, source_state
from tests.integration.test_scrape_fleet_support import Sandbox, sandbox

pytestmark = pytest.mark.integration


@pytest.fixture
def portal() -> Sandbox:
    return sandbox(with_greenhouse=False)


@pytest.fixture
def base_url(portal: Sandbox) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(portal.app, host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.02)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


JAMS = str(Path(sys.executable).with_name("jams"))


@pytest.fixture
def env(base_url: str, database_url: str) -> dict[str, str]:
    sources = [{"kind": "lever", "name": "lever-acme", "site": "acme", "company": "Acme",
                "api_base": base_url}]
    env = {k: v for k, v in os.environ.items() if k != "JAMS_MONGO_URL"}
    return env | {"JAMS_SOURCES": json.dumps(sources), "JAMS_DATABASE_URL": database_url,
                  "JAMS_ALLOW_PRIVATE_HOSTS": json.dumps(["127.0.0.1"]), "COLUMNS": "200"}


async def jams(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run the CLI; its exit status and everything it printed."""
    process = await asyncio.create_subprocess_exec(
        JAMS, *args, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    return await process.wait(), out.decode()


def count(database_url: str, table: sa.Table) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        value = conn.scalar(sa.select(sa.func.count()).select_from(table))
    engine.dispose()
    return int(value or 0)


async def test_discover_runs_one_source_now_and_prints_what_it_did(
    env: dict[str, str], database_url: str, portal: Sandbox
) -> None:
    status, output = await jams(env, "discover", "lever-acme")
    assert status == 0, output
    assert "lever-acme: ok" in output
    assert count(database_url, scrape_runs) == 1
    assert count(database_url, source_state) == 1

    portal.faults.add(FaultPlan(path="/v0/postings/acme", faults=["layout"], sticky=True))
    status, output = await jams(env, "discover", "lever-acme")
    assert status == 1
    assert "layout_changed" in output


async def test_discover_names_the_sources_when_one_is_unknown(env: dict[str, str]) -> None:
    status, output = await jams(env, "discover", "nope")
    assert status == 2
    assert "no source named 'nope'; configured: lever-acme" in output
