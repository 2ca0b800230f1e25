"""Shared fixtures: real servers from `make services-up`, fresh databases, a fake clock,
spans exported to a file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from infra import tracing
from infra.clock import FakeClock
from infra.migrate import upgrade
from tests.servers import load_dev_env, scratch_database, server_url

load_dev_env()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The dev server's `jams` database (do not write to it; use `database_url`)."""
    return server_url("JAMS_DATABASE_URL")


@pytest.fixture(scope="session")
def migrated_template(postgres_url: str) -> Iterator[str]:
    """A database at the newest migration, cloned for each test that needs one."""
    with scratch_database(postgres_url) as url:
        upgrade(url)
        yield make_url(url).database or ""


@pytest.fixture
def database_url(postgres_url: str, migrated_template: str) -> Iterator[str]:
    """A private, fully migrated database for one test."""
    with scratch_database(postgres_url, template=migrated_template) as url:
        yield url


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return server_url("JAMS_KAFKA_BOOTSTRAP")


@pytest.fixture(scope="session")
def mongo_url() -> str:
    return server_url("JAMS_MONGO_URL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return server_url("JAMS_REDIS_URL")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return server_url("JAMS_CHROMIUM_PATH")


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def trace_file(tmp_path: Path) -> Iterator[Path]:
    """Tracing on for the test, every span written to this JSON Lines file."""
    path = tmp_path / "spans.jsonl"
    assert tracing.configure_tracing("jams-test", trace_file=path)
    try:
        yield path
    finally:
        tracing.shutdown_tracing()


@pytest.fixture(scope="session")
def s3_url() -> str:
    """The dev S3-compatible server (opt-in: not exported to processes tests start)."""
    return server_url("JAMS_S3_URL")


@pytest.fixture(scope="session")
def imap_url() -> str:
    """The dev IMAP server's mailbox (opt-in, like S3)."""
    return server_url("JAMS_CONFIRMATION_IMAP_URL")


@pytest.fixture
def mailbox_url(imap_url: str) -> str:
    """A folder of its own on the dev IMAP server, so no other test's mail is in it."""
    import imaplib
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(imap_url)
    folder = f"t{uuid.uuid4().hex[:12]}"
    with imaplib.IMAP4(parts.hostname or "", parts.port or 143, timeout=10) as client:
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        status, _ = client.create(folder)
        assert status == "OK"
    return parts._replace(path=f"/{folder}").geturl()
