"""Alembic environment: runs migrations on a sync psycopg connection."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import make_url

config = context.config
# The tables to compare with when generating a revision (`services.catalog.load_all_tables()`,
# passed by the caller); upgrading needs none.
target_metadata = config.attributes.get("target_metadata")
# One migration at a time per database, even when several services start together.
_LOCK_KEY = 7_241_001


def run_migrations_online() -> None:
    url = make_url(config.get_main_option("sqlalchemy.url") or "").set(
        drivername="postgresql+psycopg"
    )
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text("select pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
        connection.commit()
        try:
            context.configure(connection=connection, target_metadata=target_metadata)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(sa.text("select pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
            connection.commit()
    engine.dispose()


run_migrations_online()
