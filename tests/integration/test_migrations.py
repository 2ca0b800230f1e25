"""Migrations create exactly the tables the code declares."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from infra.migrate import upgrade
from services.catalog import load_all_tables
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
