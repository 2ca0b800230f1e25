"""Migrations create exactly the tables the code declares."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from infra.migrate import upgrade
from services.catalog import load_all_tables
from services.job_discovery.adapters.base import build_event
from services.job_discovery.jobs.posting import normalise_posting
from tests.servers import scratch_database

pytestmark = pytest.mark.integration


def test_migrations_match_the_declared_tables(postgres_url: str) -> None:
    with scratch_database(postgres_url) as url:
        upgrade(url)
        upgrade(url)  # a second run is a no-op
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), load_all_tables())
        engine.dispose()
    assert diff == [], f"schema drift, add a migration (alembic revision --autogenerate): {diff}"


def test_open_jobs_are_keyed_anew_by_employer_and_place(postgres_url: str) -> None:
    job = {"id": uuid.uuid4(), "company": "Acme, Inc.", "title": "Sr. Backend Engineer",
           "location": "Berlin, DE (Hybrid)"}
    with scratch_database(postgres_url) as url:
        upgrade(url, "0003_job_postings_payload_hash")
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO canonical_jobs (job_id, canonical_key, company, title, location, "
                "apply_url, published_at, updated_at) VALUES (:id, 'old key', :company, :title, "
                ":location, 'https://jobs.example.com/1', now(), now())"), job)
        upgrade(url)
        with engine.connect() as conn:
            key = conn.scalar(sa.text("SELECT canonical_key FROM canonical_jobs"))
        engine.dispose()
    sighting = normalise_posting(build_event(
        "lever", "7", company="ACME", title="Senior Backend Engineer", location="Berlin",
        apply_url="https://jobs.example.com/7"))
    assert key == sighting.fingerprint
