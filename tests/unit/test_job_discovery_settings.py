"""Job discovery's settings (one list of sources) and what its composition root wires."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from infra.clock import FakeClock
from infra.runtime import Platform
from services.job_discovery.app import build
from services.job_discovery.settings import JobDiscoverySettings
from services.job_discovery.sources import BrowserSource, GreenhouseSource, sandbox_sources
from services.sandbox_profile import sandbox_settings


def test_sources_come_from_json_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [{"kind": "greenhouse", "name": "vaulttec", "board_token": "vaulttec",
                "company": "Vault-Tec", "interval_s": 600}]
    monkeypatch.setenv("JAMS_SOURCES", json.dumps(sources))

    settings = JobDiscoverySettings()

    assert settings.sources == [GreenhouseSource(
        name="vaulttec", board_token="vaulttec", company="Vault-Tec",
        api_base="https://boards-api.greenhouse.io", interval_s=600)]


def test_by_default_nothing_is_scraped_and_no_private_host_is_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JAMS_SOURCES", raising=False)
    monkeypatch.delenv("JAMS_ALLOW_PRIVATE_HOSTS", raising=False)
    monkeypatch.delenv("JAMS_FLEET_ENABLED", raising=False)
    settings = JobDiscoverySettings()

    assert settings.fleet_enabled is True
    assert settings.sources == []
    assert settings.allow_private_hosts == []


def test_every_sandbox_source_points_at_the_portal_it_is_given() -> None:
    sources = sandbox_sources("http://127.0.0.1:9")

    assert not any(isinstance(s, BrowserSource) for s in sources)
    assert {s.api_base for s in sources if not isinstance(s, BrowserSource)} == {
        "http://127.0.0.1:9"}
    assert {s.kind for s in sources} == {"greenhouse", "lever", "ashby", "workday", "adzuna"}


def test_the_sandbox_profile_scrapes_the_seed_boards_of_its_portal_and_allow_lists_it() -> None:
    local = JobDiscoverySettings(**sandbox_settings("http://127.0.0.1:9")["job_discovery"])

    boards = [(s.name, s.board_token, s.company, s.interval_s)
              for s in local.sources if isinstance(s, GreenhouseSource)]
    assert boards == [
        ("greenhouse-acme", "acme", "Acme", 300),
        ("greenhouse-globex", "globex", "Globex", 300),
        ("greenhouse-acme-careers", "acme-careers", "Acme", 300),
    ]
    assert [s.name for s in local.sources] == [name for name, *_ in boards]
    assert {s.api_base for s in local.sources if isinstance(s, GreenhouseSource)} == {
        "http://127.0.0.1:9"}
    assert local.allow_private_hosts == ["127.0.0.1:9"]


def platform_stand_in() -> Platform:
    # build() only wires; nothing here connects, so stand-ins are enough for the bus and stores.
    engine = create_async_engine("postgresql+psycopg://nobody@/nowhere")
    return Platform(
        settings=JobDiscoverySettings(), clock=FakeClock(), engine=engine,
        bus=cast(Any, None), redis=cast(Any, None), documents=cast(Any, None),
        blobs=cast(Any, None),
    )


def test_the_service_reads_its_raw_postings_and_the_worker_runs_by_default() -> None:
    spec = build(platform_stand_in(), JobDiscoverySettings())

    assert spec.name == "job_discovery"
    assert spec.topics == ["config.portals", "jobs.raw"]
    assert [task.__name__ for task in spec.background] == [
        "scrape", "expire", "release_completions"]


def test_a_process_may_leave_scraping_to_others() -> None:
    spec = build(platform_stand_in(), JobDiscoverySettings(fleet_enabled=False))

    assert [task.__name__ for task in spec.background] == ["expire", "release_completions"]
